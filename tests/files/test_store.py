"""The file store's contract, for each store (local disk and the database, on SQLite and on
PostgreSQL alike): files follow the database transaction, stream chunk by chunk both ways and
are served as downloads with the same headers."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from contest import files
from contest.files.database import StoredFile, StoredFileChunk
from tests.conftest import is_stored, stored_bytes

FIVE_MIB_AND_A_BIT = 5 * files.CHUNK_SIZE + 17


def rows(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_files_get_random_names_and_names_cannot_escape(file_store, db):
    name = files.write_bytes(db.session, "entries", ".pdf", b"%PDF-1.4")
    db.session.commit()
    assert name.endswith(".pdf") and len(name) == 26
    assert stored_bytes("entries", name) == b"%PDF-1.4" and files.store().size("entries", name) == 8
    for bad in ("../secret", "..", "a/b.pdf", "a\\b.pdf", ".hidden", ""):
        with pytest.raises(FileNotFoundError):
            files.check_name(bad)
        with pytest.raises(FileNotFoundError):
            files.write_as(db.session, "entries", bad, lambda stream: stream.write(b"x"))


def test_a_file_written_in_a_rolled_back_transaction_leaves_nothing(file_store, db):
    name = files.write_bytes(db.session, "entries", ".txt", b"poem")
    db.session.rollback()
    assert not is_stored("entries", name)
    assert rows(db, StoredFile) == rows(db, StoredFileChunk) == 0


def test_a_file_that_fails_half_way_leaves_nothing_after_the_rollback(file_store, db):
    def fail_after_two_chunks(stream):
        stream.write(b"x" * 2 * files.CHUNK_SIZE)
        raise OSError("the client went away")

    with pytest.raises(OSError):
        files.write_as(db.session, "entries", "half-written.txt", fail_after_two_chunks)
    db.session.rollback()
    assert not is_stored("entries", "half-written.txt")
    assert rows(db, StoredFile) == rows(db, StoredFileChunk) == 0


def test_a_retired_file_goes_only_when_the_change_commits(file_store, db):
    name = files.write_bytes(db.session, "entries", ".txt", b"poem")
    db.session.commit()
    files.retire(db.session, "entries", name)
    db.session.rollback()
    assert stored_bytes("entries", name) == b"poem"
    files.retire(db.session, "entries", name)
    assert is_stored("entries", name)  # until the commit, every other reader still has it
    db.session.commit()
    assert not is_stored("entries", name)
    assert rows(db, StoredFile) == rows(db, StoredFileChunk) == 0
    with pytest.raises(FileNotFoundError):
        list(files.store().chunks("entries", name))


def test_a_large_file_is_written_and_read_in_chunks(file_store, db):
    data = bytes(range(256)) * (FIVE_MIB_AND_A_BIT // 256) + b"e" * (FIVE_MIB_AND_A_BIT % 256)
    name = files.copy_from(db.session, "certificates", ".zip", io.BytesIO(data))
    db.session.commit()
    chunks = list(files.store().chunks("certificates", name))
    assert [len(chunk) for chunk in chunks] == [files.CHUNK_SIZE] * 5 + [17]
    assert b"".join(chunks) == data and files.store().size("certificates", name) == len(data)
    if file_store == "database":
        assert rows(db, StoredFileChunk) == 6


def test_an_empty_file_is_stored_and_served(file_store, db, app):
    name = files.write_bytes(db.session, "entries", ".txt", b"")
    db.session.commit()
    assert stored_bytes("entries", name) == b""
    with app.test_request_context():
        response = files.send("entries", name, download_name="empty.txt")
        assert response.status_code == 200 and b"".join(response.response) == b""
        response.close()


def test_a_download_streams_from_the_store_with_the_same_headers(file_store, db, app):
    data = b"%PDF-1.4 " + b"x" * (2 * files.CHUNK_SIZE)
    name = files.copy_from(db.session, "entries", ".pdf", io.BytesIO(data))
    db.session.commit()
    with app.test_request_context():
        response = files.send("entries", name, mimetype="application/pdf", download_name="Әлихан өлеңі.pdf")
        assert response.is_streamed and response.direct_passthrough
        body = b"".join(response.response)
        response.close()
    assert body == data and response.content_length == len(data)
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (  # Werkzeug's, as before the store existed
        "attachment; filename=\" .pdf\"; filename*=UTF-8''%D3%98%D0%BB%D0%B8%D1%85%D0%B0%D0%BD%20"
        "%D3%A9%D0%BB%D0%B5%D2%A3%D1%96.pdf")


def test_a_picture_is_shown_inline_cached_and_answered_not_modified(file_store, db, app):
    name = files.write_bytes(db.session, "news", ".webp", b"RIFF....WEBP")
    db.session.commit()
    with app.test_request_context():
        first = files.send("news", name, max_age=3600)
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/webp"
    assert first.headers["Content-Disposition"] == f"inline; filename={name}"
    assert first.cache_control.public and first.cache_control.max_age == 3600
    first.close()
    with app.test_request_context(headers={"If-None-Match": first.headers["ETag"]}):
        again = files.send("news", name, max_age=3600)
    assert again.status_code == 304


def test_a_missing_file_is_a_404(file_store, db, app):
    from werkzeug.exceptions import NotFound

    with app.test_request_context(), pytest.raises(NotFound):
        files.send("entries", "nothing-here.pdf")
    with app.test_request_context(), pytest.raises(NotFound):
        files.send("entries", "../config.py")


def test_an_unknown_store_is_refused_at_start():
    from contest import create_app

    with pytest.raises(RuntimeError, match="FILE_STORE='s3' is not known"):
        create_app("testing", FILE_STORE="s3")
