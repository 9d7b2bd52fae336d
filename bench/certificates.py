"""Certificates benchmark: 1,000 certificates into a streamed ZIP against a bare page.

    python bench/certificates.py

The baseline renders the very same documents with the same fonts and layout but without the
QR symbol, interleaved with the ZIP run: each bare page is rendered just before the ZIP asks
for its certificate, and its time is taken out of the ZIP's, so both see the same machine
load even on a busy machine. Prints pages per second for both, the size per PDF and the peak
traced memory of the ZIP run at two lengths (it must not grow with the number of
certificates); the last line is `ratio: <ZIP pages per second / bare pages per second>`.
The certificates are read from a database (SQLite in a temporary file, or
`BENCH_DATABASE_URL`): 1,000 issued rows of one contest with its settings, logo and
signatures, turned into documents by the issuing code (`services.printable_documents`) while
the ZIP is written, exactly as the background job does.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw  # noqa: E402

from contest import create_app  # noqa: E402
from contest.certificates import (  # noqa: E402
    DocumentKind,
    new_code,
    render,
    services,  # noqa: E402
    write_zip,
)
from contest.certificates.models import Certificate, CertificateSettings, CertificateSignatory  # noqa: E402
from contest.contests.models import Contest  # noqa: E402
from contest.db import utcnow  # noqa: E402
from contest.extensions import db  # noqa: E402

COUNT = 1000
GIVEN = ["Әлихан", "Ғалым", "Айгерім", "Нұрсұлтан", "Ğalym", "Äsel", "Мария", "Ілияс", "Ұлжан", "Qanat"]
FAMILY = ["Бөкейхан", "Жұмабайұлы", "Сәтбаева", "Jūmabaiūly", "Öserbaev", "Иванова", "Қасымов", "Үмбетова"]
KINDS = list(DocumentKind)
LANGUAGES = ["kk", "ru", "en"]


def _png(width: int, height: int, colour: str) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, width - 4, height - 4), outline=colour, width=6)
    draw.line((10, height // 2, width - 10, height // 3), fill=colour, width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def seed(count: int) -> Contest:
    """A published contest with its settings and `count` issued certificates, committed."""
    logo, signature = _png(360, 160, "#1d3557"), _png(300, 100, "#202060")
    contest = Contest(slug="bench", kind="recitation", level="city", status="results_published",
                      title_kk="«Абай оқулары» қалалық мәнерлеп оқу байқауы", title_ru="«Абай оқулары»",
                      title_en="Abai readings", dedication_kk="Абай Құнанбайұлының 180 жылдығына арналған",
                      registration_opens_at=utcnow() - timedelta(days=60),
                      registration_closes_at=utcnow() - timedelta(days=30), event_at=utcnow() - timedelta(days=20))
    db.session.add(contest)
    db.session.flush()
    settings = CertificateSettings(contest_id=contest.id, frame_style="classic", logo=logo, texts={
        kind.value: {language: services.default_text(kind, language) for language in LANGUAGES}
        for kind in DocumentKind})
    settings.signatories = [
        CertificateSignatory(contest_id=contest.id, position=0, name="Гүлнар Сейітова", title="Директор",
                             signature=signature),
        CertificateSignatory(contest_id=contest.id, position=1, name="Ерлан Әбенов",
                             title="Қазылар алқасының төрағасы")]
    db.session.add(settings)
    db.session.add_all(Certificate(
        contest_id=contest.id, kind=KINDS[index % 3].value, code=new_code(), holder_key=f"bench:{index}",
        language=LANGUAGES[index % 3], holder_name=f"{GIVEN[index % len(GIVEN)]} {FAMILY[index % len(FAMILY)]}",
        place=1 if index % 3 == 0 else None, award_name="Бас жүлде" if index % 3 == 0 else "",
        category_name="Поэзия", issued_at=utcnow(), revoke_reason="") for index in range(count))
    db.session.commit()
    return contest


def database_documents(contest: Contest, limit: int | None = None):
    """Read from the database in batches and built into documents, as the background job does."""
    setup = services.print_setup(contest, "https://konkurs.almatylib.kz")
    for index, document in enumerate(services.printable_documents(contest, setup)):
        if limit is not None and index >= limit:
            return
        yield document


def interleaved_runs(contest: Contest, limit: int | None = None) -> tuple[float, float, int, int]:
    """(bare seconds, ZIP seconds, ZIP bytes, count) measured side by side. The ZIP's time includes
    the database reads, the QR code and writing the ZIP; each bare page (same document, no QR,
    no database) is rendered just before the ZIP takes its document and its time is taken out."""
    bare_seconds = 0.0
    count = 0

    def documents():
        nonlocal bare_seconds, count
        for document in database_documents(contest, limit):
            started = time.perf_counter()
            render(document, qr=False)
            bare_seconds += time.perf_counter() - started
            count += 1
            yield document

    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        write_zip(documents(), output)
        total = time.perf_counter() - started
        return bare_seconds, total - bare_seconds, output.tell(), count


def traced_peak(contest: Contest, limit: int) -> int:
    db.session.expire_all()
    tracemalloc.start()
    tracemalloc.reset_peak()
    with tempfile.TemporaryFile() as output:
        write_zip(database_documents(contest, limit), output)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite3"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.drop_all()
            db.create_all()
            contest = seed(COUNT)
            interleaved_runs(contest, 20)  # load fonts and catalogs before timing
            db.session.expire_all()
            bare_seconds, zip_seconds, zip_bytes, count = interleaved_runs(contest)
            assert count == COUNT, count
            with tempfile.TemporaryFile() as output:
                write_zip(database_documents(contest, 1), output)
                output.seek(0)
                single = zipfile.ZipFile(output).infolist()[0].file_size
            small_peak, full_peak = traced_peak(contest, COUNT // 4), traced_peak(contest, COUNT)
            db.session.remove()
            db.engine.dispose()

    bare_rate, zip_rate = COUNT / bare_seconds, COUNT / zip_seconds
    print(f"bare page, no QR:                   {bare_rate:7.1f} pages/s ({COUNT} pages)")
    print(f"from the database, QR, ZIP written: {zip_rate:7.1f} pages/s ({COUNT} PDFs,"
          f" {zip_bytes / 1e6:.1f} MB ZIP)")
    print(f"size per PDF:                       {zip_bytes / COUNT / 1024:.1f} KB in the ZIP,"
          f" {single / 1024:.1f} KB one PDF")
    print(f"peak traced memory:                 {small_peak / 1e6:.2f} MB for {COUNT // 4} PDFs,"
          f" {full_peak / 1e6:.2f} MB for {COUNT}")
    print(f"ratio: {zip_rate / bare_rate:.2f}")


if __name__ == "__main__":
    main()
