"""Entry files: the type is read from the content, never from the name, and the file is
stored under a random name outside `static/` (see contest.files). Jurors open these files, so
each kind is also checked for what could harm them: DOCX and ODT are opened only through the
capped helper in contest.archives, a PDF must parse and carry no scripts, launch actions or
attachments, and text is served as plain text whatever it was called."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

import pypdf
from flask import Response, abort, current_app
from flask_babel import lazy_gettext as _l
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from contest import archives, files
from contest.errors import ServiceError
from contest.i18n import format_file_size

ENTRY_AREA = "entries"
# Content types we send back with a download, by the kind the content turned out to be
# (Werkzeug adds "; charset=utf-8" to a text type).
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A DOCX or ODT of at most 10 MB holds text and a few pictures: far below these caps.
OFFICE_LIMITS = archives.Limits(max_members=1000, max_member_bytes=50 * 1024 * 1024,
                                max_total_bytes=100 * 1024 * 1024, max_ratio=100)
# What pypdf may inflate while reading a PDF's structure (object and cross-reference streams).
PDF_MAX_INFLATED = 16 * 1024 * 1024
PDF_MAX_OBJECTS = 200_000
# Names that make a PDF act rather than show: scripts, launching programs, attached files,
# forms that post or run code, embedded media.
PDF_ACTIVE_NAMES = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/EF",
                              "/RichMedia", "/XFA", "/SubmitForm", "/ImportData", "/GoToE", "/Sound",
                              "/Movie", "/Rendition", "/FileAttachment"})
# The longer of those names, as bytes: too long to turn up by chance inside compressed data.
ACTIVE_BYTES = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
# Markup a browser would run if it ever rendered the file: a text entry is a poem, not a page.
MARKUP = re.compile(r"\A[\s\ufeff]*<[!?a-zA-Z]|<\s*(script|svg|html|iframe|object|embed)\b", re.IGNORECASE)
NOT_OUR_KIND = _l("Only PDF, DOCX, ODT and plain text (TXT) files are accepted; "
                  "this file's content is none of them.")


@dataclass(frozen=True)
class Upload:
    """A file as the user sent it: the name they gave it and its bytes."""

    filename: str
    data: bytes

    @property
    def safe_name(self) -> str:
        """The name offered back on download: no folders, no control characters, not empty."""
        name = PurePath(self.filename.replace("\\", "/")).name
        name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*').strip(". ")
        return name[:200] or "entry"


def sniff_kind(data: bytes) -> str | None:
    """'pdf', 'docx', 'odt' or 'txt' when the bytes are one of those, else None. A ZIP that is
    unsafe to open raises ServiceError with the reason."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "txt"


def _office_kind(data: bytes) -> str | None:
    try:
        archive = archives.open_zip(data, OFFICE_LIMITS)
    except archives.ArchiveRefused as refused:
        raise ServiceError(refused.message, "file") from None
    if "word/document.xml" in archive.names and "[Content_Types].xml" in archive.names:
        return "docx"
    mimetype = archive.read("mimetype", max_bytes=len(ODT_MIMETYPE) + 16)
    if mimetype is not None and mimetype.strip() == ODT_MIMETYPE:
        return "odt"
    return None


def check_entry_file(upload: Upload) -> str:
    """The file's kind, or a ServiceError saying why it is refused."""
    limit = current_app.config["ENTRY_FILE_MAX_BYTES"]
    if not upload.data:
        raise ServiceError(_l("The file is empty."), "file")
    if len(upload.data) > limit:
        raise ServiceError(_l("The file is too large: at most %(size)s.", size=format_file_size(limit)), "file")
    kind = sniff_kind(upload.data)
    if kind is None:
        raise ServiceError(NOT_OUR_KIND, "file")
    if kind == "pdf":
        _check_pdf(upload.data)
    if kind == "txt":
        _check_text(upload.data)
    return kind


def _check_pdf(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if end < 0 or data[end + len(b"%%EOF"):].strip() or archives.is_zip(data):
        raise ServiceError(_l("The PDF file is damaged or has other data attached after its end. "
                              "Save it again as PDF."), "file")
    try:
        with pypdf.apply_configuration(zlib_maximum_output_length=PDF_MAX_INFLATED,
                                       maximum_declared_stream_length=PDF_MAX_INFLATED,
                                       stream_decoding_work_maximum_length=PDF_MAX_INFLATED):
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise ServiceError(_l("The PDF file is password-protected. Save it again without a password."),
                                   "file")
            if len(reader.pages) == 0:
                raise PyPdfError("no pages")
            active = _has_active_content(data, reader)
    except ServiceError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
            OSError, LookupError):
        raise ServiceError(_l("The PDF file is damaged and cannot be read. Save it again as PDF."), "file") from None
    if active:
        raise ServiceError(_l("The PDF file holds scripts, attached files or actions that start programs. "
                              "Save it again as a plain PDF (for example, print it to PDF)."), "file")


def _has_active_content(data: bytes, reader: pypdf.PdfReader) -> bool:
    """Whether the file names something that acts when it is opened. The raw bytes are searched
    first (objects a viewer would find by rebuilding a broken cross-reference table); then every
    object is parsed, those in compressed object streams too, with #xx escapes decoded, by
    following the cross-reference table and every reference (a loop, not recursion)."""
    if ACTIVE_BYTES.search(data):
        return True
    pending: list[object] = [reader.trailer]
    pending += [IndirectObject(number, generation, reader)
                for generation, numbers in reader.xref.items() for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    visited: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in visited:
                continue
            visited.add((item.idnum, item.generation))
            if len(visited) > PDF_MAX_OBJECTS:
                raise PyPdfError("too many objects")
            pending.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            if any(key in PDF_ACTIVE_NAMES for key in item):
                return True
            # Values go on the list as they are: a name there (/S /Launch) is checked below.
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, NameObject) and item in PDF_ACTIVE_NAMES:
            return True
    return False


def _check_text(data: bytes) -> None:
    text = data.decode("utf-8")
    if MARKUP.search(text):
        raise ServiceError(_l("This text file holds web page or image markup (HTML, SVG or XML). "
                              "Only plain text is accepted: paste the poem into a new plain text file."),
                           "file")


def offered_name(name: str, kind: str) -> str:
    """The name a file is offered under: the sender's name with the suffix of the kind it was
    found to be, so a text file called poem.svg or poem.html downloads as poem.txt."""
    stem = PurePath(name).stem
    return f"{stem or 'entry'}.{kind}"


def send_entry_file(entry, download_name: str | None = None) -> Response:
    """The entry's file as a download (never shown inline), under the name it was sent with
    (or `download_name`: blind judging hides the author's file name). The caller has already
    checked that the reader may see this entry."""
    if entry is None or not entry.file_name or entry.file_type not in MEDIA_TYPES:
        abort(404)
    name = download_name or entry.file_original_name or "entry"
    response = files.send(ENTRY_AREA, entry.file_name, mimetype=MEDIA_TYPES[entry.file_type],
                          download_name=offered_name(name, entry.file_type), conditional=False)
    # Entries are personal: no shared cache may keep a copy. (That a browser never guesses
    # another type than the one the content was checked to be: web.py's nosniff, on every response.)
    response.headers["Cache-Control"] = "private, no-store"
    return response
