"""The JSON HTTP API (reportqa.ui.api) on the small index, with the fake embedder and the extractive generator."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from conftest import COUNTY_REPORT, write_docx, writer_held
from fakes import BigramEmbedder
from fastapi.testclient import TestClient

from reportqa.search.hybrid import SearchFilters
from reportqa.settings import Settings
from reportqa.ui.api import build_api
from reportqa.ui.handlers import GeneratorPool
from reportqa.ui.library import Library
from reportqa.ui.schema import AnswerRecord, SearchRecord, search_record
from reportqa.ui.server import exposure_problem

QUESTION = "嘉定2020年新增了多少张养老床位？"
COUNTY_QUESTION = "婺源县2023年接待游客多少人次？"
TOKEN = "s3cret-token"


def client_for(index: Path, read_only: bool = False, **overrides) -> tuple[TestClient, Library]:
    settings = Settings.from_env(index_dir=str(index), relevance_threshold=0.0, generator="extractive", **overrides)
    library = Library(settings, BigramEmbedder())
    return TestClient(build_api(library, GeneratorPool(settings), read_only)), library


@pytest.fixture
def county_docx(tmp_path) -> Path:
    return write_docx(tmp_path / "incoming" / "婺源县2024年政府工作报告.docx", COUNTY_REPORT)


def upload(client: TestClient, *paths: Path, token: str | None = TOKEN, wait: float = 0.0):
    files = [("files", (path.name, path.read_bytes())) for path in paths]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/documents?wait={wait}", files=files, headers=headers)


def test_search_is_the_command_lines_record(small_index):
    client, library = client_for(small_index)
    posted = client.post("/search", json={"question": QUESTION, "k": 3})
    got = client.get("/search", params={"q": QUESTION, "k": 3})
    assert posted.status_code == got.status_code == 200
    expected = search_record(library.current().retriever, QUESTION, 3, SearchFilters())
    assert posted.json() == got.json() == json.loads(json.dumps(expected))
    SearchRecord.model_validate(posted.json())
    assert "774" in posted.json()["hits"][0]["text"]
    filtered = client.post("/search", json={"question": QUESTION, "place": "松江", "k": 3}).json()
    assert {hit["place"] for hit in filtered["hits"]} == {"松江区"}
    assert client.post("/search", json={"question": "", "k": 3}).status_code == 422
    assert client.post("/search", json={"question": QUESTION, "k": 0}).status_code == 422


def test_ask_answers_with_a_checked_citation(small_index):
    client, _ = client_for(small_index)
    response = client.post("/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = AnswerRecord.model_validate(response.json())
    assert "774" in answer.answer and not answer.refused
    assert answer.citations and "774" in answer.citations[0].text
    refused = client.post("/ask", json={"question": "嘉定2020年的新能源汽车产量是多少？", "place": "松江"}).json()
    assert refused["refused"] or "774" not in refused["answer"]
    assert client.post("/ask", json={"question": QUESTION, "generator": "nonsense"}).status_code == 422


def test_ask_streams_the_passages_the_draft_then_the_checked_answer(small_index):
    client, _ = client_for(small_index)
    with client.stream("POST", "/ask/stream", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    events = [(block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1].removeprefix("data: ")))
              for block in body.strip().split("\n\n")]
    names = [name for name, _ in events]
    assert names[0] == "passages" and names[-1] == "answer" and set(names[1:-1]) == {"draft"}
    assert "774" in events[0][1]["passages"][0]["text"]
    assert "774" in events[-1][1]["answer"] and events[-1][1]["citations"]
    plain = client.post("/ask", json={"question": QUESTION}).json()
    assert events[-1][1]["answer"] == plain["answer"]


def test_health_and_openapi(small_index):
    client, _ = client_for(small_index)
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] == 2 and health["passages"] > 0
    spec = client.get("/openapi.json").json()
    assert {"/search", "/ask", "/ask/stream", "/documents", "/documents/{key}", "/health"} <= set(spec["paths"])
    assert "HitRecord" in spec["components"]["schemas"] and "DocumentRecord" in spec["components"]["schemas"]


def test_adding_and_removing_need_the_token(small_index, county_docx):
    client, _ = client_for(small_index, api_token=TOKEN)
    assert upload(client, county_docx, token=None).status_code == 401
    assert upload(client, county_docx, token="wrong").status_code == 401
    assert client.delete("/documents/songjiang.txt").status_code == 401
    assert len(client.get("/documents").json()["documents"]) == 2  # listing needs no token

    added = upload(client, county_docx)
    assert added.status_code == 200, added.text
    [outcome] = added.json()["files"]
    assert outcome["indexed"] and outcome["documents"][0]["place"] == "婺源县" and outcome["passages"] > 0
    places = [entry["place"] for entry in client.get("/documents").json()["documents"]]
    assert "婺源县" in places
    answer = client.post("/ask", json={"question": COUNTY_QUESTION}).json()
    assert "2680" in answer["answer"] and answer["citations"]

    doc_id = outcome["documents"][0]["doc_id"]
    removed = client.delete(f"/documents/{doc_id}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert removed.status_code == 200 and removed.json()["removed"][0]["doc_id"] == doc_id
    assert client.post("/ask", json={"question": COUNTY_QUESTION}).json()["refused"]
    assert client.delete("/documents/nothing.txt", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 400


def test_a_read_only_app_refuses_changes(small_index, county_docx):
    client, _ = client_for(small_index, read_only=True)
    assert upload(client, county_docx, token=None).status_code == 403
    assert client.get("/health").json()["read_only"] is True


def test_an_oversized_or_crowded_upload_is_refused(small_index, tmp_path, county_docx):
    client, library = client_for(small_index, max_file_mb=1, max_upload_files=2)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 2**20))
    response = upload(client, big, token=None)
    assert response.status_code == 413 and "big.txt" in response.json()["detail"]
    crowded = upload(client, county_docx, county_docx, county_docx, token=None)
    assert crowded.status_code == 400 and "at most 2" in crowded.json()["detail"]
    assert len(library.documents()) == 2
    assert not Path(library.settings.upload_folder()).exists() or not any(Path(library.settings.upload_folder()).iterdir())


def test_a_second_upload_is_told_or_waits(small_index, county_docx):
    client, library = client_for(small_index)
    with writer_held(library.settings.index_dir) as release:
        busy = upload(client, county_docx, token=None)
        assert busy.status_code == 409 and "?wait=SECONDS" in busy.json()["detail"]
        assert busy.headers["retry-after"] == "5"
        threading.Timer(1.0, release.set).start()
        waited = upload(client, county_docx, token=None, wait=20)
    assert waited.status_code == 200 and waited.json()["files"][0]["indexed"]


def test_an_upload_while_questions_are_answered(small_index, county_docx):
    client, library = client_for(small_index)
    before = {entry["doc_id"] for entry in library.documents()}
    problems, answered, done = [], [], threading.Event()

    def ask_again() -> None:
        while not done.is_set():
            response = client.post("/ask", json={"question": QUESTION})
            if response.status_code != 200:
                problems.append(response.text)
                continue
            record = response.json()
            answered.append(record)
            if "774" not in record["answer"]:
                problems.append(record["answer"])

    askers = [threading.Thread(target=ask_again) for _ in range(2)]
    for asker in askers:
        asker.start()
    time.sleep(0.3)
    added = upload(client, county_docx, token=None)
    time.sleep(0.3)
    done.set()
    for asker in askers:
        asker.join()
    assert added.status_code == 200 and not problems and len(answered) > 2
    after = {entry["doc_id"] for entry in library.documents()}
    assert before < after
    cited = {citation["doc_id"] for record in answered for citation in record["citations"]}
    assert cited <= after


def test_the_app_refuses_to_listen_beyond_loopback_without_a_token():
    assert exposure_problem("127.0.0.1", "", False, False) is None
    assert "REPORTQA_API_TOKEN" in exposure_problem("0.0.0.0", "", False, False)
    assert exposure_problem("0.0.0.0", TOKEN, False, False) is None
    assert exposure_problem("0.0.0.0", "", True, False) is None
    assert exposure_problem("0.0.0.0", "", False, True) is None


def test_the_server_has_the_pages_and_the_api_and_gradio_documents_no_endpoints(shared_small_index):
    from browser import app_on

    from reportqa.search.hybrid import SearchIndex

    index = SearchIndex.open(Settings.from_env(index_dir=str(shared_small_index), generator="extractive"),
                             BigramEmbedder())
    with TestClient(app_on(index)) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/health").json()["documents"] == 2
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "reportqa API"
        info = client.get("/gradio_api/info").json()
        assert info == {"named_endpoints": {}, "unnamed_endpoints": {}}
