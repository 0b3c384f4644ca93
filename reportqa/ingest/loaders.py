"""Read report files (txt, html, pdf, docx) into decoded text.

Each loader returns a ``SourceText`` whose ``text`` every later offset points
into. For ``.txt`` that is the decoded file itself; for html, pdf and docx it
is the text this module extracts, which is deterministic, so offsets stay valid
as long as the file does not change.

A file that cannot be read raises ``LoadError`` naming the file, the reason and
the fix; the ingest pipeline reports it and goes on with the other files. So is
a hostile one: a file over ``FileLimits`` is refused unread (a .docx unzipped),
and whatever a parser raises on a malformed file becomes a ``LoadError``.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from reportqa.errors import LoadError
from reportqa.records import SourceText
from reportqa.settings import Settings

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")

# Chinese government files come in UTF-8 or the GB family; GB18030 is the
# superset of GB2312 and GBK, so decoding with it never loses characters.
_GB_FAMILY = {"gb2312", "gbk", "gb18030"}
# A PDF page with fewer extractable characters than this has no text layer.
_MIN_CHARS_PER_PDF_PAGE = 20
_MB = 1024 * 1024
# A .docx part of 1 MB or more unzipping to over this many times its stored size is a zip bomb: the XML
# of real documents deflates about 5-20 to 1, and deflate itself cannot pass about 1032 to 1.
_MAX_COMPRESSION_RATIO = 200
_RATIO_CHECKED_FROM = _MB
# A visible character: not whitespace (U+3000 and NBSP included), control, BOM or zero-width/format character.
_VISIBLE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\xad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
# HTML: elements whose content is not report text, elements ending a line, the page's main text (best first).
_DROPPED_TAGS = frozenset({"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br"})
_MAIN_TAGS = ("article", "main", "body")


@dataclass(frozen=True)
class FileLimits:
    """The largest report file accepted; the defaults are the settings' (``REPORTQA_MAX_FILE_MB`` and the like)."""

    max_file_bytes: int = Settings.max_file_mb * _MB  # the largest file read at all
    max_docx_bytes: int = Settings.max_docx_mb * _MB  # the most a .docx may unzip to, all parts together
    max_pdf_pages: int = Settings.max_pdf_pages

    @classmethod
    def from_settings(cls, settings: Settings) -> FileLimits:
        """The limits ``settings`` sets (its ``max_file_mb``, ``max_docx_mb`` and ``max_pdf_pages``)."""
        return cls(settings.max_file_mb * _MB, settings.max_docx_mb * _MB, settings.max_pdf_pages)


def load_source(path: str | Path, limits: FileLimits | None = None) -> SourceText:
    """Read ``path`` and return its decoded text.

    Args:
        path: the report file.
        limits: the size limits; the default settings' when None.

    Raises:
        LoadError: the file is missing, empty, blank, binary, corrupt, over a
            size limit, of an unsupported type, or a PDF without a text layer.
    """
    path = Path(path)
    limits = limits or FileLimits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"unsupported file type '{suffix}'; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    data = _read_within(path, limits.max_file_bytes)
    if not data.strip():
        raise LoadError(path, "the file is empty; remove it or replace it with the report's text")
    if suffix == ".pdf":
        return _load_pdf(path, data, limits.max_pdf_pages)
    if suffix == ".docx":
        return _load_docx(path, data, limits.max_docx_bytes)
    text, encoding = decode_text(path, data)
    if suffix in (".html", ".htm"):
        return SourceText(str(path), _html_text(path, text), f"html/{encoding}")
    if not holds_text(text):
        raise LoadError(path, "the file holds no text, only whitespace or invisible characters; remove it or "
                              "replace it with the report's text")
    return SourceText(str(path), text, encoding)


def holds_text(text: str) -> bool:
    """True when ``text`` has a visible character, not only (full-width) spaces, BOMs or zero-width characters."""
    return _VISIBLE.search(text) is not None


def _read_within(path: Path, limit: int) -> bytes:
    """The file's bytes, its size checked before it is opened (and the read bounded, should it grow meanwhile)."""
    try:
        size = os.stat(path).st_size
        data = b""
        if size <= limit:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as error:
        raise LoadError(path, f"cannot read the file ({error.strerror})") from error
    size = max(size, len(data))
    if size > limit:
        raise LoadError(path, f"the file is {_size(size)}, over the {_size(limit)} limit (REPORTQA_MAX_FILE_MB): "
                              "split it or raise the limit")
    return data


def _size(count: int) -> str:
    """A byte count as people read it: 212 MB, 3.4 MB, 12 KB, 800 bytes."""
    for unit, scale in (("MB", _MB), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _unreadable(path: Path, kind: str, error: Exception, fix: str) -> LoadError:
    """The ``LoadError`` for whatever a parser raised on a malformed or hostile file."""
    return LoadError(path, f"corrupt or unreadable {kind} ({type(error).__name__}: {str(error)[:200]}); {fix}")


def decode_text(path: str | Path, data: bytes) -> tuple[str, str]:
    """Decode text bytes: UTF-8 (with or without BOM), else the detected charset.

    Returns:
        The text and the name of the encoding used.
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(path, "binary file, not text; convert it to .txt, .pdf or .docx first")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(text):
            raise LoadError(path, "binary file, not text; convert it to .txt, .pdf or .docx first")
        return text, "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError(path, "cannot detect the text encoding; save the file as UTF-8")
    encoding = best.encoding.lower().replace("_", "")
    if encoding in _GB_FAMILY or encoding == "cp936":
        encoding = "gb18030"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text, encoding = str(best), best.encoding
    if _looks_binary(text):
        raise LoadError(path, "binary file, not text; convert it to .txt, .pdf or .docx first")
    return text, encoding


def _looks_binary(text: str) -> bool:
    """True when more than 5% of the characters are control or unassigned."""
    sample = text[:20000]
    odd = sum(
        1 for ch in sample
        if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn")
    )
    return odd > 0.05 * max(1, len(sample))


def html_main_text(html: str) -> str:
    """The readable text of an HTML page: no scripts, styles, navigation or forms.

    The text of the first ``<article>``, else ``<main>``, else ``<body>``, else
    the whole page; a line ends after each block element (p, div, li, h1-h6,
    tr, br), lines stripped, empty ones dropped. lxml reports elements to
    ``_MainTextTarget`` as it reads and builds no tree, so the time is linear
    in the size of the page however deep its nesting (BeautifulSoup's was quadratic).
    """
    from lxml import etree

    parser = etree.HTMLParser(target=_MainTextTarget(), no_network=True)
    parser.feed(html)
    lines = (line.strip() for line in parser.close().splitlines())
    return "\n".join(line for line in lines if line)


class _MainTextTarget:
    """An lxml parser target keeping the text of the first article, main and body, and of the whole page.

    lxml calls ``end`` for every ``start``, implied ones included, so counting open elements places the text."""

    def __init__(self) -> None:
        self.dropping = 0  # open elements inside a dropped one, itself included
        self.open = dict.fromkeys(_MAIN_TAGS, 0)  # open elements of this name inside its first one
        self.seen: set[str] = set()
        self.parts: dict[str, list[str]] = {name: [] for name in (*_MAIN_TAGS, "page")}

    def start(self, tag: str, attrib: dict) -> None:
        if self.dropping or tag in _DROPPED_TAGS:
            self.dropping += 1
        elif tag in self.open and (self.open[tag] or tag not in self.seen):
            self.open[tag] += 1
            self.seen.add(tag)

    def end(self, tag: str) -> None:
        if self.dropping:
            self.dropping -= 1
            return
        if tag in _BLOCK_TAGS:
            self.data("\n")
        if self.open.get(tag):
            self.open[tag] -= 1

    def data(self, text: str) -> None:
        if self.dropping:
            return
        self.parts["page"].append(text)
        for name, depth in self.open.items():
            if depth:
                self.parts[name].append(text)

    def close(self) -> str:
        chosen = next((name for name in _MAIN_TAGS if name in self.seen), "page")
        return "".join(self.parts[chosen])


def _html_text(path: Path, html: str) -> str:
    try:
        text = html_main_text(html)
    except Exception as error:  # noqa: BLE001 - whatever lxml raises on a hostile page is this file's problem
        raise _unreadable(path, "HTML", error, "save the page's text as .txt") from error
    if not holds_text(text):
        raise LoadError(path, "the page holds no text outside scripts, navigation and forms; save the report's "
                              "text as .txt")
    return text


def _load_pdf(path: Path, data: bytes, max_pages: int) -> SourceText:
    from pypdf import PdfReader

    fix = "re-export it or convert it to text"
    try:
        reader = PdfReader(io.BytesIO(data))
        count = len(reader.pages)
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on a malformed file
        raise _unreadable(path, "PDF", error, fix) from error
    if count > max_pages:
        raise LoadError(path, f"the PDF has {count} pages, over the {max_pages}-page limit (REPORTQA_MAX_PDF_PAGES): "
                              "split it or raise the limit")
    try:
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as error:  # noqa: BLE001 - as above, for a page's content
        raise _unreadable(path, "PDF", error, fix) from error
    text = "\n\n".join(pages)
    if len("".join(text.split())) < _MIN_CHARS_PER_PDF_PAGE * max(1, len(pages)):
        raise LoadError(path, "the PDF has no text layer (a scan); run OCR on it first, e.g. ocrmypdf")
    return SourceText(str(path), text, "pdf")


def _load_docx(path: Path, data: bytes, max_unzipped: int) -> SourceText:
    import docx

    _refuse_zip_bomb(path, data, max_unzipped)
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.append(" ".join(cell.text for cell in row.cells))
    except Exception as error:  # noqa: BLE001 - python-docx and lxml raise many kinds (a huge text node, say)
        raise _unreadable(path, ".docx", error, "re-save it from the word processor or save it as .txt") from error
    text = "\n\n".join(paragraph for paragraph in paragraphs if paragraph.strip())
    if not holds_text(text):
        raise LoadError(path, "the .docx holds no text")
    return SourceText(str(path), text, "docx")


def _refuse_zip_bomb(path: Path, data: bytes, max_unzipped: int) -> None:
    """Refuse a .docx whose parts declare more than ``max_unzipped`` bytes in all, or one absurdly compressed:
    zipfile never yields more than a part's declared size, so this bounds what python-docx unzips into memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception as error:  # noqa: BLE001 - zipfile raises many kinds on a malformed archive
        raise _unreadable(path, ".docx", error, "re-save it from the word processor") from error
    unzipped = sum(part.file_size for part in parts)
    if unzipped > max_unzipped:
        raise LoadError(path, f"the .docx unzips to {_size(unzipped)}, over the {_size(max_unzipped)} limit "
                              "(REPORTQA_MAX_DOCX_MB): split it, save it as .txt or raise the limit")
    for part in parts:
        ratio = part.file_size / max(1, part.compress_size)
        if part.file_size >= _RATIO_CHECKED_FROM and ratio > _MAX_COMPRESSION_RATIO:
            raise LoadError(path, f"its part {part.filename} unzips to {_size(part.file_size)}, {ratio:.0f} times "
                                  f"its stored size (over {_MAX_COMPRESSION_RATIO}): a zip bomb, not a document; "
                                  "re-save it from the word processor")
