"""Backups of the database and the uploaded files together, in one tar archive.

    flask --app contest backup create /var/backups/contest/2026-12-05.tar
    flask --app contest backup restore /var/backups/contest/2026-12-05.tar

The archive holds `manifest.json` (which database, which schema revision, when), the database
(PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore`; SQLite: a copy made with
SQLite's online backup API, consistent while the site writes) and `uploads/`, the upload folder
(entry files, covers, generated certificates). Files kept inside the database travel in its dump.

A restore goes into an empty database (a new one, not yet migrated): restoring over live data
would mix two states of the site. The database is restored in one transaction, then the files."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from contest.db import utcnow
from contest.extensions import db

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    database: str
    revision: str | None
    created_at: str
    format: int = FORMAT_VERSION

    @property
    def dump_name(self) -> str:
        return DUMP_NAMES[self.database]


# Database dumps ------------------------------------------------------------------------------

def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in DUMP_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {name}.")
    return name


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The address pg_dump and pg_restore connect to, and their environment: the password goes
    in PGPASSWORD, never on a command line that `ps` shows."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, environment


def _run_pg(arguments: list[str]) -> None:
    address, environment = _libpq(db.engine.url)
    try:
        subprocess.run([*arguments, f"--dbname={address}"], env=environment, check=True,
                       capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{arguments[0]} is not installed (Debian: apt-get install postgresql-client).") from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{arguments[0]} failed: {error.stderr.strip()}") from None


@contextmanager
def _sqlite_connection() -> Iterator[sqlite3.Connection]:
    """The configured database's own sqlite3 connection, given back to the pool afterwards."""
    pooled = db.engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        yield connection
    finally:
        pooled.close()


def dump_database(target: Path, dialect: str) -> None:
    if dialect == "postgresql":
        _run_pg(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
        return
    copy = sqlite3.connect(target)
    try:
        with _sqlite_connection() as connection:
            connection.backup(copy)
    finally:
        copy.close()


def load_database(source: Path, dialect: str) -> None:
    if dialect == "postgresql":
        _run_pg(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                 str(source)])
        return
    copy = sqlite3.connect(source)
    try:
        with _sqlite_connection() as connection:
            copy.backup(connection)
    finally:
        copy.close()


def schema_revision() -> str | None:
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_empty_database() -> None:
    tables = inspect(db.engine).get_table_names()
    if tables:
        raise BackupError(f"The database already has {len(tables)} tables. Restore into a new, empty "
                          "database (create it, point DATABASE_URL at it, do not run `db upgrade`).")


# The archive ---------------------------------------------------------------------------------

def create_backup(path: Path) -> Manifest:
    """Write the database and the upload folder to the tar archive `path`."""
    dialect = _dialect()
    manifest = Manifest(database=dialect, revision=schema_revision(), created_at=utcnow().isoformat())
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    uploads = Path(current_app.config["UPLOAD_DIR"])
    # Next to the archive, not in /tmp: a dump may be larger than a small /tmp.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        dump = Path(work) / manifest.dump_name
        dump_database(dump, dialect)
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest.__dict__, indent=2).encode())
            archive.add(dump, arcname=manifest.dump_name)
            if uploads.is_dir():
                archive.add(uploads, arcname=UPLOADS)
        os.replace(partial, path)  # a crash never leaves a half-written archive under the real name
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mtime = int(utcnow().timestamp())
    archive.addfile(member, io.BytesIO(data))


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = Manifest(**json.loads(member.read() if member else b""))
    except (KeyError, TypeError, ValueError):
        raise BackupError("This is not a backup made by `flask backup create` (no valid manifest.json).") from None
    if manifest.format != FORMAT_VERSION or manifest.database not in DUMP_NAMES:
        raise BackupError(f"Unknown backup format {manifest.format} for {manifest.database}.")
    return manifest


def restore_backup(path: Path) -> Manifest:
    """Restore the archive `path` into the configured (empty) database and the upload folder."""
    dialect = _dialect()
    with (_open_archive(path) as archive,
          tempfile.TemporaryDirectory(dir=path.resolve().parent, prefix=".restore-") as work):
        manifest = read_manifest(archive)
        if manifest.database != dialect:
            raise BackupError(f"This backup is of a {manifest.database} database; DATABASE_URL points at {dialect}.")
        ensure_empty_database()
        # filter="data" refuses absolute paths, links out of the folder and device files.
        archive.extract(manifest.dump_name, work, filter="data")
        load_database(Path(work) / manifest.dump_name, dialect)
        uploads = [member for member in archive.getmembers() if member.name.startswith(UPLOADS + "/")]
        if uploads:
            _restore_uploads(archive, uploads, Path(work))
    return manifest


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Cannot read {path}: {error}") from None


def _restore_uploads(archive: tarfile.TarFile, members: list[tarfile.TarInfo], work: Path) -> None:
    """Unpack into a scratch folder first, then move each file into place: the upload folder
    never holds a file cut short by a full disk."""
    archive.extractall(work, members=members, filter="data")
    target = Path(current_app.config["UPLOAD_DIR"])
    for source in (work / UPLOADS).rglob("*"):
        if source.is_file():
            destination = target / source.relative_to(work / UPLOADS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, destination)


# Command line --------------------------------------------------------------------------------

def register_cli(app: Flask) -> None:
    group = AppGroup("backup", help="Back up and restore the database and the uploaded files together.")

    @group.command("create")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def create(path: Path) -> None:
        """Write a backup archive (tar) of the database and the upload folder to PATH."""
        try:
            manifest = create_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backed up the {manifest.database} database (revision {manifest.revision}) "
                   f"and the uploaded files to {path}")

    @group.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore(path: Path) -> None:
        """Restore the backup archive PATH into an empty database and the upload folder."""
        try:
            manifest = restore_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored the {manifest.database} database (revision {manifest.revision}) "
                   f"and the uploaded files from {path}")

    app.cli.add_command(group)
