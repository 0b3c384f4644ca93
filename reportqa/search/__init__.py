"""Stage 3, search: a question → ranked passages with their provenance.

``question`` reads places, years and the kind of question; ``hybrid`` opens an
index and runs dense + BM25 search fused by ``fusion`` and re-ranked by
``rescoring``; ``retrieval`` turns one question into the searches it needs
(filters, one per side of a comparison, a bridge clause); ``langchain_adapter``
offers the same as a LangChain retriever.
"""
