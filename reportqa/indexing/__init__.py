"""Stage 2, indexing: chunks → vectors and tokens → the index folder on disk.

``store`` owns the folder (files, manifest, atomic swap), ``offline_model`` and
``embedding`` turn text into vectors, ``lexical`` is the jieba analyser and BM25
index, ``dense`` the FAISS index, and ``build`` writes them all from an ingest
result, reusing the vectors of unchanged passages.
"""
