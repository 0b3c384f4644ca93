"""docs/configuration.md shows the settings as settings.py describes them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from reportqa.settings import Settings, configuration_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
START = "<!-- settings table: python -m reportqa.settings -->"
END = "<!-- end settings table -->"


def _documented_table() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, f"{DOC.name} needs one {START} … {END} block"
    block = text.split(START, 1)[1].split(END, 1)[0]
    return block.strip("\n") + "\n"


def test_configuration_doc_holds_the_generated_table():
    assert _documented_table() == configuration_table(), (
        "docs/configuration.md is out of date: replace the table between its markers "
        "with the output of `python -m reportqa.settings`")


def test_every_setting_has_a_one_line_description():
    for spec in fields(Settings):
        description = spec.metadata.get("description", "")
        assert description.strip(), f"{spec.name} has no description"
        assert "\n" not in description, f"{spec.name}'s description is more than one line"
