"""Entry files jurors will open: archives only through the capped helper, PDFs that cannot act,
text that is only text and always downloads as .txt."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from contest import files as file_store
from contest.errors import ServiceError
from contest.registration.models import Entry
from contest.registration.uploads import ENTRY_AREA, Upload, check_entry_file
from tests import upload_files as files
from tests.registration.helpers import one_work_entry

EN = {"Accept-Language": "en"}
BOMB = "zip bomb"
TOO_LARGE = "Unpacked, the file is too large (limit: 100 MB)."
ACTIVE_PDF = "The PDF file holds scripts, attached files or actions that start programs."
MARKUP = "This text file holds web page or image markup"


def refusal(data: bytes, name: str = "poem") -> str:
    with pytest.raises(ServiceError) as refused:
        check_entry_file(Upload(name, data))
    assert refused.value.field == "file"
    return str(refused.value.message)


@pytest.fixture
def english(app):
    with app.test_request_context(headers=EN):
        yield


@pytest.mark.parametrize(("build", "message"), [
    (files.odt_bomb, TOO_LARGE),
    (lambda: files.docx_unpacking_to(300), TOO_LARGE),
    (files.ratio_bomb, BOMB),
    (lambda: files.nested(files.DOCX_PARTS), "holds another archive inside it"),
    (lambda: files.encrypted(files.DOCX_PARTS), "password-protected"),
    (lambda: files.with_member_named(files.DOCX_PARTS, "../../word/evil.xml"), "unsafe names"),
    (lambda: files.many_members(files.DOCX_PARTS, 1001), "too many parts (limit: 1000)"),
], ids=["odt-400-mib-mimetype", "docx-300-mib", "ratio-bomb", "nested-zip", "encrypted", "path", "too-many"])
def test_hostile_office_files_are_refused_with_the_reason(english, build, message):
    assert message in refusal(build())


def test_a_small_odt_bomb_in_the_mimetype_is_refused_as_a_bomb(english):
    odt = files.ratio_bomb({"content.xml": b"<office:document-content/>"}, "mimetype")
    assert BOMB in refusal(odt)


def test_real_documents_still_pass(english):
    assert check_entry_file(Upload("poem.docx", files.zipped(files.DOCX_PARTS))) == "docx"
    odt = files.zipped({"mimetype": files.ODT_MIMETYPE, "content.xml": b"<office:document-content/>"})
    assert check_entry_file(Upload("poem.odt", odt)) == "odt"
    assert check_entry_file(Upload("poem.pdf", files.plain_pdf())) == "pdf"
    assert check_entry_file(Upload("poem.txt", "Қара өлең\nбір, екі < үш\n".encode())) == "txt"


@pytest.mark.parametrize(("build", "message"), [
    (files.pdf_with_javascript, ACTIVE_PDF),
    (files.pdf_with_hex_escaped_javascript, ACTIVE_PDF),
    (files.pdf_with_orphan_javascript, ACTIVE_PDF),
    (files.pdf_with_launch, ACTIVE_PDF),
    (files.pdf_with_attachment, ACTIVE_PDF),
    (lambda: files.plain_pdf() + files.zipped({"payload.exe": b"MZ"}), "other data attached after its end"),
    (lambda: files.plain_pdf() + b"<script>alert(1)</script>", "other data attached after its end"),
    (lambda: b"%PDF-1.4\nnot really a document\n%%EOF\n", "The PDF file is damaged"),
    (lambda: files.plain_pdf()[:200] + b"\n%%EOF\n", "The PDF file is damaged"),
], ids=["open-action-js", "hex-escaped-js", "orphan-js", "launch", "embedded-file", "zip-appended", "data-after-eof",
        "malformed", "truncated"])
def test_pdfs_that_could_act_or_hide_data_are_refused(english, build, message):
    assert message in refusal(build(), "poem.pdf")


def test_trailing_whitespace_after_the_end_of_a_pdf_is_fine(english):
    assert check_entry_file(Upload("poem.pdf", files.plain_pdf() + b"\r\n \n")) == "pdf"


@pytest.mark.parametrize("text", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<?xml version="1.0"?><poem/>',
    "<!DOCTYPE html><p>Өлең</p>",
    "Өлең\n<script>fetch('/my')</script>\n",
])
def test_text_that_is_markup_is_refused(english, text):
    assert MARKUP in refusal(text.encode(), "poem.svg")


# Downloads ------------------------------------------------------------------------------------

def stored_entry_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_DIR"]) / ENTRY_AREA
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def my_registration(login_as, make_participant, make_registration, open_contest):
    me = login_as("participant")
    return make_registration(contest=open_contest(), participant=make_participant(account=me))


def post_file(client, registration, data: bytes, name: str):
    return client.post_form(f"/my/registrations/{registration.id}",
                            {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                             "works-0-file": (io.BytesIO(data), name)},
                            headers=EN)


def test_the_odt_bomb_is_refused_beside_the_field_and_nothing_is_written(client, db, my_registration):
    for path in stored_entry_files():
        path.unlink()
    response = post_file(client, my_registration, files.odt_bomb(), "poem.odt")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="works-0-file-error"' in html and TOO_LARGE in html
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0 and stored_entry_files() == []


def test_a_text_file_called_svg_is_stored_and_served_as_plain_text(client, db, my_registration):
    response = post_file(client, my_registration, "Көктем келді\n".encode(), "poem.svg")
    assert response.status_code == 302
    work = db.session.scalar(select(Entry)).works[0]
    assert work.file_type == "txt" and work.file_original_name == "poem.txt"
    download = client.get(f"/entries/{my_registration.id}/works/1/file")
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["Content-Disposition"] == "attachment; filename=poem.txt"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/entries/{id}/works/1/file",
                                 "/manage/contests/{contest}/registrations/{id}/works/1/file"])
def test_an_older_text_entry_kept_under_an_svg_name_downloads_as_txt(client, db, login_as, make_registration,
                                                                     url):
    registration = make_registration()
    stored = file_store.write_bytes(db.session, ENTRY_AREA, ".txt", b"<svg><script>alert(1)</script></svg>")
    db.session.add(one_work_entry(registration, title="T", text="", file_name=stored,
                                  file_original_name="drawing.svg", file_type="txt", file_size=36))
    db.session.commit()
    login_as("organiser")
    download = client.get(url.format(id=registration.id, contest=registration.contest_id))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == "attachment; filename=drawing.txt"
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
