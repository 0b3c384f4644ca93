"""What a user waits for in the browser: ``python -m eval.bench_page [--index DIR] [-n N] [--generator NAME]``.

Serves the app (pages and API) over the index in this process, with the
generator the chat uses (default: the local model, loaded before timing),
opens the chat page in headless chromium and asks the first N questions of
``eval/questions.jsonl`` one after another, as a user would. A
``MutationObserver`` in the page records, on the page's own clock, when each
answer's parts first appear after the send button is clicked: the passages
(``.rq-evidence``), the first words of the draft (``.rq-draft``) and the
verified answer (``.rq-answer``, or a refusal, notice or error). Prints the
median and p90 of each, and writes ``eval/results/bench_page.{json,md}``.

Run it on an idle machine (the model and chromium share the two cores with
nothing else); ``make browser`` installs chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path

from eval.ingest_stats import percentile
from reportqa.answer.generation import GENERATORS
from reportqa.search.hybrid import SearchIndex
from reportqa.settings import Settings
from reportqa.ui.handlers import GeneratorPool
from tests.browser import TIMEOUT_MS, app_on, browser_session, open_app_page, serve

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MARKS = {"passages": ".rq-evidence", "draft": ".rq-draft", "answer": ".rq-answer, .rq-notice, .rq-error"}

# Records, per mark, the milliseconds from this call to the first time its selector matched, with text,
# inside the turn the next question adds.
OBSERVE_JS = """
(marks) => {
  const chat = document.querySelector('#rq-chat');
  const before = chat.querySelectorAll('section.rq-turn').length;
  window.__rqSeen = {};
  window.__rqStart = performance.now();
  const look = () => {
    const turns = chat.querySelectorAll('section.rq-turn');
    const turn = turns.length > before ? turns[turns.length - 1] : null;
    if (!turn) return;
    for (const [name, selector] of Object.entries(marks)) {
      const found = turn.querySelector(selector);
      if (!(name in window.__rqSeen) && found && found.textContent.trim()) {
        window.__rqSeen[name] = performance.now() - window.__rqStart;
      }
    }
  };
  window.__rqObserver && window.__rqObserver.disconnect();
  window.__rqObserver = new MutationObserver(look);
  window.__rqObserver.observe(chat, {childList: true, subtree: true, characterData: true});
}
"""


def ask_timed(page, question: str) -> dict[str, float | None]:
    """Send ``question`` and wait for its answer; seconds from the click to each mark (None if never seen)."""
    page.locator("#rq-ask textarea").fill(question)
    page.evaluate(OBSERVE_JS, MARKS)
    page.locator("#rq-send").click()
    page.wait_for_function("() => 'answer' in (window.__rqSeen || {})", timeout=TIMEOUT_MS * 4)
    seen = page.evaluate("() => window.__rqSeen")
    return {name: round(seen[name] / 1000, 3) if name in seen else None for name in MARKS}


def summary(rows: list[dict]) -> dict[str, dict[str, float | None]]:
    result = {}
    for name in MARKS:
        values = sorted(row[name] for row in rows if row[name] is not None)
        result[name] = {"median": round(statistics.median(values), 2) if values else None,
                        "p90": round(percentile(values, 0.9), 2) if values else None,
                        "seen": len(values)}
    return result


def report(figures: dict[str, dict[str, float | None]], count: int, generator: str) -> str:
    lines = ["| seconds after asking | median | p90 | seen in |", "| --- | --- | --- | --- |"]
    for name, values in figures.items():
        lines.append(f"| {name} | {values['median']} | {values['p90']} | {values['seen']}/{count} |")
    lines.append(f"\ngenerator: {generator}; questions: {count}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("-n", type=int, default=8, help="questions to ask (default 8)")
    parser.add_argument("--generator", choices=GENERATORS, default="local")
    args = parser.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = Settings.from_env(index_dir=args.index, generator=args.generator)
    index = SearchIndex.open(settings)
    index.warm_up()
    generators = GeneratorPool(settings)
    note = generators.get(args.generator).note
    if note:
        raise SystemExit(f"error: {note}")
    questions = [json.loads(line)["question"] for line in (HERE / "questions.jsonl").read_text(encoding="utf-8")
                 .splitlines() if line.strip()][:args.n]
    rows = []
    with serve(app_on(index, generators)) as url, browser_session() as browser, open_app_page(browser, url) as page:
        for question in questions:
            rows.append({"question": question, **ask_timed(page, question)})
            print(rows[-1], flush=True)
    figures = summary(rows)
    text = report(figures, len(rows), args.generator)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_page.json").write_text(json.dumps({"summary": figures, "rows": rows}, ensure_ascii=False,
                                                        indent=1) + "\n", encoding="utf-8")
    (RESULTS / "bench_page.md").write_text("# In the browser: seconds from asking to each part of the answer\n\n"
                                           + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
