"""The one helper that opens uploaded ZIP files: caps on members, sizes and ratio, checked while
inflating; and the worker's memory stays flat while it refuses a bomb."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale

from contest import archives
from tests import upload_files as files

LIMITS = archives.Limits(max_members=50, max_member_bytes=4 * files.MIB, max_total_bytes=6 * files.MIB,
                         max_ratio=100)
ROOT = Path(__file__).parent.parent


def refusal(data: bytes, limits: archives.Limits = LIMITS) -> str:
    with pytest.raises(archives.ArchiveRefused) as refused:
        archives.open_zip(data, limits)
    return refused.value.reason


def test_a_plain_archive_is_opened_and_its_members_read_within_a_cap():
    archive = archives.open_zip(files.zipped({"mimetype": b"text/x", "a/b.xml": b"<b/>"}), LIMITS)
    assert archive.names == {"mimetype", "a/b.xml"}
    assert archive.read("mimetype", max_bytes=10) == b"text/x"
    assert archive.read("mimetype", max_bytes=6) == b"text/x"  # exactly the cap
    assert archive.read("mimetype", max_bytes=5) is None
    assert archive.read("missing", max_bytes=10) is None


def test_a_member_that_inflates_a_thousand_times_is_a_bomb():
    roomy = archives.Limits(max_members=50, max_member_bytes=50 * files.MIB, max_total_bytes=50 * files.MIB)
    assert refusal(files.ratio_bomb(), roomy) == "ratio"


def test_sizes_are_capped_per_member_and_in_total():
    block = files._low_entropy_mebibyte()
    assert refusal(files.zipped({"big.xml": block * 5})) == "too_large"
    assert refusal(files.zipped({f"part{n}.xml": block for n in range(7)})) == "too_large"


def lying_about_sizes(data: bytes) -> bytes:
    """The archive with every member's unpacked size written as 1 byte, in both headers."""
    data = bytearray(data)
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start >= 0:
            struct.pack_into("<L", data, start + size_offset, 1)
            start = data.find(signature, start + 4)
    return bytes(data)


def test_sizes_the_directory_understates_are_not_believed():
    assert refusal(lying_about_sizes(files.ratio_bomb())) in {"ratio", "broken"}
    assert refusal(lying_about_sizes(files.odt_bomb()), archives.Limits(1000, 50 * files.MIB, 100 * files.MIB)) \
        in {"ratio", "broken"}


def test_an_archive_inside_the_archive_is_refused_by_content_and_by_name():
    assert refusal(files.nested(files.DOCX_PARTS)) == "nested"
    assert refusal(files.zipped({**files.DOCX_PARTS, "word/embeddings/Sheet1.xlsx": b"not even a zip"})) == "nested"
    gzipped = files.zipped({"poem.txt.bin": b"\x1f\x8b\x08\x00" + bytes(20)})
    assert refusal(gzipped) == "nested"


def test_too_many_members_are_refused_before_the_directory_is_read():
    assert refusal(files.many_members(files.DOCX_PARTS, 60)) == "too_many"


def test_encrypted_members_are_refused():
    assert refusal(files.encrypted(files.DOCX_PARTS)) == "encrypted"


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "C:/Windows/evil.xml", "word\\..\\evil.xml",
                                  "word/../../evil.xml", "bad\x01name.xml"])
def test_member_names_that_climb_out_or_hide_are_refused(name):
    assert refusal(files.with_member_named(files.DOCX_PARTS, name)) == "path"


def test_two_members_with_one_name_are_refused():
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we write on purpose
        archive.writestr("word/document.xml", b"<a/>")
        archive.writestr("Word/Document.xml", b"<b/>")
    assert refusal(buffer.getvalue()) == "path"


def test_a_symbolic_link_member_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("word/link.xml")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    assert refusal(buffer.getvalue()) == "path"


@pytest.mark.parametrize("data", [b"PK\x03\x04 broken", b"", files.zipped({"a": b"x"})[:-30]])
def test_broken_archives_are_refused(data):
    assert refusal(data) == "broken"


def test_refusals_carry_a_message_with_the_limit(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(archives.ArchiveRefused) as refused:
            archives.open_zip(files.many_members(files.DOCX_PARTS, 60), LIMITS)
        assert str(refused.value.message) == "The file holds too many parts (limit: 50)."


def test_a_pdf_with_a_zip_appended_is_seen_as_a_zip():
    assert archives.is_zip(files.plain_pdf() + files.zipped({"a.txt": b"x"}))
    assert not archives.is_zip(files.plain_pdf())


# Each cap at its exact value (the file is opened) and one byte, part or ratio step over it (the
# file is refused with the message the sender reads, in Kazakh first).

SMALL = archives.Limits(max_members=3, max_member_bytes=1000, max_total_bytes=1500, max_ratio=100)
FLOOR = archives.RATIO_FLOOR
# 1,049,528 zero bytes deflate (zipfile's default level) to exactly 1,033 bytes: 1,016 to one.
EXACT_RATIO_BYTES, EXACT_RATIO = 1_049_528, 1016


def archive(parts: dict[str, bytes], comments: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as built:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.comment = (comments or {}).get(name, b"")
            built.writestr(info, data)
    return buffer.getvalue()


def incompressible(size: int, seed: int = 0) -> bytes:
    """Bytes that barely compress, so that no ratio is judged."""
    return bytes((seed + n * 7 + n // 13) % 251 for n in range(size))


def refused_by(data: bytes, limits: archives.Limits) -> archives.ArchiveRefused:
    with pytest.raises(archives.ArchiveRefused) as refused:
        archives.open_zip(data, limits)
    return refused.value


def message(refused: archives.ArchiveRefused, language: str = "kk") -> str:
    with force_locale(language):
        return str(refused.message)


TOO_MANY_KK = "Файлдың бөліктері тым көп (шегі: 3)."
TOO_LARGE_KK = "Ашылған күйінде файл тым үлкен (шегі: 1,5 КБ)."
BROKEN_KK = "Файл бүлінген, оны оқу мүмкін емес."
RATIO_KK = "Файл ашылғанда өз көлемінен әлдеқайда үлкейеді («zip-бомба»), сондықтан ол қабылданбайды."


# Member count ----------------------------------------------------------------------------------

def test_exactly_the_member_limit_is_opened_and_one_more_is_refused():
    three = archive({f"p{n}.xml": b"<p/>" for n in range(3)})
    assert archives.open_zip(three, SMALL).names == {"p0.xml", "p1.xml", "p2.xml"}
    four = refused_by(archive({f"p{n}.xml": b"<p/>" for n in range(4)}), SMALL)
    assert (four.reason, four.limits) == ("too_many", SMALL)
    assert message(four) == TOO_MANY_KK
    assert message(four, "en") == "The file holds too many parts (limit: 3)."


def with_entry_count(data: bytes, count: int) -> bytes:
    """The archive with its end record claiming `count` entries (zipfile reads them all anyway)."""
    data = bytearray(data)
    start = data.rfind(archives.EOCD_SIGNATURE)
    struct.pack_into("<HH", data, start + 8, count, count)
    return bytes(data)


def test_a_directory_holding_more_entries_than_its_end_record_claims_is_refused():
    four = with_entry_count(archive({f"p{n}.xml": b"<p/>" for n in range(4)}), 3)
    refused = refused_by(four, SMALL)
    assert (refused.reason, refused.limits) == ("too_many", SMALL)
    assert message(refused) == TOO_MANY_KK


# Central directory size ------------------------------------------------------------------------

def test_a_directory_of_exactly_its_allowed_size_is_opened_and_one_byte_more_is_refused():
    allowed = SMALL.max_members * archives.MAX_DIRECTORY_BYTES_PER_MEMBER
    # One entry: 46 fixed bytes, the 5-byte name, and a comment that fills the rest.
    fitting = archive({"a.txt": b"poem"}, {"a.txt": b"c" * (allowed - 46 - 5)})
    assert archives._end_record(fitting)[5] == allowed
    assert archives.open_zip(fitting, SMALL).read("a.txt", 10) == b"poem"
    over = refused_by(archive({"a.txt": b"poem"}, {"a.txt": b"c" * (allowed - 46 - 4)}), SMALL)
    assert (over.reason, over.limits) == ("too_many", SMALL)
    assert message(over) == TOO_MANY_KK


# Sizes -----------------------------------------------------------------------------------------

def test_a_member_of_exactly_the_member_cap_is_opened_and_one_byte_more_is_refused():
    opened = archives.open_zip(archive({"a.txt": incompressible(1000)}), SMALL)
    assert opened.read("a.txt", 1000) == incompressible(1000)
    over = refused_by(archive({"a.txt": incompressible(1001)}), SMALL)
    assert (over.reason, over.limits) == ("too_large", SMALL)
    assert message(over) == TOO_LARGE_KK
    assert message(over, "en") == "Unpacked, the file is too large (limit: 1.5 KB)."


def test_members_of_exactly_the_total_cap_are_opened_and_one_byte_more_is_refused():
    fitting = archive({"a.txt": incompressible(1000), "b.txt": incompressible(500, 3)})
    assert archives.open_zip(fitting, SMALL).names == {"a.txt", "b.txt"}
    over = refused_by(archive({"a.txt": incompressible(1000), "b.txt": incompressible(501, 3)}), SMALL)
    assert (over.reason, over.limits) == ("too_large", SMALL)
    assert message(over) == TOO_LARGE_KK


def test_members_after_a_folder_are_still_inflated_and_checked():
    hidden = archive({"folder/": b"", "poem.bin": b"\x1f\x8b\x08\x00" + bytes(20)})
    assert refused_by(hidden, SMALL).reason == "nested"


def test_an_empty_member_and_a_folder_count_nothing_towards_the_caps():
    exact = archive({"folder/": b"", "empty.txt": b"", "a.txt": incompressible(1000)})
    assert archives.open_zip(exact, archives.Limits(3, 1000, 1000)).names == {"folder/", "empty.txt", "a.txt"}


# Ratio -----------------------------------------------------------------------------------------

ROOMY = archives.Limits(max_members=10, max_member_bytes=10 * FLOOR, max_total_bytes=10 * FLOOR, max_ratio=100)


def test_a_member_inflating_to_exactly_the_ratio_floor_is_not_judged_and_one_byte_more_is():
    assert archives.open_zip(archive({"zeros.bin": bytes(FLOOR)}), ROOMY).names == {"zeros.bin"}
    over = refused_by(archive({"zeros.bin": bytes(FLOOR + 1)}), ROOMY)
    assert over.reason == "ratio"
    assert message(over) == RATIO_KK


def test_a_member_at_exactly_the_ratio_cap_is_opened_and_one_step_over_is_refused():
    data = archive({"zeros.bin": bytes(EXACT_RATIO_BYTES)})
    (info,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert info.compress_size * EXACT_RATIO == EXACT_RATIO_BYTES  # the file means what the test says
    at_cap = archives.Limits(10, 10 * FLOOR, 10 * FLOOR, max_ratio=EXACT_RATIO)
    assert archives.open_zip(data, at_cap).names == {"zeros.bin"}
    assert refused_by(data, archives.Limits(10, 10 * FLOOR, 10 * FLOOR, max_ratio=EXACT_RATIO - 1)).reason == "ratio"


def test_parts_each_under_the_floor_are_judged_together_above_it():
    half = FLOOR // 2
    together = archive({"a.bin": bytes(half), "b.bin": bytes(half)})
    assert archives.open_zip(together, ROOMY).names == {"a.bin", "b.bin"}
    assert refused_by(archive({"a.bin": bytes(half), "b.bin": bytes(half + 1)}), ROOMY).reason == "ratio"


# End of central directory record -----------------------------------------------------------

def test_an_end_record_just_inside_the_search_window_is_found_and_just_outside_is_not():
    data = archive({"a.txt": b"poem"})
    record_start = len(data) - archives.EOCD.size
    # Bytes after the record push it back from the end: up to the window's edge it is found.
    inside = data + b"\x00" * (archives.EOCD_SEARCH - archives.EOCD.size)
    assert len(inside) - record_start == archives.EOCD_SEARCH
    assert archives.open_zip(inside, SMALL).read("a.txt", 10) == b"poem"
    outside = refused_by(data + b"\x00" * (archives.EOCD_SEARCH - archives.EOCD.size + 1), SMALL)
    assert outside.reason == "broken"
    assert message(outside) == BROKEN_KK


def test_a_record_right_at_the_end_and_a_truncated_one():
    data = archive({"a.txt": b"poem"})
    assert archives.open_zip(data, SMALL).names == {"a.txt"}
    assert archives.open_zip(data + b"\x00", SMALL).names == {"a.txt"}
    assert refused_by(data[:-1], SMALL).reason == "broken"
    assert refused_by(archives.EOCD_SIGNATURE + bytes(17), SMALL).reason == "broken"
    assert refused_by(b"", SMALL).reason == "broken"


# Memory: the check runs in a fresh interpreter, which reports its peak resident size.

MEASURE = """
import resource, sys
from pathlib import Path

from flask import Flask
from flask_babel import Babel

from contest.errors import ServiceError
from contest.registration.uploads import Upload, check_entry_file
from contest.tables import UnreadableTable, read_table

app = Flask("measure")
app.config["ENTRY_FILE_MAX_BYTES"] = 10 * 1024 * 1024
Babel(app)
data = Path(sys.argv[2]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with app.app_context():
    try:
        if sys.argv[1] == "entry":
            check_entry_file(Upload("file", data))
        else:
            read_table(data, max_rows=500)
        refused = False
    except (ServiceError, UnreadableTable):
        refused = True
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(refused, (after - before) // 1024)  # ru_maxrss counts KiB on Linux
"""


def peak_growth_mib(tmp_path, kind: str, data: bytes) -> tuple[bool, int]:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    measured = subprocess.run([sys.executable, "-c", MEASURE, kind, str(path)], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
    assert measured.returncode == 0, measured.stderr
    refused, growth = measured.stdout.split()
    return refused == "True", int(growth)


@pytest.mark.parametrize(("kind", "build"), [
    ("entry", files.odt_bomb),
    ("entry", lambda: files.docx_unpacking_to(300)),
    ("entry", lambda: files.nested(files.DOCX_PARTS)),
    ("entry", files.ratio_bomb),
    ("table", files.xlsx_bomb),
    ("table", files.xlsx_with_shared_strings_bomb),
], ids=["odt-400-mib-mimetype", "docx-300-mib", "nested-zip", "ratio-bomb", "xlsx-bomb", "xlsx-shared-strings"])
def test_refusing_a_bomb_keeps_the_worker_memory_flat(tmp_path, kind, build):
    refused, growth = peak_growth_mib(tmp_path, kind, build())
    assert refused
    assert growth < 50, f"peak memory grew by {growth} MiB"
    print(f"peak memory growth: {growth} MiB")


def test_only_the_helper_opens_zip_files():
    """Reading a ZIP anywhere else would skip the caps; certificates only write one."""
    readers = {path.relative_to(ROOT).as_posix() for path in (ROOT / "contest").rglob("*.py")
               if "zipfile" in path.read_text(encoding="utf-8") or "load_workbook" in path.read_text(encoding="utf-8")}
    assert readers == {"contest/archives.py", "contest/tables.py", "contest/certificates/pdf.py"}
    assert "zipfile" not in (ROOT / "contest/tables.py").read_text(encoding="utf-8")
    assert "ZipFile(output, \"w\"" in (ROOT / "contest/certificates/pdf.py").read_text(encoding="utf-8")


# Crafted end records and directories ---------------------------------------------------------

def test_an_end_record_of_exactly_its_own_size_is_read_from_the_very_end():
    # The entry counts spell the signature again ("PK", 5, 6): only the record at the end is meant.
    record = archives.EOCD.pack(archives.EOCD_SIGNATURE, 0, 0, 0x4B50, 0x0605, 0, 0, 0)
    assert record.count(archives.EOCD_SIGNATURE) == 2 and len(record) == archives.EOCD.size
    refused = refused_by(record, SMALL)
    assert (refused.reason, refused.limits) == ("too_many", SMALL)


def test_the_last_end_record_in_the_tail_counts_not_an_earlier_one():
    # A stored member holding what looks like an end record that claims 1541 entries.
    decoy = archives.EOCD.pack(archives.EOCD_SIGNATURE, 0, 0, 1541, 1541, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as built:
        built.writestr("decoy.bin", b"poem " + decoy)
    data = buffer.getvalue() + b"\x00"  # not at the very end: the tail is searched
    assert archives.open_zip(data, SMALL).read("decoy.bin", 100) == b"poem " + decoy


def test_an_empty_archive_followed_by_a_byte_is_found_at_the_start():
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    assert archives.open_zip(buffer.getvalue() + b"\x00", SMALL).names == frozenset()


def with_declared_sizes(data: bytes, size: int) -> bytes:
    """The archive with every member's unpacked size written as `size`, in both headers."""
    data = bytearray(data)
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start >= 0:
            struct.pack_into("<L", data, start + size_offset, size)
            start = data.find(signature, start + 4)
    return bytes(data)


def test_declared_sizes_over_the_total_are_refused_before_anything_is_inflated():
    honest = archive({"a.txt": b"short poem", "b.txt": b"other poem"})
    assert archives.open_zip(with_declared_sizes(honest, 750), SMALL).names == {"a.txt", "b.txt"}
    refused = refused_by(with_declared_sizes(honest, 751), SMALL)  # 2 x 751 > 1500, each under 1000
    assert (refused.reason, refused.limits) == ("too_large", SMALL)


def test_a_member_claiming_more_packed_bytes_than_the_file_holds_is_broken():
    data = bytearray(archive({"a.txt": b"poem"}))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<L", data, central + 20, len(data) + 1)  # compressed size in the directory
    assert refused_by(bytes(data), SMALL).reason == "broken"


@pytest.mark.parametrize(("length", "opened"), [(255, True), (256, False)])
def test_a_member_name_of_255_characters_is_the_longest_allowed(length, opened):
    data = archive({"a" * (length - 4) + ".xml": b"<a/>"})
    if opened:
        assert archives.open_zip(data, SMALL).names == {"a" * (length - 4) + ".xml"}
    else:
        assert refused_by(data, SMALL).reason == "path"


def test_a_member_without_a_name_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as built:
        built.writestr(zipfile.ZipInfo(""), b"x")
    assert refused_by(buffer.getvalue(), SMALL).reason == "path"


def test_parts_inflating_to_exactly_the_ratio_cap_of_the_whole_file_are_opened():
    half = FLOOR // 2
    parts = {"a.bin": bytes(half), "b.bin": bytes(half + 10)}
    total = sum(len(part) for part in parts.values())
    plain = archive(parts)
    # A comment pads the file so that the whole inflates to exactly `ratio` times its size.
    ratio = next(r for r in range(total // len(plain), 0, -1) if total % r == 0 and total // r - len(plain) < 0xFFFF)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as built:
        for name, part in parts.items():
            built.writestr(name, part)
        built.comment = b"c" * (total // ratio - len(plain))
    data = buffer.getvalue()
    assert len(data) * ratio == total
    assert archives.open_zip(data, archives.Limits(10, 10 * FLOOR, 10 * FLOOR, max_ratio=ratio)).names == set(parts)
    assert refused_by(data, archives.Limits(10, 10 * FLOOR, 10 * FLOOR, max_ratio=ratio - 1)).reason == "ratio"
