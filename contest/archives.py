"""The one way the application opens a ZIP file someone uploaded (DOCX and ODT entry files,
XLSX tables): every member is streamed through caps before anything else reads the archive.

Nothing in a ZIP's directory can be trusted (a member that claims 1 KB may inflate to 4 GB),
so the sizes are counted while inflating, in small chunks, and reading stops at the first cap
crossed: memory stays flat whatever the file holds. A vetted archive is then safe to hand to a
library that inflates it again (openpyxl): the same members inflate to the same bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask_babel import lazy_gettext as _l

from contest.i18n import format_file_size

CHUNK = 64 * 1024
# Below this many inflated bytes a member's ratio is not judged: small XML parts compress very well.
RATIO_FLOOR = 1024 * 1024
# End of central directory record: signature, disk numbers, entry counts, directory size and
# offset, comment length (APPNOTE 4.3.16).
EOCD = struct.Struct("<4s4H2LH")
EOCD_SIGNATURE = b"PK\x05\x06"
EOCD_SEARCH = EOCD.size + 0xFFFF  # the record sits before a comment of at most 64 KiB
# The smallest central directory entry plus a name of 255 bytes and room for extra fields.
MAX_DIRECTORY_BYTES_PER_MEMBER = 46 + 255 + 200
# Magic numbers of archive and compressed formats: such a member would be a bomb in a bomb.
NESTED_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
                b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd", b"MSCF")
NESTED_SUFFIXES = (".zip", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".cab",
                   ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")
ACCEPTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
SYMLINK_MODE = 0o120000

MESSAGES = {
    "broken": _l("The file is damaged and cannot be read."),
    "ratio": _l("The file unpacks to far more than its own size (a “zip bomb”) and is refused."),
    "nested": _l("The file holds another archive inside it (for example, an embedded spreadsheet "
                 "or a ZIP file). Save it again without embedded objects."),
    "encrypted": _l("The file is password-protected. Save it again without a password."),
    "path": _l("The file holds parts with unsafe names and is refused."),
}


@dataclass(frozen=True)
class Limits:
    """Caps for one kind of upload; `max_ratio` is inflated bytes per compressed byte."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    max_ratio: int = 100


class ArchiveRefused(Exception):
    """The upload is not a ZIP file we are willing to read. `reason`: a key of MESSAGES, or
    "too_many" / "too_large" (which name the limit, so carry `limits`); `message` says it to the
    person who sent the file."""

    def __init__(self, reason: str, limits: Limits | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limits = limits

    @property
    def message(self):
        if self.reason == "too_many" and self.limits is not None:
            return _l("The file holds too many parts (limit: %(count)s).", count=self.limits.max_members)
        if self.reason == "too_large" and self.limits is not None:
            return _l("Unpacked, the file is too large (limit: %(size)s).",
                      size=format_file_size(self.limits.max_total_bytes))
        return MESSAGES[self.reason]


def is_zip(data: bytes) -> bool:
    """Whether the bytes end with a ZIP directory (also when something else comes first, as in
    a PDF with a ZIP appended)."""
    return zipfile.is_zipfile(io.BytesIO(data))


class VettedZip:
    """A ZIP whose every member has been inflated once under the caps."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self.names = frozenset(archive.namelist())

    def read(self, name: str, max_bytes: int) -> bytes | None:
        """The member's bytes, or None when it is missing or longer than `max_bytes`."""
        if name not in self.names:
            return None
        with self._archive.open(name) as member:
            data = member.read(max_bytes + 1)
        return data if len(data) <= max_bytes else None


def open_zip(data: bytes, limits: Limits) -> VettedZip:
    """An uploaded ZIP, once every member has passed the caps; ArchiveRefused says why not."""
    _check_directory_size(data, limits)
    try:
        # Over bytes in memory: nothing to close, the archive lives as long as the VettedZip.
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_members(archive, len(data), limits)
        _inflate_all(archive, len(data), limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError, struct.error, UnicodeDecodeError):
        raise ArchiveRefused("broken") from None
    return VettedZip(archive)


def _check_directory_size(data: bytes, limits: Limits) -> None:
    """Refuse a directory with too many entries before zipfile builds an object for each one."""
    record = _end_record(data)
    if record is None:
        raise ArchiveRefused("broken")
    _sig, _disk, _cd_disk, _here, entries, directory_size, _offset, _comment = record
    if entries > limits.max_members or directory_size > limits.max_members * MAX_DIRECTORY_BYTES_PER_MEMBER:
        raise ArchiveRefused("too_many", limits)


def _end_record(data: bytes) -> tuple | None:
    # The same search as zipfile's: a record at the very end, else the last one in the tail.
    if len(data) >= EOCD.size and data[-EOCD.size:-EOCD.size + 4] == EOCD_SIGNATURE:
        return EOCD.unpack(data[-EOCD.size:])
    start = data.rfind(EOCD_SIGNATURE, max(0, len(data) - EOCD_SEARCH))
    if start < 0 or len(data) - start < EOCD.size:
        return None
    return EOCD.unpack(data[start:start + EOCD.size])


def _check_members(archive: zipfile.ZipFile, packed_size: int, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ArchiveRefused("too_many", limits)
    seen: set[str] = set()
    declared = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise ArchiveRefused("encrypted")
        if info.compress_type not in ACCEPTED_METHODS or info.compress_size > packed_size:
            raise ArchiveRefused("broken")
        if not _safe_name(info) or info.filename.casefold() in seen:
            raise ArchiveRefused("path")
        seen.add(info.filename.casefold())
        if info.filename.lower().endswith(NESTED_SUFFIXES):
            raise ArchiveRefused("nested")
        # The declared sizes are only a first, cheap filter: _inflate_all counts the real ones.
        declared += info.file_size
        if info.file_size > limits.max_member_bytes or declared > limits.max_total_bytes:
            raise ArchiveRefused("too_large", limits)


def _safe_name(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    if not name or len(name) > 255 or "\\" in name or name.startswith("/") or ":" in name:
        return False
    if any(not ch.isprintable() for ch in name):
        return False
    if ".." in PurePosixPath(name).parts:
        return False
    return (info.external_attr >> 16) & 0o170000 != SYMLINK_MODE


def _inflate_all(archive: zipfile.ZipFile, packed_size: int, limits: Limits) -> None:
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        inflated = 0
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                if inflated == 0 and chunk.startswith(NESTED_MAGIC):
                    raise ArchiveRefused("nested")
                inflated += len(chunk)
                total += len(chunk)
                if inflated > limits.max_member_bytes or total > limits.max_total_bytes:
                    raise ArchiveRefused("too_large", limits)
                if inflated > RATIO_FLOOR and inflated > limits.max_ratio * max(info.compress_size, 1):
                    raise ArchiveRefused("ratio")
        if total > RATIO_FLOOR and total > limits.max_ratio * packed_size:
            raise ArchiveRefused("ratio")
