"""One web server for the pages and the JSON API: a FastAPI app with the API at ``/api/v1`` and the
Gradio pages at ``/``, served by uvicorn.

``exposure_problem`` is the rule for where the app may listen: on loopback
anything goes; beyond it, adding and removing reports need a token
(``REPORTQA_API_TOKEN``) unless the app is read-only or told explicitly to
go without one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr
import uvicorn
from fastapi import FastAPI

from reportqa.ui.api import PREFIX, build_api
from reportqa.ui.handlers import GeneratorPool
from reportqa.ui.library import Library, is_loopback
from reportqa.ui.web import LAUNCH_OPTIONS, build_app


def build_server(library: Library, generators: GeneratorPool | None = None, read_only: bool = False) -> FastAPI:
    """The pages and the API over one library, sharing its index and the generators."""
    generators = generators or GeneratorPool(library.settings)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount(PREFIX, build_api(library, generators, read_only))
    demo = build_app(library, generators, read_only).queue()
    return gr.mount_gradio_app(app, demo, path="", **LAUNCH_OPTIONS)


def exposure_problem(host: str, token: str, read_only: bool, unprotected: bool) -> str | None:
    """Why the app must not listen on ``host`` as configured, or None."""
    if is_loopback(host) or token or read_only or unprotected:
        return None
    return (f"listening on {host} lets anyone who reaches it add and remove reports: set REPORTQA_API_TOKEN "
            "(adding and removing then need it), or pass --read-only, or --unprotected to allow it anyway")


@contextmanager
def running(app: FastAPI, host: str, port: int) -> Iterator[str]:
    """Serve ``app`` in a background thread until the block ends; yields its URL."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on {host}:{port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` until interrupted."""
    uvicorn.run(app, host=host, port=port, log_level="warning")
