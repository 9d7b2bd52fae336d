"""Uploaded files follow the database transaction."""

from __future__ import annotations

import pytest

from contest import files


def test_files_get_random_names_and_paths_cannot_escape(app, db):
    name = files.write_bytes(db.session, "entries", ".pdf", b"%PDF-1.4")
    assert name.endswith(".pdf") and len(name) == 26
    assert files.path_of("entries", name).read_bytes() == b"%PDF-1.4"
    for bad in ("../secret", "..", "a/b.pdf", ".hidden", ""):
        with pytest.raises(FileNotFoundError):
            files.path_of("entries", bad)


def test_a_file_written_in_a_rolled_back_transaction_is_removed(app, db):
    name = files.write_bytes(db.session, "entries", ".txt", b"poem")
    db.session.rollback()
    assert not files.path_of("entries", name).exists()


def test_a_retired_file_goes_only_when_the_change_commits(app, db):
    name = files.write_bytes(db.session, "entries", ".txt", b"poem")
    db.session.commit()
    files.retire(db.session, "entries", name)
    db.session.rollback()
    assert files.path_of("entries", name).exists()
    files.retire(db.session, "entries", name)
    db.session.commit()
    assert not files.path_of("entries", name).exists()
