"""Each cap of contest.archives at its exact value (the file is opened) and one byte, part or
ratio step over it (the file is refused with the message the sender reads, in Kazakh first)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from flask_babel import force_locale

from contest import archives

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


def text(size: int, seed: int = 0) -> bytes:
    """Bytes that barely compress, so that no ratio is judged."""
    return bytes((seed + n * 7 + n // 13) % 251 for n in range(size))


def refusal(data: bytes, limits: archives.Limits) -> archives.ArchiveRefused:
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
    four = refusal(archive({f"p{n}.xml": b"<p/>" for n in range(4)}), SMALL)
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
    refused = refusal(four, SMALL)
    assert (refused.reason, refused.limits) == ("too_many", SMALL)
    assert message(refused) == TOO_MANY_KK


# Central directory size ------------------------------------------------------------------------

def test_a_directory_of_exactly_its_allowed_size_is_opened_and_one_byte_more_is_refused():
    allowed = SMALL.max_members * archives.MAX_DIRECTORY_BYTES_PER_MEMBER
    # One entry: 46 fixed bytes, the 5-byte name, and a comment that fills the rest.
    fitting = archive({"a.txt": b"poem"}, {"a.txt": b"c" * (allowed - 46 - 5)})
    assert archives._end_record(fitting)[5] == allowed
    assert archives.open_zip(fitting, SMALL).read("a.txt", 10) == b"poem"
    over = refusal(archive({"a.txt": b"poem"}, {"a.txt": b"c" * (allowed - 46 - 4)}), SMALL)
    assert (over.reason, over.limits) == ("too_many", SMALL)
    assert message(over) == TOO_MANY_KK


# Sizes -----------------------------------------------------------------------------------------

def test_a_member_of_exactly_the_member_cap_is_opened_and_one_byte_more_is_refused():
    opened = archives.open_zip(archive({"a.txt": text(1000)}), SMALL)
    assert opened.read("a.txt", 1000) == text(1000)
    over = refusal(archive({"a.txt": text(1001)}), SMALL)
    assert (over.reason, over.limits) == ("too_large", SMALL)
    assert message(over) == TOO_LARGE_KK
    assert message(over, "en") == "Unpacked, the file is too large (limit: 1.5 KB)."


def test_members_of_exactly_the_total_cap_are_opened_and_one_byte_more_is_refused():
    fitting = archive({"a.txt": text(1000), "b.txt": text(500, 3)})
    assert archives.open_zip(fitting, SMALL).names == {"a.txt", "b.txt"}
    over = refusal(archive({"a.txt": text(1000), "b.txt": text(501, 3)}), SMALL)
    assert (over.reason, over.limits) == ("too_large", SMALL)
    assert message(over) == TOO_LARGE_KK


def test_an_empty_member_and_a_folder_count_nothing_towards_the_caps():
    exact = archive({"folder/": b"", "empty.txt": b"", "a.txt": text(1000)})
    assert archives.open_zip(exact, archives.Limits(3, 1000, 1000)).names == {"folder/", "empty.txt", "a.txt"}


# Ratio -----------------------------------------------------------------------------------------

ROOMY = archives.Limits(max_members=10, max_member_bytes=10 * FLOOR, max_total_bytes=10 * FLOOR, max_ratio=100)


def test_a_member_inflating_to_exactly_the_ratio_floor_is_not_judged_and_one_byte_more_is():
    assert archives.open_zip(archive({"zeros.bin": bytes(FLOOR)}), ROOMY).names == {"zeros.bin"}
    over = refusal(archive({"zeros.bin": bytes(FLOOR + 1)}), ROOMY)
    assert over.reason == "ratio"
    assert message(over) == RATIO_KK


def test_a_member_at_exactly_the_ratio_cap_is_opened_and_one_step_over_is_refused():
    data = archive({"zeros.bin": bytes(EXACT_RATIO_BYTES)})
    (info,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert info.compress_size * EXACT_RATIO == EXACT_RATIO_BYTES  # the file means what the test says
    at_cap = archives.Limits(10, 10 * FLOOR, 10 * FLOOR, max_ratio=EXACT_RATIO)
    assert archives.open_zip(data, at_cap).names == {"zeros.bin"}
    assert refusal(data, archives.Limits(10, 10 * FLOOR, 10 * FLOOR, max_ratio=EXACT_RATIO - 1)).reason == "ratio"


def test_parts_each_under_the_floor_are_judged_together_above_it():
    half = FLOOR // 2
    together = archive({"a.bin": bytes(half), "b.bin": bytes(half)})
    assert archives.open_zip(together, ROOMY).names == {"a.bin", "b.bin"}
    assert refusal(archive({"a.bin": bytes(half), "b.bin": bytes(half + 1)}), ROOMY).reason == "ratio"


# End of central directory record -----------------------------------------------------------

def test_an_end_record_just_inside_the_search_window_is_found_and_just_outside_is_not():
    data = archive({"a.txt": b"poem"})
    record_start = len(data) - archives.EOCD.size
    # Bytes after the record push it back from the end: up to the window's edge it is found.
    inside = data + b"\x00" * (archives.EOCD_SEARCH - archives.EOCD.size)
    assert len(inside) - record_start == archives.EOCD_SEARCH
    assert archives.open_zip(inside, SMALL).read("a.txt", 10) == b"poem"
    outside = refusal(data + b"\x00" * (archives.EOCD_SEARCH - archives.EOCD.size + 1), SMALL)
    assert outside.reason == "broken"
    assert message(outside) == BROKEN_KK


def test_a_record_right_at_the_end_and_a_truncated_one():
    data = archive({"a.txt": b"poem"})
    assert archives.open_zip(data, SMALL).names == {"a.txt"}
    assert archives.open_zip(data + b"\x00", SMALL).names == {"a.txt"}
    assert refusal(data[:-1], SMALL).reason == "broken"
    assert refusal(archives.EOCD_SIGNATURE + bytes(17), SMALL).reason == "broken"
    assert refusal(b"", SMALL).reason == "broken"
