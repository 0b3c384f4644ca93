"""Read report files (txt, html, pdf, docx) into decoded text.

Each loader returns a ``SourceText`` whose ``text`` every later offset points
into. For ``.txt`` that is the decoded file itself; for html, pdf and docx it
is the text this module extracts, which is deterministic, so offsets stay valid
as long as the file does not change.

A file that cannot be read raises ``LoadError`` naming the file, the reason and
the fix; the ingest pipeline reports it and goes on with the other files.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from reportqa.errors import LoadError
from reportqa.records import SourceText

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")

# Chinese government files come in UTF-8 or the GB family; GB18030 is the
# superset of GB2312 and GBK, so decoding with it never loses characters.
_GB_FAMILY = {"gb2312", "gbk", "gb18030"}
# A PDF page with fewer extractable characters than this has no text layer.
_MIN_CHARS_PER_PDF_PAGE = 20


def load_source(path: str | Path) -> SourceText:
    """Read ``path`` and return its decoded text.

    Raises:
        LoadError: the file is missing, empty, binary, corrupt, of an
            unsupported type, or a PDF without a text layer.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"unsupported file type '{suffix}'; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(path, f"cannot read the file ({error.strerror})") from error
    if not data.strip():
        raise LoadError(path, "the file is empty; remove it or replace it with the report's text")
    if suffix == ".pdf":
        return _load_pdf(path, data)
    if suffix == ".docx":
        return _load_docx(path, data)
    text, encoding = decode_text(path, data)
    if suffix in (".html", ".htm"):
        return SourceText(str(path), html_main_text(text), f"html/{encoding}")
    return SourceText(str(path), text, encoding)


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
    """The readable text of an HTML page: no scripts, styles or navigation."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for block in root.find_all(["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br"]):
        block.insert_after("\n")
    lines = (line.strip() for line in root.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def _load_pdf(path: Path, data: bytes) -> SourceText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise LoadError(path, f"corrupt or unreadable PDF ({error}); re-export it or convert it to text") from error
    text = "\n\n".join(pages)
    if len("".join(text.split())) < _MIN_CHARS_PER_PDF_PAGE * max(1, len(pages)):
        raise LoadError(path, "the PDF has no text layer (a scan); run OCR on it first, e.g. ocrmypdf")
    return SourceText(str(path), text, "pdf")


def _load_docx(path: Path, data: bytes) -> SourceText:
    from zipfile import BadZipFile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (BadZipFile, KeyError, ValueError) as error:
        raise LoadError(path, f"corrupt or unreadable .docx ({error}); re-save it from the word processor") from error
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" ".join(cell.text for cell in row.cells))
    text = "\n\n".join(paragraph for paragraph in paragraphs if paragraph.strip())
    if not text.strip():
        raise LoadError(path, "the .docx holds no text")
    return SourceText(str(path), text, "docx")
