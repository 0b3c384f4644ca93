"""Stage 1, ingest: report files → documents → sections → chunks with metadata.

``loaders`` decodes a file, ``splitting`` finds the documents in it, ``cleaning``
marks noise lines, ``sections`` finds headings, ``metadata`` reads place, year and
type, ``dedup`` folds near-copies, ``chunking`` packs sentences into passages, and
``pipeline`` runs them in that order. Nothing here embeds or writes an index.
"""
