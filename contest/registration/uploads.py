"""Entry files: the type is read from the content, never from the name, and the file is
stored under a random name outside `static/` (see contest.files)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from flask import Response, abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from contest import files
from contest.errors import ServiceError

ENTRY_AREA = "entries"
# Content types we send back with a download, by the kind the content turned out to be.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain; charset=utf-8",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


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
    """'pdf', 'docx', 'odt' or 'txt' when the bytes are one of those, else None."""
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
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                return "odt"
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def check_entry_file(upload: Upload) -> str:
    """The file's kind, or a ServiceError saying why it is refused."""
    limit = current_app.config["ENTRY_FILE_MAX_BYTES"]
    if not upload.data:
        raise ServiceError(_l("The file is empty."), "file")
    if len(upload.data) > limit:
        raise ServiceError(_l("The file is larger than %(size)s MB.", size=round(limit / 1024 / 1024, 1)), "file")
    kind = sniff_kind(upload.data)
    if kind is None:
        raise ServiceError(_l("Only PDF, DOCX, ODT and plain text (TXT) files are accepted; "
                              "this file's content is none of them."), "file")
    return kind


def send_entry_file(entry, download_name: str | None = None) -> Response:
    """The entry's file as a download (never shown inline), under the name it was sent with
    (or `download_name`: blind judging hides the author's file name). The caller has already
    checked that the reader may see this entry."""
    if entry is None or not entry.file_name or entry.file_type not in MEDIA_TYPES:
        abort(404)
    try:
        path = files.path_of(ENTRY_AREA, entry.file_name)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=MEDIA_TYPES[entry.file_type], as_attachment=True,
                         download_name=download_name or entry.file_original_name or f"entry.{entry.file_type}",
                         max_age=0)
    # Entries are personal: no shared cache may keep a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response
