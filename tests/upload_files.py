"""Files for the upload checks, built in the tests: zip bombs in entry files and
tables, archives with tricks, PDFs that act when opened. The large bombs are deflated in 1 MiB
chunks, so building one never holds its unpacked size in memory."""

from __future__ import annotations

import io
import struct
import zipfile
from functools import cache

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

MIB = 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_PARTS = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
XLSX_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_streamed_member(parts: dict[str, bytes], name: str, chunk: bytes, repeats: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w") as member:
            for _ in range(repeats):
                member.write(chunk)
        for part, data in parts.items():
            archive.writestr(part, data)
    return buffer.getvalue()


@cache
def odt_bomb() -> bytes:
    """The issue's file: an ODT of about 400 KiB whose `mimetype` member is 400 MiB of spaces."""
    return _with_streamed_member({"content.xml": b"<office:document-content/>"}, "mimetype",
                                 b" " * MIB, 400)


@cache
def docx_unpacking_to(mebibytes: int) -> bytes:
    """A DOCX whose parts unpack to `mebibytes` MiB, none of them more than 1 MiB and each
    compressed only about 50 times, so no single part looks like a bomb: only the total does."""
    block = _low_entropy_mebibyte()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in DOCX_PARTS.items():
            archive.writestr(name, data)
        for number in range(mebibytes):
            archive.writestr(f"word/media/part{number}.xml", block)
    return buffer.getvalue()


def _low_entropy_mebibyte() -> bytes:
    # A letter every 128 bytes on average, at places a fixed-seed generator picks: deflate
    # gets about 50:1 out of it, inside the ratio cap.
    import random

    generator = random.Random(2026)
    block = bytearray(b" " * MIB)
    for _ in range(MIB // 128):
        block[generator.randrange(MIB)] = generator.randrange(97, 123)
    return bytes(block)


def ratio_bomb(parts: dict[str, bytes] = DOCX_PARTS, name: str = "word/styles.xml") -> bytes:
    """A small archive with one member of 8 MiB of zeros (about 1000:1)."""
    return _with_streamed_member(parts, name, bytes(MIB), 8)


@cache
def xlsx_bomb() -> bytes:
    """A workbook whose first sheet inflates to 300 MiB (about 300 KiB packed)."""
    return _with_streamed_member(XLSX_PARTS, "xl/worksheets/sheet1.xml", b" " * MIB, 300)


@cache
def xlsx_with_shared_strings_bomb() -> bytes:
    """A real workbook whose shared strings (which openpyxl keeps in memory) are two million
    copies of one string: 32 MiB that deflate to a few dozen KiB."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Surname", "Given name"])
    plain = io.BytesIO()
    workbook.save(plain)
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t>x</t></si>" * (
        MIB // 16)
    buffer = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                archive.writestr(info.filename, source.read(info))
        with archive.open("xl/sharedStrings.xml", "w") as member:
            member.write(strings)
            for _ in range(31):
                member.write(b"<si><t>x</t></si>" * (MIB // 16))
            member.write(b"</sst>")
    return buffer.getvalue()


def nested(parts: dict[str, bytes]) -> bytes:
    """An archive that holds another ZIP under a harmless name."""
    return zipped({**parts, "word/embeddings/object.bin": zipped({"inner.txt": b"x"})})


def encrypted(parts: dict[str, bytes]) -> bytes:
    """An archive whose members claim to be encrypted (general purpose flag bit 0)."""
    data = bytearray(zipped(parts))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            (flags,) = struct.unpack_from("<H", data, start + flag_offset)
            struct.pack_into("<H", data, start + flag_offset, flags | 0x1)
            start = data.find(signature, start + 4)
    return bytes(data)


def with_member_named(parts: dict[str, bytes], name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
        archive.writestr(zipfile.ZipInfo(name), b"x")
    return buffer.getvalue()


def many_members(parts: dict[str, bytes], count: int) -> bytes:
    return zipped({**parts, **{f"word/p{number}.xml": b"" for number in range(count)}})


# PDFs ---------------------------------------------------------------------------------------

def _pdf(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def plain_pdf() -> bytes:
    return _pdf(_writer())


def pdf_with_open_action(action: dict[str, object]) -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject(key): (NameObject(value) if str(value).startswith("/") else TextStringObject(value))
         for key, value in action.items()})
    return _pdf(writer)


def pdf_with_javascript() -> bytes:
    return pdf_with_open_action({"/S": "/JavaScript", "/JS": "app.alert('hi')"})


def pdf_with_launch() -> bytes:
    return pdf_with_open_action({"/S": "/Launch", "/F": "calc.exe"})


def pdf_with_attachment() -> bytes:
    writer = _writer()
    writer.add_attachment("readme.exe", b"MZ\x90\x00")
    return _pdf(writer)


def pdf_with_hex_escaped_javascript() -> bytes:
    """The same /JS action, its names spelt with #xx escapes (/J#53 is /JS) to dodge a byte search."""
    data = pdf_with_javascript()
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")


def pdf_with_orphan_javascript() -> bytes:
    """A plain PDF with a script object slipped in after the header, outside the cross-reference
    table: a viewer that rebuilds the table finds it."""
    data = plain_pdf()
    header, rest = data.split(b"\n", 1)
    return header + b"\n99 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n" + rest
