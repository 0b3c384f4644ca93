"""Answering for the pages and the API: the passages first, then the model's draft, then the checked answer.

``answer_events`` runs an answer in a worker thread and yields what happens
as it happens: ``Evidence`` (the passages the answer will be written from,
a fraction of a second after asking), ``Waiting`` (the local model is
answering others: how many are ahead), the draft as it grows, then the
``Answer``. ``ModelLine`` keeps the local model to one answer at a time, in
order of arrival, while searches, extractive answers and answers from an
online model never wait for it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reportqa.answer.generation import Generator
from reportqa.records import Answer, Hit
from reportqa.search.question import Understanding

# Generators that run in this process and answer one question at a time.
IN_PROCESS = frozenset({"local"})


@dataclass(frozen=True)
class Evidence:
    """The passages an answer is being written from, numbered as its citations will be."""

    passages: tuple[Hit, ...]


@dataclass(frozen=True)
class Waiting:
    """The answer waits for the local model: ``ahead`` answers come before it."""

    ahead: int


Event = str | Evidence | Waiting | Answer


class Cancelled(Exception):
    """The page or client that asked is gone: stop."""


class ModelLine:
    """One answer at a time on a model, in order of arrival; those waiting hear how many are ahead.

    A waiter that gives up (its ``on_wait`` raises) leaves the line without holding up the ones behind.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._next = 0
        self._serving = 0
        self._left: set[int] = set()

    @contextmanager
    def turn(self, on_wait: Callable[[int], None]) -> Iterator[None]:
        """Hold the model from when this caller's turn comes to the end of the block."""
        with self._changed:
            ticket, self._next = self._next, self._next + 1
            try:
                while ticket != self._serving:
                    on_wait(ticket - self._serving - len({t for t in self._left if t < ticket}))
                    self._changed.wait(0.5)
            except BaseException:
                self._left.add(ticket)
                raise
        try:
            yield
        finally:
            with self._changed:
                self._serving += 1
                while self._serving in self._left:
                    self._left.remove(self._serving)
                    self._serving += 1
                self._changed.notify_all()

    @property
    def waiting(self) -> int:
        """How many answers hold or wait for the model now."""
        with self._changed:
            return self._next - self._serving - len(self._left)


class InLine:
    """A generator that takes its turn on ``line`` before it writes (``on_wait`` hears the position)."""

    def __init__(self, generator: Generator, line: ModelLine, on_wait: Callable[[int], None]) -> None:
        self.name = generator.name
        self._generator = generator
        self._line = line
        self._on_wait = on_wait

    def stream(self, understanding: Understanding, passages: Sequence[Hit]) -> Iterator[str]:
        with self._line.turn(self._on_wait):
            yield from self._generator.stream(understanding, passages)


def answer_events(ask: Callable[[Callable[[Event], None]], Answer]) -> Iterator[Event]:
    """Run ``ask(tell)`` in a worker thread; yield what it tells (evidence, waiting, draft pieces joined
    into the draft so far), then the Answer. Raises what ``ask`` raised. Closing the iterator early (the
    page went away) makes the next thing the worker tells raise ``Cancelled``, which stops it."""
    events: queue.Queue[Any] = queue.Queue()
    outcome: dict[str, Any] = {}
    cancelled = threading.Event()
    done = object()

    def tell(event: Event) -> None:
        if cancelled.is_set():
            raise Cancelled
        events.put(event)

    def work() -> None:
        try:
            outcome["answer"] = ask(tell)
        except Exception as error:  # noqa: BLE001 — handed to the caller's thread, which shows it
            outcome["error"] = error
        finally:
            events.put(done)

    threading.Thread(target=work, name="answer", daemon=True).start()
    try:
        yield from _joined(events, done)
    finally:
        cancelled.set()
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["answer"]


def _joined(events: queue.Queue, done: object) -> Iterator[Event]:
    """The events until ``done``, draft pieces joined into the draft so far (one update for everything
    that arrived meanwhile)."""
    draft, waiting = "", None
    while True:
        arrived = [events.get()]
        while not events.empty():
            arrived.append(events.get_nowait())
        pieces = ""
        for event in arrived:
            if event is done:
                break
            if isinstance(event, str):
                pieces += event
            elif isinstance(event, Waiting) and event == waiting:
                continue  # still the same place in the line
            else:
                waiting = event if isinstance(event, Waiting) else waiting
                yield event
        if pieces:
            draft += pieces
            yield draft
        if arrived[-1] is done or done in arrived:
            return


def asking(answer: Callable[..., Answer], generator: Generator, line: ModelLine) -> Callable[[Callable], Answer]:
    """The ``ask`` for ``answer_events``: ``answer(generator, on_token, on_passages)`` with the generator put in
    the model's line when it runs in this process."""
    def ask(tell: Callable[[Event], None]) -> Answer:
        lined = InLine(generator, line, lambda ahead: tell(Waiting(ahead))) if generator.name in IN_PROCESS \
            else generator
        return answer(lined, tell, lambda passages: tell(Evidence(tuple(passages))))
    return ask
