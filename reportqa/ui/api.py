"""The JSON HTTP API, served beside the pages at ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``).

``GET /health``; ``GET|POST /search``; ``POST /ask`` and ``POST /ask/stream``
(server-sent events: a ``passages`` event with the passages found, ``waiting``
events while the local model answers others, ``draft`` events while the
generator writes, then one ``answer`` event with the checked answer, or an
``error`` event);
``GET /documents``, ``POST /documents`` (multipart ``files``) and
``DELETE /documents/{id}``. The records are the command line's ``--json``
(``reportqa.ui.schema``). Adding and removing need ``Authorization: Bearer
<token>`` when a token is set (``REPORTQA_API_TOKEN``; the app refuses to
listen beyond loopback without one) and are refused in a read-only app; a
change another ingest holds gets 409 (or waits ``?wait=SECONDS``).
"""

from __future__ import annotations

import hmac
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from reportqa.errors import IndexBusy, IndexUnusable, ReportqaError
from reportqa.records import Answer
from reportqa.search.hybrid import SearchFilters
from reportqa.ui.answering import Event, Evidence, Waiting, answer_events, asking
from reportqa.ui.handlers import GeneratorPool
from reportqa.ui.library import Library, LibraryError, Upload
from reportqa.ui.schema import AnswerRecord, ChangeRecord, DocumentList, SearchRecord, search_record

PREFIX = "/api/v1"


class SearchRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="the question or search words")
    k: int = Field(10, ge=1, le=100, description="passages to return")
    place: str | None = Field(None, description="only reports of this place (广东 or 广东省, 嘉定, 全国)")
    year: int | None = Field(None, description="only reports of this year")
    doc_type: str | None = Field(None, description="only this document type (政府工作报告, …)")
    literal: bool = Field(False, description="search the words as given: no place/comparison reading")


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    history: list[str] = Field([], max_length=20, description="earlier questions, for a follow-up (那青浦呢？)")
    generator: str | None = Field(None, description="local, openai or extractive (default: the app's)")
    place: str | None = None
    year: int | None = None
    doc_type: str | None = None


class Health(BaseModel):
    status: str
    generation: int | None
    documents: int
    passages: int
    generator: str
    read_only: bool


def build_api(library: Library, generators: GeneratorPool, read_only: bool = False) -> FastAPI:
    """The API app over ``library`` (mounted at ``PREFIX`` by ``reportqa.ui.server``).

    Args:
        library: the reports served and changed.
        generators: the answer writers, shared with the chat (one answer at a time).
        read_only: refuse adding and removing.
    """
    api = FastAPI(title="reportqa API", version="1",
                  description="Search Chinese government reports and get answers whose figures are checked "
                              "against the passages they cite.", docs_url=None, redoc_url=None)
    api.add_exception_handler(ReportqaError, _refused)
    _reading_routes(api, library, read_only)
    _answer_routes(api, library, generators)
    _change_routes(api, library, read_only)
    return api


async def _refused(_request: Request, error: Exception) -> JSONResponse:
    """A ReportqaError as JSON: 409 for a busy index (retry or ``?wait=``), 400 for a change that cannot be
    done, 503 for an unusable index, 422 for other bad input."""
    if isinstance(error, IndexBusy):
        detail = str(error).split(":")[0] + ": retry when it is done, or add ?wait=SECONDS to wait for it"
        return JSONResponse({"detail": detail}, status_code=409, headers={"Retry-After": "5"})
    status = 400 if isinstance(error, LibraryError) else 503 if isinstance(error, IndexUnusable) else 422
    return JSONResponse({"detail": str(error)}, status_code=status)


def _reading_routes(api: FastAPI, library: Library, read_only: bool) -> None:
    @api.get("/health", response_model=Health)
    def health() -> dict[str, Any]:
        """Whether the app is up, and the index it serves."""
        index = library.current().index
        return {"status": "ok", "generation": index.manifest.get("generation"), "documents": len(index.documents),
                "passages": len(index.chunks), "generator": library.settings.generator, "read_only": read_only}

    @api.post("/search", response_model=SearchRecord)
    def search(request: SearchRequest) -> dict[str, Any]:
        """The passages that answer a question, best first (``python -m reportqa search --json``)."""
        filters = SearchFilters(request.place, request.year, request.doc_type)
        return search_record(library.current().retriever, request.question, request.k, filters, request.literal)

    @api.get("/search", response_model=SearchRecord, summary="Search (query parameters)")
    def search_get(q: Annotated[str, Query(min_length=1, max_length=2000)], k: Annotated[int, Query(ge=1, le=100)] = 10,
                   place: str | None = None, year: int | None = None, doc_type: str | None = None) -> dict[str, Any]:
        """As ``POST /search``, for a link or ``curl``: ``/api/v1/search?q=…&k=5``."""
        return search(SearchRequest(question=q, k=k, place=place, year=year, doc_type=doc_type))

    @api.get("/documents", response_model=DocumentList)
    def documents() -> dict[str, Any]:
        """Every indexed report (``python -m reportqa documents list --json``)."""
        return {"documents": library.documents()}


def _answer_routes(api: FastAPI, library: Library, generators: GeneratorPool) -> None:
    @api.post("/ask", response_model=AnswerRecord)
    def ask(request: AskRequest) -> dict[str, Any]:
        """A checked answer with its citations (``python -m reportqa ask --json``)."""
        answer = None
        for update in _answer_updates(library, generators, request):
            answer = update
        assert isinstance(answer, Answer)
        return answer.to_json()

    @api.post("/ask/stream", response_class=StreamingResponse,
              responses={200: {"content": {"text/event-stream": {}},
                               "description": "`event: passages` with the passages found (as citations), "
                                              "`event: waiting` with `{\"ahead\"}` while the local model answers "
                                              "others, `event: draft` with `{\"text\"}` while the generator "
                                              "writes, then `event: answer` with the AnswerRecord (or "
                                              "`event: error`)"}})
    def ask_stream(request: AskRequest) -> StreamingResponse:
        """The answer as server-sent events: the unchecked draft as it grows, then the checked answer."""
        updates = _answer_updates(library, generators, request)
        next(updates)  # a bad generator name fails here, as a 4xx, before the stream starts
        return StreamingResponse(_events(updates), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


_UPLOAD_BODY = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}


def _change_routes(api: FastAPI, library: Library, read_only: bool) -> None:
    settings = library.settings

    def may_change(request: Request) -> None:
        if read_only:
            raise HTTPException(403, "this app is read-only: adding and removing reports is turned off")
        if settings.api_token:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), settings.api_token.encode()):
                raise HTTPException(401, "adding and removing reports needs `Authorization: Bearer <token>` "
                                         "with the app's REPORTQA_API_TOKEN", {"WWW-Authenticate": "Bearer"})

    @api.post("/documents", response_model=ChangeRecord, dependencies=[Depends(may_change)],
              openapi_extra=_UPLOAD_BODY)
    async def add(request: Request, wait: Annotated[float, Query(ge=0, le=3600)] = 0.0) -> dict[str, Any]:
        """Add report files (multipart field ``files``, repeatable); each gets its own outcome. 413 for a
        file over the size limit, 400 for too many files, 409 while another change runs (``?wait=``)."""
        folder = tempfile.mkdtemp(prefix="reportqa-upload-")
        try:
            uploads = await _received(request, folder, settings.max_upload_files, settings.max_file_mb)
            change = await run_in_threadpool(library.add, uploads, True, wait)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return change.to_json()

    @api.delete("/documents/{key}", response_model=ChangeRecord, dependencies=[Depends(may_change)])
    def remove(key: str, wait: Annotated[float, Query(ge=0, le=3600)] = 0.0) -> dict[str, Any]:
        """Remove a report by ``doc_id``, ``source_id`` or file name: its whole file leaves the index."""
        return library.remove([key], wait).to_json()


def _answer_updates(library: Library, generators: GeneratorPool, request: AskRequest) -> Iterator[Event | None]:
    """None (the request was accepted), then the passages, the place in the local model's line, the draft
    as it grows and the Answer, from one index (the library's current one) throughout."""
    answerer = library.current().answerer
    choice = generators.get(request.generator or generators.settings.generator)  # InputError → 422
    filters = SearchFilters(request.place, request.year, request.doc_type)

    def answer(lined, on_token, on_passages) -> Answer:
        return answerer.ask(request.question, lined, request.history, filters, on_token, choice.note, on_passages)

    yield None
    yield from answer_events(asking(answer, choice.generator, generators.line))


def _events(updates: Iterator[Event | None]) -> Iterator[str]:
    """Server-sent events of a streamed answer: ``passages``, ``waiting``, ``draft``, then ``answer``."""
    try:
        for update in updates:
            if isinstance(update, Answer):
                yield _event("answer", update.to_json())
            elif isinstance(update, Evidence):
                yield _event("passages", {"passages": [hit.citation_json(n)
                                                       for n, hit in enumerate(update.passages, start=1)]})
            elif isinstance(update, Waiting):
                yield _event("waiting", {"ahead": update.ahead})
            elif update:
                yield _event("draft", {"text": update})
    except Exception as error:  # noqa: BLE001 — the stream has begun: say why it ends
        yield _event("error", {"detail": str(error) or type(error).__name__})


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _received(request: Request, folder: str, max_files: int, max_mb: int) -> list[Upload]:
    """The request's files, saved in ``folder`` under their own names.

    Raises:
        HTTPException: 413 when the request or a file is over the size limit, 400 when there are too many
            files or none.
    """
    length = int(request.headers.get("content-length") or 0)
    if length > max_files * max_mb * 2**20 + 2**20:
        raise HTTPException(413, f"the upload is {length / 2**20:.0f} MB: at most {max_files} files of "
                                 f"{max_mb} MB each may be added at once")
    try:
        form = await request.form(max_files=max_files, max_fields=10)
    except Exception as error:  # noqa: BLE001 — Starlette says "Too many files…" and the like
        raise HTTPException(400, f"{error} (at most {max_files} files at once: REPORTQA_MAX_UPLOAD_FILES)") from error
    files = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
    if not files:
        raise HTTPException(400, "no files: send the reports as multipart form field `files`")
    uploads = []
    for number, item in enumerate(files):
        name = os.path.basename(item.filename or f"report-{number}")
        if (item.size or 0) > max_mb * 2**20:
            raise HTTPException(413, f"{name}: {item.size / 2**20:.1f} MB is over the {max_mb} MB limit "
                                     "(REPORTQA_MAX_FILE_MB)")
        path = os.path.join(folder, f"{number}-{name}")
        with open(path, "wb") as handle:
            shutil.copyfileobj(item.file, handle)
        uploads.append(Upload(path, name))
    await form.close()
    return uploads
