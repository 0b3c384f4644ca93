"""The package's layout rules: imports point one way, modules and functions stay small, text rules live once."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reportqa"
# Stages in data-flow order; a module may import its own stage and those before it.
STAGES = {"ingest": 1, "indexing": 2, "search": 3, "answer": 4, "ui": 5, "__main__": 5}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def stage(module: str) -> int:
    """0 for the shared base (settings, errors, records, text, places), else the stage's place."""
    parts = module.split(".")
    return STAGES.get(parts[1], 0) if len(parts) > 1 else 0


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported_modules(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reportqa"):
            found += [f"{node.module}.{alias.name}" if node.module == "reportqa" else node.module for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("reportqa")]
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_there_are_modules_to_check():
    assert {path.parent.name for path in SOURCES} >= {"reportqa", *[name for name in STAGES if name != "__main__"]}


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_point_from_later_stages_to_earlier_ones(path):
    importer = module_name(path)
    upward = [name for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
              if stage(name) > stage(importer)]
    assert not upward, f"{importer} (stage {stage(importer)}) imports a later stage: {upward}"


def test_the_stage_rule_catches_an_upward_import():
    tree = ast.parse("from reportqa.answer.verify import verify\nimport reportqa.ui.cli")
    assert [stage(name) > stage("reportqa.search.hybrid") for name in imported_modules(tree)] == [True, True]


EVERY_MODULE = [*SOURCES, ROOT / "app.py", ROOT / "ingest.py", *sorted((ROOT / "eval").glob("*.py")),
                *sorted((ROOT / "tests").glob("*.py"))]


@pytest.mark.parametrize("path", EVERY_MODULE, ids=lambda path: str(path.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


# Written once, in reportqa/text.py: the year pattern and the sentence-end character class.
ONE_HOME_RULES = (r"(?:19|20)\d{2}", r"\d{4}", "[^。", "！？")


@pytest.mark.parametrize("rule", ONE_HOME_RULES)
def test_text_rules_are_written_once(rule):
    homes = [str(path.relative_to(ROOT)) for path in EVERY_MODULE
             if path.name != "test_layout.py" and rule in path.read_text(encoding="utf-8")]
    assert set(homes) <= {"reportqa/text.py"}, f"{rule!r} is written outside reportqa/text.py: {homes}"
