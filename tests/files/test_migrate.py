"""`flask files migrate`: the local store's files move into the database, each checked by SHA-256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.extensions import db
from contest.files.database import DatabaseFileStore, StoredFile
from tests.conftest import stored_bytes

FILES = {
    ("entries", "Qx3kP0aZ.pdf"): b"%PDF-1.4 " + os.urandom(2 * 1024 * 1024 + 5),  # three chunks
    ("news", "Ab12Cd34Ef56Gh78Ij90Kl-480.webp"): b"RIFF\x00\x00WEBPVP8 picture",
    ("certificates", "Zz9.zip"): b"PK\x05\x06" + b"\x00" * 18,
}


@pytest.fixture
def upload_dir(app, tmp_path) -> Path:
    """A disk of its own: the session's UPLOAD_DIR holds other tests' files."""
    previous = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path)
    for (area, name), data in FILES.items():
        (tmp_path / area).mkdir(exist_ok=True)
        (tmp_path / area / name).write_bytes(data)
    (tmp_path / "entries" / ".DS_Store").write_bytes(b"not ours")  # never a stored file's name
    yield tmp_path
    app.config["UPLOAD_DIR"] = previous


def migrate(app, *args: str):
    return app.test_cli_runner().invoke(args=["files", "migrate", *args])


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def test_every_file_is_copied_and_verified_and_a_second_run_moves_nothing(app, upload_dir, database_file_store):
    first = migrate(app)
    assert first.exit_code == 0, first.output
    assert f"Copied to the database and verified: 3 ({sum(map(len, FILES.values()))} bytes)" in first.output
    assert "Already in the database (same SHA-256): 0" in first.output
    assert "run again with --remove-local" in first.output
    for (area, name), data in FILES.items():
        assert stored_bytes(area, name) == data
        assert DatabaseFileStore().sha256(area, name) == hashlib.sha256(data).hexdigest()
        assert (upload_dir / area / name).read_bytes() == data  # kept until asked
    assert stored_count() == 3

    again = migrate(app)
    assert again.exit_code == 0, again.output
    assert "Copied to the database and verified: 0 (0 bytes)" in again.output
    assert "Already in the database (same SHA-256): 3" in again.output
    assert stored_count() == 3

    cleaned = migrate(app, "--remove-local")
    assert cleaned.exit_code == 0, cleaned.output
    assert f"Removed from {upload_dir}: 3" in cleaned.output
    assert not any((upload_dir / area / name).exists() for area, name in FILES)
    assert (upload_dir / "entries" / ".DS_Store").exists()
    assert all(stored_bytes(area, name) == data for (area, name), data in FILES.items())


def test_a_run_with_the_local_store_still_configured_says_so(app, upload_dir):
    result = migrate(app)
    assert result.exit_code == 0 and "FILE_STORE is not 'database'" in result.output


def test_a_different_file_of_the_same_name_in_the_database_is_reported_and_the_disk_copy_kept(
        app, upload_dir, database_file_store):
    with DatabaseFileStore().create(db.session, "entries", "Qx3kP0aZ.pdf") as stream:
        stream.write(b"%PDF-1.4 another poem")
    db.session.commit()
    result = migrate(app, "--remove-local")
    assert result.exit_code == 1
    assert "Not moved: entries/Qx3kP0aZ.pdf: a different file of this name is already in the database" in result.output
    assert "1 file(s) not moved" in result.output and "Copied to the database and verified: 2 (" in result.output
    assert (upload_dir / "entries" / "Qx3kP0aZ.pdf").read_bytes() == FILES[("entries", "Qx3kP0aZ.pdf")]
    assert stored_bytes("entries", "Qx3kP0aZ.pdf") == b"%PDF-1.4 another poem"


def test_a_copy_that_reads_back_different_is_dropped_and_the_disk_copy_kept(
        app, upload_dir, database_file_store, monkeypatch):
    read_back = DatabaseFileStore.chunks

    def damaged(store, area, name):
        for chunk in read_back(store, area, name):
            yield chunk[:-1] + b"?" if area == "news" else chunk

    monkeypatch.setattr(DatabaseFileStore, "chunks", damaged)
    result = migrate(app, "--remove-local")
    assert result.exit_code == 1
    assert "Not moved: news/Ab12Cd34Ef56Gh78Ij90Kl-480.webp: the copy in the database does not match" in result.output
    assert (upload_dir / "news" / "Ab12Cd34Ef56Gh78Ij90Kl-480.webp").exists()
    assert not DatabaseFileStore().exists("news", "Ab12Cd34Ef56Gh78Ij90Kl-480.webp")
    assert stored_count() == 2

    monkeypatch.setattr(DatabaseFileStore, "chunks", read_back)
    fixed = migrate(app, "--remove-local")  # the next run copies it again
    assert fixed.exit_code == 0 and "Copied to the database and verified: 1 (" in fixed.output
    assert stored_count() == 3 and not (upload_dir / "news" / "Ab12Cd34Ef56Gh78Ij90Kl-480.webp").exists()
