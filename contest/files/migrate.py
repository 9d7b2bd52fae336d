"""`flask --app contest files migrate`: move the files of the local store (UPLOAD_DIR) into the
database store, for a site that goes from one machine to several.

Each file is copied in its own transaction, read back from the database and compared with the
disk copy by SHA-256. A run is idempotent: a file already in the database with the same hash is
counted as such and not copied again. The disk copy stays unless `--remove-local` is given, and
even then goes only once its database copy has been verified, so a run can be repeated or
interrupted at any point without losing a file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from contest.extensions import db
from contest.files import check_name
from contest.files.database import DatabaseFileStore
from contest.files.local import LocalFileStore


@dataclass
class Report:
    moved: int = 0
    moved_bytes: int = 0
    already_there: int = 0
    removed_from_disk: int = 0
    failed: list[str] = field(default_factory=list)


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def local_files(source: LocalFileStore) -> Iterator[tuple[str, str]]:
    """(area, name) of every file under UPLOAD_DIR a store could hold, in a stable order."""
    if not source.root.is_dir():
        return
    for area in sorted(path for path in source.root.iterdir() if path.is_dir()):
        for path in sorted(area.iterdir()):
            if path.is_file() and _storable(path.name):
                yield area.name, path.name


def _storable(name: str) -> bool:
    try:
        check_name(name)
    except FileNotFoundError:
        return False
    return True


def migrate_to_database(source: LocalFileStore, target: DatabaseFileStore, *, remove_local: bool) -> Report:
    report = Report()
    for area, name in local_files(source):
        expected = sha256_of(source.chunks(area, name))
        if target.exists(area, name):
            if target.sha256(area, name) != expected:
                report.failed.append(f"{area}/{name}: a different file of this name is already in the database")
                continue
            report.already_there += 1
        else:
            _copy(source, target, area, name)
            if sha256_of(target.chunks(area, name)) != expected:
                _drop(target, area, name)  # the next run copies it again
                report.failed.append(f"{area}/{name}: the copy in the database does not match the disk")
                continue
            report.moved += 1
            report.moved_bytes += source.size(area, name)
        if remove_local:
            source.path(area, name).unlink()
            report.removed_from_disk += 1
    return report


def _copy(source: LocalFileStore, target: DatabaseFileStore, area: str, name: str) -> None:
    with target.create(db.session, area, name) as stream:
        for chunk in source.chunks(area, name):
            stream.write(chunk)
    db.session.commit()


def _drop(target: DatabaseFileStore, area: str, name: str) -> None:
    target.remove(db.session, area, name)
    db.session.commit()


files_group = AppGroup("files", help="The file store (see FILE_STORE).")


@files_group.command("migrate")
@click.option("--remove-local", is_flag=True,
              help="Delete each file from UPLOAD_DIR once its copy in the database is verified.")
def migrate_command(remove_local: bool) -> None:
    """Copy the files under UPLOAD_DIR into the database store, checking each by SHA-256."""
    source = LocalFileStore(Path(current_app.config["UPLOAD_DIR"]))
    report = migrate_to_database(source, DatabaseFileStore(), remove_local=remove_local)
    click.echo(f"Copied to the database and verified: {report.moved} ({report.moved_bytes} bytes)")
    click.echo(f"Already in the database (same SHA-256): {report.already_there}")
    if remove_local:
        click.echo(f"Removed from {source.root}: {report.removed_from_disk}")
    else:
        click.echo(f"The copies in {source.root} are kept; run again with --remove-local to delete "
                   "those verified in the database.")
    if current_app.config["FILE_STORE"] != "database":
        click.echo("FILE_STORE is not 'database': the site still serves the files from the disk.")
    for failure in report.failed:
        click.echo(f"Not moved: {failure}", err=True)
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} file(s) not moved; their copies on the disk are kept.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(files_group)
