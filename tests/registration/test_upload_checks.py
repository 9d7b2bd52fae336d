"""Entry file checks word for word, in Kazakh (the default language): the refusal a participant
reads beside the file field for each kind of bad file, each cap at its exact value and one over,
and what a download sends back."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pypdf
import pytest
from flask_babel import force_locale
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from contest import files as file_store
from contest.errors import ServiceError
from contest.registration import uploads
from contest.registration.uploads import ODT_MIMETYPE, Upload, check_entry_file, offered_name, sniff_kind
from tests import upload_files as files
from tests.registration.helpers import one_work_entry

EMPTY = "Файл бос."
NOT_OUR_KIND = ("Тек PDF, DOCX, ODT және қарапайым мәтін (TXT) файлдары қабылданады; бұл файлдың мазмұны "
                "олардың ешқайсысы емес.")
PDF_TAIL = "PDF файлы бүлінген немесе оның соңына басқа деректер қосылған. Оны PDF түрінде қайта сақтаңыз."
PDF_BROKEN = "PDF файлы бүлінген, оны оқу мүмкін емес. Оны PDF түрінде қайта сақтаңыз."
PDF_PASSWORD = "PDF файлы құпиясөзбен қорғалған. Оны құпиясөзсіз қайта сақтаңыз."
PDF_ACTIVE = ("PDF файлында скрипттер, ендірілген файлдар немесе бағдарламаларды іске қосатын әрекеттер бар. "
              "Оны қарапайым PDF түрінде қайта сақтаңыз (мысалы, «PDF түрінде басып шығару» арқылы).")
MARKUP = ("Бұл мәтіндік файлда веб-беттің немесе суреттің белгілеуі (HTML, SVG немесе XML) бар. Тек "
          "қарапайым мәтін қабылданады: өлеңді жаңа қарапайым мәтін файлына қойыңыз.")
NESTED = ("Файлдың ішінде басқа архив бар (мысалы, ендірілген электрондық кесте немесе ZIP файлы). Оны "
          "ендірілген нысандарсыз қайта сақтаңыз.")
ODT_PARTS = {"content.xml": b"<office:document-content/>"}


def refusal(data: bytes, name: str = "poem") -> str:
    with force_locale("kk"), pytest.raises(ServiceError) as refused:
        check_entry_file(Upload(name, data))
    assert refused.value.field == "file"
    with force_locale("kk"):
        return str(refused.value.message)


def odt(mimetype: bytes) -> bytes:
    return files.zipped({"mimetype": mimetype, **ODT_PARTS})


# Size and kind --------------------------------------------------------------------------------

def test_an_empty_file_is_refused():
    assert refusal(b"") == EMPTY


def test_a_file_of_exactly_the_size_cap_is_accepted_and_one_byte_more_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENTRY_FILE_MAX_BYTES", 2048)
    assert check_entry_file(Upload("poem.txt", b"a" * 2048)) == "txt"
    assert refusal(b"a" * 2049) == "Файл тым үлкен: ең көбі 2 КБ."


@pytest.mark.parametrize("data", [b"poem\x00with a zero byte", "өлең".encode("utf-16"), b"\xff\xfe broken utf-8",
                                  files.zipped({"readme.txt": b"an ordinary zip"})],
                         ids=["zero-byte", "utf-16", "not-utf-8", "plain-zip"])
def test_content_of_another_kind_is_refused_whatever_its_name(data):
    assert refusal(data, "poem.txt") == NOT_OUR_KIND


def test_the_kind_comes_from_the_first_bytes_only():
    assert sniff_kind(files.plain_pdf()) == "pdf"
    assert sniff_kind(b" %PDF-1.4 is how a PDF starts") == "txt"
    assert sniff_kind(b" PK\x03\x04 is how a ZIP starts") == "txt"
    assert sniff_kind(files.zipped(files.DOCX_PARTS)) == "docx"
    assert sniff_kind("Қара өлең".encode()) == "txt"


def test_a_docx_needs_both_its_content_types_and_its_document():
    assert refusal(files.zipped({"word/document.xml": b"<w:document/>"})) == NOT_OUR_KIND
    assert refusal(files.zipped({"[Content_Types].xml": b"<Types/>"})) == NOT_OUR_KIND


def test_an_odt_is_known_by_its_mimetype_member_up_to_sixteen_bytes_of_padding():
    assert check_entry_file(Upload("poem", odt(ODT_MIMETYPE))) == "odt"
    assert check_entry_file(Upload("poem", odt(ODT_MIMETYPE + b" " * 16))) == "odt"
    assert refusal(odt(ODT_MIMETYPE + b" " * 17)) == NOT_OUR_KIND
    assert refusal(odt(b"application/vnd.oasis.opendocument.spreadsheet")) == NOT_OUR_KIND
    assert refusal(files.zipped(ODT_PARTS)) == NOT_OUR_KIND


def test_an_unsafe_archive_is_refused_with_the_archive_reason_beside_the_file_field():
    assert refusal(files.nested(files.DOCX_PARTS), "poem.docx") == NESTED


# PDF -----------------------------------------------------------------------------------------

def test_anything_after_the_end_of_a_pdf_is_refused_but_whitespace_is_not():
    plain = files.plain_pdf().rstrip()
    assert plain.endswith(b"%%EOF")
    assert check_entry_file(Upload("poem.pdf", plain)) == "pdf"
    assert check_entry_file(Upload("poem.pdf", plain + b"\n")) == "pdf"
    assert refusal(plain + b"x", "poem.pdf") == PDF_TAIL
    assert refusal(plain[:-len(b"%%EOF")], "poem.pdf") == PDF_TAIL
    assert refusal(plain + files.zipped({"a.txt": b"x"}), "poem.pdf") == PDF_TAIL


def test_a_pdf_updated_in_place_ends_at_its_last_end_marker():
    updating = pypdf.PdfWriter(io.BytesIO(files.plain_pdf()), incremental=True)
    updating.add_metadata({"/Title": "Өлең"})
    updated = files._pdf(updating)
    assert updated.count(b"%%EOF") == 2
    assert check_entry_file(Upload("poem.pdf", updated)) == "pdf"


def test_a_zip_whose_comment_ends_like_a_pdf_is_still_refused_after_a_pdf():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as appended:
        appended.writestr("payload.exe", b"MZ")
        appended.comment = b"\n%%EOF\n"
    assert refusal(files.plain_pdf() + buffer.getvalue(), "poem.pdf") == PDF_TAIL


def test_a_password_protected_pdf_is_refused():
    writer = files._writer()
    writer.encrypt("secret")
    assert refusal(files._pdf(writer), "poem.pdf") == PDF_PASSWORD


def test_a_pdf_without_pages_or_that_does_not_parse_is_refused_as_damaged():
    from pypdf import PdfWriter

    assert refusal(files._pdf(PdfWriter()), "poem.pdf") == PDF_BROKEN
    assert refusal(b"%PDF-1.4\nnot really a document\n%%EOF\n", "poem.pdf") == PDF_BROKEN


def test_the_object_cap_counts_every_object_once(monkeypatch):
    plain = files.plain_pdf()
    objects = len(pypdf.PdfReader(io.BytesIO(plain)).xref[0])
    monkeypatch.setattr(uploads, "PDF_MAX_OBJECTS", objects)
    assert check_entry_file(Upload("poem.pdf", plain)) == "pdf"
    monkeypatch.setattr(uploads, "PDF_MAX_OBJECTS", objects - 1)
    assert refusal(plain, "poem.pdf") == PDF_BROKEN


def pdf_with(key: str, value) -> bytes:
    """A plain PDF whose catalogue holds `key`, with every name spelt with a #xx escape so that
    only parsing (not the byte search) can find it."""
    writer = files._writer()
    writer._root_object[NameObject(key)] = value
    data = files._pdf(writer)
    for name in (b"JavaScript", b"Launch", b"FileAttachment", b"EmbeddedFiles"):
        data = data.replace(b"/" + name, b"/" + name[:1] + b"#" + name[1:2].hex().encode() + name[2:])
    assert not uploads.ACTIVE_BYTES.search(data)
    return data


@pytest.mark.parametrize(("key", "value"), [
    ("/OpenAction", DictionaryObject({NameObject("/S"): NameObject("/Launch")})),
    ("/Annot", DictionaryObject({NameObject("/Subtype"): NameObject("/FileAttachment")})),
    ("/Kind", DictionaryObject({NameObject("/Type"): NameObject("/EmbeddedFiles")})),
    ("/Names", DictionaryObject({NameObject("/JavaScript"): ArrayObject()})),
    ("/Actions", ArrayObject([NameObject("/Launch")])),
    ("/Action", NameObject("/JavaScript")),
], ids=["action-type", "annotation-subtype", "object-type", "key", "name-in-array", "name-value"])
def test_a_pdf_naming_an_active_thing_anywhere_is_refused(key, value):
    assert refusal(pdf_with(key, value), "poem.pdf") == PDF_ACTIVE


def test_a_pdf_naming_harmless_things_in_the_same_places_is_accepted():
    harmless = DictionaryObject({NameObject("/S"): NameObject("/GoTo"), NameObject("/Other"): NameObject("/Link")})
    assert check_entry_file(Upload("poem.pdf", pdf_with("/OpenAction", harmless))) == "pdf"



def pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF 1.5 whose object 5 (`hidden`) sits deflated in an object stream that nothing
    references: only the cross-reference stream lists it, and no byte search can see it."""
    head = b"%PDF-1.5\n"
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"]
    out = bytearray(head)
    offsets = {}
    for number, body in enumerate(objects, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    index = b"5 0 "
    packed = zlib.compress(index + hidden)
    offsets[4] = len(out)
    out += (b"4 0 obj\n<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
            % (len(index), len(packed)) + packed + b"\nendstream\nendobj\n")
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3, 4)]
    rows += [struct.pack(">BIH", 2, 4, 0)]  # object 5: the first in object stream 4
    offsets[6] = len(out)
    rows += [struct.pack(">BIH", 1, offsets[6], 0)]
    table = b"".join(rows)
    out += (b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Length %d>>\nstream\n" % len(table)
            + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def test_a_script_hidden_in_an_unreferenced_object_stream_is_found():
    assert check_entry_file(Upload("poem.pdf", pdf_with_object_stream(b"<</S/GoTo/D[3 0 R/Fit]>>"))) == "pdf"
    assert refusal(pdf_with_object_stream(b"<</S/JavaScript/JS(app.alert(1))>>"), "poem.pdf") == PDF_ACTIVE


def test_an_action_named_only_in_the_trailer_is_found():
    plain = files.plain_pdf()
    assert plain.count(b"trailer\n<<\n") == 1
    assert refusal(plain.replace(b"trailer\n<<\n", b"trailer\n<<\n/Act /L#61unch\n"), "poem.pdf") == PDF_ACTIVE


# Text ----------------------------------------------------------------------------------------

def test_markup_in_a_text_file_is_refused_and_a_poem_with_angle_brackets_is_not():
    assert refusal(b"<html><p>poem</p></html>", "poem.txt") == MARKUP
    assert check_entry_file(Upload("poem.txt", "бір < екі, үш > екі\n".encode())) == "txt"


# Names ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind", "offered"), [
    ("poem.svg", "txt", "poem.txt"), ("my.poem.html", "txt", "my.poem.txt"), ("poem", "pdf", "poem.pdf"),
    ("", "odt", "entry.odt"), (".svg", "txt", ".svg.txt"), ("T1-0007", "docx", "T1-0007.docx"),
])
def test_a_file_is_offered_under_its_name_with_the_suffix_of_its_kind(name, kind, offered):
    assert offered_name(name, kind) == offered


# Downloads ------------------------------------------------------------------------------------

@pytest.fixture
def download(client, db, login_as, make_participant, make_registration):
    """The participant's own download of a work stored with `values`."""

    def fetch(content: bytes = b"%PDF-1.4 ...", headers: dict | None = None, **values):
        me = login_as("participant")
        registration = make_registration(participant=make_participant(account=me))
        values.setdefault("file_type", "pdf")
        values.setdefault("file_original_name", "Өлең.pdf")
        if "file_name" not in values:
            values["file_name"] = file_store.write_bytes(db.session, uploads.ENTRY_AREA, ".bin", content)
        db.session.add(one_work_entry(registration, title="T", text="", file_size=12, **values))
        db.session.commit()
        return client.get(f"/entries/{registration.id}/works/1/file", headers=headers or {})

    return fetch


def test_a_download_is_an_attachment_of_the_checked_type_that_no_cache_keeps(download):
    response = download()
    assert response.status_code == 200 and response.data == b"%PDF-1.4 ..."
    assert response.headers["Content-Type"] == "application/pdf"
    # Өлең.pdf, with Werkzeug's ASCII fallback for old browsers
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=.pdf; filename*=UTF-8''%D3%A8%D0%BB%D0%B5%D2%A3.pdf")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_download_is_always_the_whole_file_with_no_partial_or_cached_answer(download):
    response = download(headers={"Range": "bytes=0-3"})
    assert response.status_code == 200 and response.data == b"%PDF-1.4 ..."
    assert "Accept-Ranges" not in response.headers and "Expires" not in response.headers


def test_a_file_sent_without_a_name_downloads_as_entry(download):
    response = download(file_original_name=None, file_type="odt")
    assert response.headers["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert response.headers["Content-Disposition"] == "attachment; filename=entry.odt"


@pytest.mark.parametrize("values", [
    {"file_type": "exe"}, {"file_type": None}, {"file_name": None}, {"file_name": "../../config.py"},
    {"file_name": "missing.bin"},
], ids=["unknown-type", "no-type", "no-file", "folder-in-name", "missing-on-disk"])
def test_a_work_without_a_servable_file_is_not_found(download, values):
    assert download(**values).status_code == 404


# What pypdf may inflate while reading the structure -------------------------------------------

def pdf_with_xref_stream(*, layers: int = 1, padding: int = 0, contents: bytes | None = None) -> bytes:
    """A one-page PDF whose cross-reference table is a stream (read when the file is opened),
    its rows followed by `padding` zero bytes, and wrapped in `layers` FlateDecode filters: the
    inner ones stored, not compressed, so each layer inflates to about the full size while the
    file stays small. `contents`: a stream object for the page (read by the active-content walk)."""
    out = bytearray(b"%PDF-1.5\n")
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10]" + (b" /Contents 4 0 R" if contents else b"") + b" >>"
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page]
    offsets = []
    for body in bodies + ([contents] if contents else []):
        offsets.append(len(out))
        out += f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n"
    number, xref_at = len(offsets) + 1, len(out)
    rows = struct.pack(">BIB", 0, 0, 255) + b"".join(struct.pack(">BIB", 1, at, 0) for at in (*offsets, xref_at))
    data = rows + bytes(padding)
    for _ in range(layers - 1):
        data = zlib.compress(data, 0)
    data = zlib.compress(data, 9)
    filters = " ".join(["/FlateDecode"] * layers)
    out += (f"{number} 0 obj\n<< /Type /XRef /Size {number + 1} /W [1 4 1] /Root 1 0 R /Filter [{filters}] "
            f"/Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def test_a_structure_stream_decoded_through_more_than_16_mib_is_refused_as_damaged():
    mib = 1024 * 1024
    assert check_entry_file(Upload("poem.pdf", pdf_with_xref_stream(layers=2, padding=3 * mib))) == "pdf"
    # two layers of 7 MiB: neither inflates past the cap, their decoding work together does
    assert refusal(pdf_with_xref_stream(layers=2, padding=7 * mib), "poem.pdf") == PDF_BROKEN


def test_a_stream_declaring_more_than_16_mib_is_refused_as_damaged():
    def declaring(length: int) -> bytes:
        return pdf_with_xref_stream(contents=f"<< /Length {length} >>\nstream\nBT ET\nendstream".encode())

    assert check_entry_file(Upload("poem.pdf", declaring(uploads.PDF_MAX_INFLATED))) == "pdf"
    assert refusal(declaring(uploads.PDF_MAX_INFLATED + 1), "poem.pdf") == PDF_BROKEN
