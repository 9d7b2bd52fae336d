"""Files kept in the database (`FILE_STORE=database`), for several app servers behind one proxy.

Each file is a `stored_file` row (area, name, size, SHA-256) and its bytes are `stored_file_chunk`
rows of at most 1 MiB (bytea on PostgreSQL, BLOB on SQLite). Chunked rows rather than
PostgreSQL's large objects, because:
- the same code runs on SQLite and PostgreSQL, so the suite tests it on both;
- the rows are ordinary rows of the change's own transaction: an upload rolled back leaves
  nothing, a file retired goes with the commit that retires it, and deleting a row frees its
  bytes (a large object outlives a deleted reference until `vacuumlo` runs);
- `pg_dump` saves them with the rest of the data, with no large-object privileges to grant.

Writing never holds more than one chunk in memory; reading fetches one chunk per query, each
on a short connection of its own, so a download that outlives its request (the WSGI server
sends the body after the view has returned) holds no transaction open between two chunks."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO, cast

from flask import Response, send_file
from sqlalchemy import (
    BigInteger,
    Connection,
    ForeignKey,
    Integer,
    LargeBinary,
    Row,
    String,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, UTCDateTime, utcnow
from contest.extensions import db
from contest.files import CHUNK_SIZE, AnySession

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer


class StoredFile(Base):
    __tablename__ = "stored_file"
    # An id is never reused (SQLite's AUTOINCREMENT): a download still reading a removed file's
    # chunks must not go on with those of a newer file.
    __table_args__ = (UniqueConstraint("area", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoredFileChunk(Base):
    __tablename__ = "stored_file_chunk"

    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, 2… in the file's order
    data: Mapped[bytes] = mapped_column(LargeBinary)


class _ChunkWriter(io.RawIOBase):
    """A writable stream that inserts a chunk row each time CHUNK_SIZE bytes have come in."""

    def __init__(self, connection: Connection, file_id: int) -> None:
        super().__init__()
        self.connection = connection
        self.file_id = file_id
        self.pending = bytearray()
        self.position = 0
        self.size = 0
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        block = bytes(data)
        self.pending += block
        self.size += len(block)
        self.digest.update(block)
        while len(self.pending) >= CHUNK_SIZE:
            self._insert(bytes(self.pending[:CHUNK_SIZE]))
            del self.pending[:CHUNK_SIZE]
        return len(block)

    def finish(self) -> None:
        if self.pending:
            self._insert(bytes(self.pending))
            self.pending.clear()
        self.connection.execute(update(StoredFile).where(StoredFile.id == self.file_id)
                             .values(size=self.size, sha256=self.digest.hexdigest()))

    def _insert(self, data: bytes) -> None:
        self.connection.execute(insert(StoredFileChunk).values(file_id=self.file_id, position=self.position, data=data))
        self.position += 1


class _ChunkReader(io.RawIOBase):
    """A readable stream over chunks, for `send_file`, which reads its body in small blocks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self.chunks = chunks
        self.current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self.current:
            block = next(self.chunks, None)
            if block is None:
                return 0
            self.current = memoryview(block)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self.current))
        target[:count] = self.current[:count]
        self.current = self.current[count:]
        return count

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()
        super().close()


class DatabaseFileStore:
    def __init__(self) -> None:
        self.engine = db.engine  # bound now: the body of a download is read after its request ends

    # Writing and removing go through the session's connection, in its transaction, but not
    # through the ORM: no autoflush of objects the caller is still putting together, and no
    # chunk kept in the identity map.

    @contextmanager
    def create(self, session: AnySession, area: str, name: str) -> Iterator[BinaryIO]:
        connection = session.connection()
        file_id = connection.execute(insert(StoredFile).values(
            area=area, name=name, size=0, sha256="", created_at=utcnow()).returning(StoredFile.id)).scalar_one()
        writer = _ChunkWriter(connection, file_id)
        yield cast(BinaryIO, writer)
        writer.finish()

    def remove(self, session: AnySession, area: str, name: str) -> None:
        connection = session.connection()
        found = select(StoredFile.id).where(StoredFile.area == area, StoredFile.name == name).scalar_subquery()
        connection.execute(delete(StoredFileChunk).where(StoredFileChunk.file_id == found))
        connection.execute(delete(StoredFile).where(StoredFile.area == area, StoredFile.name == name))

    def check(self) -> None:
        """The files' tables answer (their database is the one /readyz checks anyway; this finds a
        missing migration)."""
        with self.engine.connect() as connection:
            connection.execute(select(StoredFile.id).limit(1))

    def exists(self, area: str, name: str) -> bool:
        try:
            self._find(area, name)
        except FileNotFoundError:
            return False
        return True

    def size(self, area: str, name: str) -> int:
        return self._find(area, name).size

    def sha256(self, area: str, name: str) -> str:
        return self._find(area, name).sha256

    def chunks(self, area: str, name: str) -> Iterator[bytes]:
        found = self._find(area, name)
        return self._read(found.id, found.size)

    def send(self, area: str, name: str, *, mimetype: str | None, download_name: str | None,
             max_age: int | None, conditional: bool) -> Response:
        found = self._find(area, name)
        body = io.BufferedReader(_ChunkReader(self._read(found.id, found.size)), CHUNK_SIZE)
        response = send_file(body, mimetype=mimetype, as_attachment=download_name is not None,
                             download_name=download_name or name, max_age=max_age, conditional=conditional,
                             etag=found.sha256, last_modified=found.created_at)
        if response.status_code == 200:
            response.content_length = found.size
        else:  # not modified: no body will be read
            body.close()
        return response

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        # `read_only`: on SQLite a deferred BEGIN, which neither waits for a writer nor holds one up.
        with self.engine.connect().execution_options(read_only=True) as connection:
            yield connection

    def _find(self, area: str, name: str) -> Row[int, int, str, datetime]:
        """The file's id, size, SHA-256 and time of creation."""
        with self._reading() as connection:
            row = connection.execute(select(StoredFile.id, StoredFile.size, StoredFile.sha256, StoredFile.created_at)
                                     .where(StoredFile.area == area, StoredFile.name == name)).one_or_none()
        if row is None:
            raise FileNotFoundError(name)
        return row

    def _read(self, file_id: int, size: int) -> Iterator[bytes]:
        position = sent = 0
        while sent < size:
            with self._reading() as connection:
                data = connection.scalar(select(StoredFileChunk.data).where(
                    StoredFileChunk.file_id == file_id, StoredFileChunk.position == position))
            if data is None:
                raise FileNotFoundError(f"stored file {file_id} was removed while being read")
            yield bytes(data)
            sent += len(data)
            position += 1
