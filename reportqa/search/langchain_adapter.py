"""A LangChain retriever over reportqa search, for use in your own chains.

    from reportqa.search.langchain_adapter import ReportRetriever
    retriever = ReportRetriever.from_index("index", k=5)
    docs = retriever.invoke("嘉定区2020年一般公共预算收入是多少？")

Each ``Document`` holds the passage text; its metadata holds the hit's
provenance (chunk_id, title, place, year, section, source_file, char_start,
char_end, score, rank) and what was understood from the question.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings


class ReportRetriever(BaseRetriever):
    """reportqa's question-aware hybrid search as a LangChain ``BaseRetriever``.

    Attributes:
        retriever: the reportqa retriever (holds the loaded index).
        k: passages per query.
        place, year, doc_type: optional fixed filters (place: 广东省, 广东, 嘉定区, 全国).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    k: int = 5
    place: str | None = None
    year: int | None = None
    doc_type: str | None = None

    @classmethod
    def from_index(cls, index_dir: str = "index", **kwargs: Any) -> ReportRetriever:
        """Open the index folder with the settings from the environment."""
        index = SearchIndex.open(Settings.from_env(index_dir=index_dir))
        return cls(retriever=Retriever(index), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        retrieval = self.retriever.retrieve(query, self.k, SearchFilters(self.place, self.year, self.doc_type))
        understood = retrieval.to_json()
        documents = []
        for hit in retrieval.hits:
            metadata = {key: value for key, value in hit.to_json().items() if key != "text"}
            metadata["understood"] = understood
            documents.append(Document(page_content=hit.text, metadata=metadata, id=hit.chunk_id))
        return documents
