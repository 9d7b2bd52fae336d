"""The certificate renderer: what a holder, a printer and a verifier see in the PDF."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from contest.certificates.codes import CODE_BITS, new_code, normalize_code
from contest.certificates.pdf import (
    FRAME_STYLES,
    NAME_WIDTH,
    Document,
    DocumentKind,
    ImageError,
    Signatory,
    fit_font_size,
    fit_line,
    is_image,
    render,
    render_many,
    write_zip,
)
from contest.fonts import FILES, LICENCE, REQUIRED_CHARACTERS, SERIF_BOLD, missing_characters

URL = "https://konkurs.example.kz/verify/"


def png(width: int = 240, height: int = 120, colour: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_document(**values) -> Document:
    code = values.pop("verification_code", None) or new_code()
    defaults = dict(
        kind=DocumentKind.WINNER_DIPLOMA, language="kk", holder_name="Әлихан Бөкейхан",
        contest_title="«Абай оқулары» мәнерлеп оқу байқауы", dedication="Абай Құнанбайұлының 180 жылдығына арналған",
        award="Бас жүлде", category="Поэзия", date=date(2027, 5, 15),
        body="Байқауда көрсеткен шеберлігі үшін марапатталады.",
        signatories=(Signatory("Ğalym Jūmabaiūly", "Қазылар алқасының төрағасы"),),
        verification_code=code, verification_url=URL + code)
    return Document(**{**defaults, **values})


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def decoded_qr_codes(data: bytes) -> list[str]:
    """Rasterise the first page as a printer would (150 dpi) and scan it like a phone."""
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=150 / 72).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


# Fonts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("font", list(FILES))
def test_every_font_covers_kazakh_cyrillic_and_latin(font):
    assert "әғқңөұүһіӘҒҚҢӨҰҮҺІ" in REQUIRED_CHARACTERS and "äğıñöşūüÄĞİÑÖŞŪÜ" in REQUIRED_CHARACTERS
    assert missing_characters(font) == []


def test_font_licence_ships_with_the_fonts():
    licence = LICENCE.read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence
    assert all((LICENCE.parent / filename).is_file() for filename in FILES.values())


def test_fonts_are_embedded_as_subsets():
    reader = PdfReader(io.BytesIO(render(make_document())))
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    used = [font for font in fonts if font["/Subtype"] == "/TrueType"]
    assert len(used) == 3  # sans, sans bold, serif bold
    for font in used:
        descriptor = font["/FontDescriptor"].get_object()
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVu.+", font["/BaseFont"]), font["/BaseFont"]
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000


# Text -----------------------------------------------------------------------------------

def test_kazakh_names_in_both_scripts_are_extracted_exactly():
    text = page_texts(render(make_document()))[0]
    assert "Әлихан Бөкейхан" in text
    assert "Ğalym Jūmabaiūly" in text
    assert "«Абай оқулары» мәнерлеп оқу байқауы" in text


@pytest.mark.parametrize(("kind", "language", "title"), [
    (DocumentKind.WINNER_DIPLOMA, "kk", "ДИПЛОМ"),
    (DocumentKind.PARTICIPATION_CERTIFICATE, "kk", "СЕРТИФИКАТ"),
    (DocumentKind.LETTER_OF_THANKS, "kk", "АЛҒЫС ХАТ"),
    (DocumentKind.LETTER_OF_THANKS, "ru", "БЛАГОДАРСТВЕННОЕ ПИСЬМО"),
    (DocumentKind.WINNER_DIPLOMA, "ru", "ДИПЛОМ"),
    (DocumentKind.PARTICIPATION_CERTIFICATE, "en", "CERTIFICATE"),
])
def test_heading_is_printed_in_the_holders_language(kind, language, title):
    text = page_texts(render(make_document(kind=kind, language=language)))[0]
    assert title in text.splitlines()


def test_place_category_and_date_follow_the_language():
    kazakh = page_texts(render(make_document(language="kk")))[0]
    russian = page_texts(render(make_document(language="ru")))[0]
    assert "Бас жүлде" in [line.strip() for line in kazakh.splitlines()] and "орын" not in kazakh
    assert "Санат: Поэзия" in kazakh
    assert "2027 жылғы 15 мамыр" in kazakh
    assert "место" not in russian and "Категория: Поэзия" in russian and "15 мая 2027 г." in russian


def test_long_name_shrinks_to_fit_its_line():
    name = "Әлихан-Нұрсұлтан Бөкейхан-Жұмабайұлы Қасымжомарт-Ғалымжанұлы Сәтбаев-Үмбетов"
    size = fit_font_size(name, SERIF_BOLD, 30, NAME_WIDTH)
    assert size < 30
    assert stringWidth(name, SERIF_BOLD, size) <= NAME_WIDTH
    assert fit_font_size("Әлихан Бөкейхан", SERIF_BOLD, 30, NAME_WIDTH) == 30
    assert name in page_texts(render(make_document(holder_name=name)))[0]


def test_absurdly_long_name_is_cut_with_an_ellipsis_within_the_line():
    text, size = fit_line("Бөкейхан " * 60, SERIF_BOLD, 30, NAME_WIDTH)
    assert text.endswith("…") and stringWidth(text, SERIF_BOLD, size) <= NAME_WIDTH


def test_markup_in_a_name_is_printed_as_literal_text_and_control_characters_dropped():
    name = "<b>Ann</b> &amp; <font color=red>X</font>\x00\x1b\u202e\u200b Lee"
    text = page_texts(render(make_document(holder_name=name)))[0]
    assert "<b>Ann</b> &amp; <font color=red>X</font> Lee" in text
    assert not {"\x00", "\x1b", "\u202e", "\u200b"} & set(text)


def test_long_body_text_stays_inside_its_box():
    body = "\n".join(["Байқауға белсене қатысып, өлең сөзге деген сүйіспеншілігін танытқаны үшін."] * 30)
    text = page_texts(render(make_document(body=body)))[0]
    assert "Байқауға белсене қатысып" in text
    assert text.count("Байқауға") < 30  # what does not fit even in small type is left out


# QR and codes ---------------------------------------------------------------------------

@pytest.mark.parametrize("frame_style", list(FRAME_STYLES))
def test_qr_code_decodes_to_the_verification_url(frame_style):
    document = make_document(frame_style=frame_style)
    assert decoded_qr_codes(render(document)) == [document.verification_url]


def test_qr_code_decodes_for_many_codes():
    for _ in range(5):
        document = make_document(language="ru", logo=png())
        assert decoded_qr_codes(render(document)) == [document.verification_url]


def test_verification_code_is_printed_under_the_qr_code():
    document = make_document(language="en")
    assert f"Verification code: {document.verification_code}" in page_texts(render(document))[0]


def test_codes_are_unguessable_and_readable():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BITS >= 50
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code) for code in codes)
    code = next(iter(codes))
    assert normalize_code(f" {code.lower().replace('-', ' ')} ") == code
    assert normalize_code("ABCD-EFGH") is None and normalize_code("ABCD-EFGH-1234-5678") is None


# Images, frames, size -------------------------------------------------------------------

def test_logo_and_signatures_keep_a_pdf_under_60_kb():
    document = make_document(logo=png(4000, 2000, "teal"), signatories=(
        Signatory("Гүлнар Сейітова", "Директор", png(1200, 400)),
        Signatory("Ğalym Jūmabaiūly", "Төраға", png(1200, 400, "maroon")),
        Signatory("Мария Иванова", "Хатшы")))
    data = render(document)
    assert len(data) < 60 * 1024
    assert "Гүлнар Сейітова" in page_texts(data)[0]


def test_an_image_that_is_not_an_image_is_refused():
    assert is_image(png()) and not is_image(b"<svg>not a raster</svg>")
    with pytest.raises(ImageError):
        render(make_document(logo=b"GIF89a but not really"))


def test_unknown_frame_style_is_refused():
    with pytest.raises(KeyError):
        render(make_document(frame_style="baroque"))


# Many documents -------------------------------------------------------------------------

def test_many_documents_make_one_print_ready_pdf():
    names = ["Әлихан Бөкейхан", "Ğalym Jūmabaiūly", "Мария Иванова"]
    documents = [make_document(holder_name=name, language=language, frame_style=style)
                 for name, language, style in zip(names, ["kk", "en", "ru"], ["classic", "modern", "classic"],
                                                  strict=True)]
    output = io.BytesIO()
    assert render_many(documents, output) == 3
    texts = page_texts(output.getvalue())
    assert [name in text for name, text in zip(names, texts, strict=True)] == [True, True, True]
    assert "ДИПЛОМ" in texts[0] and "DIPLOMA" in texts[1]


class WriteOnlyStream(io.RawIOBase):
    """An unseekable sink such as a response body or a pipe, counting what it was given."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    @property
    def written(self) -> int:
        return sum(map(len, self.chunks))


def test_zip_is_written_one_pdf_at_a_time_to_an_unseekable_stream():
    stream = WriteOnlyStream()
    progress = []

    def documents():
        for index in range(4):
            progress.append(stream.written)  # what was already written when the next document is asked for
            yield make_document(holder_name=f"Қатысушы {index}", kind=DocumentKind.PARTICIPATION_CERTIFICATE)

    assert write_zip(documents(), stream) == 4
    steps = [later - earlier for earlier, later in zip(progress, progress[1:], strict=False)]
    assert progress[0] == 0 and all(step > 10_000 for step in steps)  # one whole PDF per document
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream.chunks)))
    names = archive.namelist()
    assert len(names) == 4 and all(name.endswith(".pdf") for name in names)
    assert "Қатысушы 2" in page_texts(archive.read(names[2]))[0]


def test_zip_entry_names_are_safe_and_unique():
    documents = [make_document(holder_name="../../etc/Әлихан <Бөкейхан>") for _ in range(2)]
    output = io.BytesIO()
    write_zip(documents, output)
    names = zipfile.ZipFile(output).namelist()
    assert len(set(names)) == 2
    assert all(re.fullmatch(r"etc Әлихан Бөкейхан [A-Z2-7-]{19}\.pdf", name) for name in names), names


@pytest.mark.parametrize("name", ["Әлихан Ғабитұлы Қасымов", "Ұлжан", "Һ", "І", "Ө", "ä ğ ı ñ ö ş ū ü"])
def test_zip_entry_names_keep_every_letter_and_are_flagged_utf8(name):
    output = io.BytesIO()
    write_zip([make_document(holder_name=name)], output)
    [entry] = zipfile.ZipFile(output).infolist()
    assert entry.filename.startswith(name + " ") and entry.filename.endswith(".pdf")
    assert entry.flag_bits & 0x800  # the UTF-8 flag: archivers show the letters, not mojibake


def test_documents_are_plain_data():
    document = make_document()
    assert dataclasses.replace(document, language="ru").holder_name == document.holder_name
