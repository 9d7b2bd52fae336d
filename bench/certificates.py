"""Certificates benchmark: 1,000 certificates into a streamed ZIP against a bare page.

    python bench/certificates.py

The baseline renders the very same documents with the same fonts and layout but without the
QR symbol, interleaved with the ZIP run: each bare page is rendered just before the ZIP asks
for its certificate, and its time is taken out of the ZIP's, so both see the same machine
load even on a busy machine. Prints pages per second for both, the size per PDF and the peak
traced memory of the ZIP run at two lengths (it must not grow with the number of
certificates); the last line is `ratio: <ZIP pages per second / bare pages per second>`.
The database reads come later with issuing; here the documents are built in memory.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw  # noqa: E402

from contest import create_app  # noqa: E402
from contest.certificates import Document, DocumentKind, Signatory, new_code, render, write_zip  # noqa: E402

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


def documents(count: int) -> list[Document]:
    logo, signature = _png(360, 160, "#1d3557"), _png(300, 100, "#202060")
    result = []
    for index in range(count):
        code = new_code()
        result.append(Document(
            kind=KINDS[index % 3], language=LANGUAGES[index % 3],
            holder_name=f"{GIVEN[index % len(GIVEN)]} {FAMILY[index % len(FAMILY)]}",
            contest_title="«Абай оқулары» қалалық мәнерлеп оқу байқауы",
            dedication="Абай Құнанбайұлының 180 жылдығына арналған",
            place=(index % 3) + 1 if index % 3 == 0 else None, award_name="Бас жүлде" if index % 3 == 0 else "",
            category="Поэзия", date=date(2027, 5, 15),
            body="Байқауға белсене қатысып, өлең сөзге деген сүйіспеншілігін танытқаны үшін марапатталады.\n"
                 "Алматы қаласының Орталықтандырылған кітапханалар жүйесі",
            signatories=(Signatory("Гүлнар Сейітова", "Директор", signature),
                         Signatory("Ерлан Әбенов", "Қазылар алқасының төрағасы")),
            logo=logo, frame_style=("classic", "modern")[index % 2],
            verification_code=code, verification_url=f"https://konkurs.almatylib.kz/verify/{code}"))
    return result


def interleaved_runs(batch: list[Document]) -> tuple[float, float, int]:
    """(bare seconds, ZIP seconds, ZIP bytes) for the batch, measured side by side."""
    bare_seconds = 0.0

    def documents():
        nonlocal bare_seconds
        for document in batch:
            started = time.perf_counter()
            render(document, qr=False)
            bare_seconds += time.perf_counter() - started
            yield document

    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        write_zip(documents(), output)
        total = time.perf_counter() - started
        return bare_seconds, total - bare_seconds, output.tell()


def traced_peak(batch: list[Document]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    with tempfile.TemporaryFile() as output:
        write_zip(iter(batch), output)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    app = create_app("testing")
    with app.app_context():
        batch = documents(COUNT)
        interleaved_runs(batch[:20])  # load fonts and catalogs before timing
        bare_seconds, zip_seconds, zip_bytes = interleaved_runs(batch)
        with tempfile.TemporaryFile() as output:
            write_zip(iter(batch[:1]), output)
            output.seek(0)
            single = zipfile.ZipFile(output).infolist()[0].file_size
        small_peak, full_peak = traced_peak(batch[:COUNT // 4]), traced_peak(batch)

    bare_rate, zip_rate = COUNT / bare_seconds, COUNT / zip_seconds
    print(f"bare page, no QR:           {bare_rate:7.1f} pages/s ({COUNT} pages)")
    print(f"certificates with QR + ZIP: {zip_rate:7.1f} pages/s ({COUNT} PDFs, {zip_bytes / 1e6:.1f} MB ZIP)")
    print(f"size per PDF:               {zip_bytes / COUNT / 1024:.1f} KB in the ZIP, {single / 1024:.1f} KB one PDF")
    print(f"peak traced memory:         {small_peak / 1e6:.2f} MB for {COUNT // 4} PDFs,"
          f" {full_peak / 1e6:.2f} MB for {COUNT}")
    print(f"ratio: {zip_rate / bare_rate:.2f}")


if __name__ == "__main__":
    main()
