"""The certificate settings an organiser saves: texts with placeholders, frame, logo and up to three
signatories. Every refusal is read word for word beside its field, and a refused save writes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.certificates import services
from contest.certificates.models import CertificateSettings, CertificateSignatory
from contest.certificates.pdf import DocumentKind
from contest.errors import ServiceError
from contest.extensions import db

ALLOWED = "{name}, {contest}, {dedication}, {place}, {award}, {category}, {date}"


def png(colour: str = "navy", size: tuple[int, int] = (60, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def default_texts() -> dict:
    return {kind.value: {language: services.default_text(kind, language) for language in services.LANGUAGES}
            for kind in DocumentKind}


def save(contest, **values) -> CertificateSettings:
    values.setdefault("frame_style", "classic")
    values.setdefault("texts", default_texts())
    values.setdefault("signatories", [])
    values.setdefault("actor", None)
    settings = services.save_settings(contest, **values)
    db.session.commit()
    return settings


def refusal(contest, **values) -> tuple[str, str | None]:
    with pytest.raises(ServiceError) as refused:
        save(contest, **values)
    db.session.rollback()
    return str(refused.value.message), refused.value.field


def nothing_saved(contest) -> bool:
    return (db.session.get(CertificateSettings, contest.id) is None
            and db.session.scalar(select(func.count()).select_from(CertificateSignatory)) == 0
            and db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "certificates.settings_saved")) == 0)


# Texts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_or_blank_text_is_refused_word_for_word(text):
    assert str(services.template_problem(text)) == "Write the text: it cannot be empty."


def test_a_text_of_exactly_800_characters_is_accepted_and_801_is_refused_with_both_counts():
    assert services.template_problem("x" * 800) is None
    assert str(services.template_problem("x" * 801)) == \
        "The text is too long: at most 800 characters (now 801)."


def test_an_unclosed_brace_is_refused_with_how_to_write_a_brace():
    assert str(services.template_problem("Dear {name")) == (
        "A curly brace is not closed. Placeholders look like {name}; write {{ or }} for a brace itself.")


@pytest.mark.parametrize(("text", "name"), [
    ("Dear {nmae}", "nmae"), ("Dear {}", ""), ("{0} wins", "0"), ("{name!r}", "name"), ("{name:>9}", "name"),
    ("{Name}", "Name"), ("Dear {{friend}}, {nmae}", "nmae"),
])
def test_an_unknown_placeholder_is_named_and_the_allowed_ones_listed(text, name):
    assert str(services.template_problem(text)) == f"Unknown placeholder {{{name}}}. Use only: {ALLOWED}."


def test_every_placeholder_and_doubled_braces_are_accepted():
    text = "{{" + " ".join("{" + name + "}" for name in services.PLACEHOLDERS) + "}}"
    assert services.template_problem(text) is None


def test_placeholders_are_filled_and_missing_values_print_as_nothing():
    assert services.fill_template("{name}: {award} {place}.", {"name": "Ann", "award": "Grand Prix"}) == \
        "Ann: Grand Prix ."
    assert services.fill_template("{{name}} {name}", {"name": "Ann"}) == "{name} Ann"


@pytest.mark.parametrize("text", ["Dear {nobody}", "Dear {0}", "Dear {name", "{name[9]}"])
def test_a_text_saved_before_a_rule_changed_is_printed_as_it_is(text):
    assert services.fill_template(text, {"name": "Ann"}) == text


@pytest.mark.parametrize(("kind", "language", "text"), [
    (DocumentKind.WINNER_DIPLOMA, "en", "is awarded for a high result in the contest."),
    (DocumentKind.PARTICIPATION_CERTIFICATE, "en", "is given for taking part in the contest."),
    (DocumentKind.LETTER_OF_THANKS, "en", "Thanks are expressed for the contribution to holding the contest."),
])
def test_the_default_texts_read_as_written(kind, language, text):
    assert services.default_text(kind, language) == text


def test_the_default_text_follows_the_language_asked_for_not_the_page():
    kk = services.default_text(DocumentKind.WINNER_DIPLOMA, "kk")
    ru = services.default_text(DocumentKind.WINNER_DIPLOMA, "ru")
    assert len({kk, ru, "is awarded for a high result in the contest."}) == 3


def test_a_saved_text_is_used_and_an_empty_or_missing_one_falls_back_to_the_default(published):
    settings = services.settings_for(published.contest)
    settings.texts = {"winner_diploma": {"en": "Well done, {name}!", "kk": ""}}
    assert services.text_for(settings, DocumentKind.WINNER_DIPLOMA, "en") == "Well done, {name}!"
    assert services.text_for(settings, DocumentKind.WINNER_DIPLOMA, "kk") == \
        services.default_text(DocumentKind.WINNER_DIPLOMA, "kk")
    assert services.text_for(settings, DocumentKind.LETTER_OF_THANKS, "en") == \
        "Thanks are expressed for the contribution to holding the contest."
    settings.texts = None
    assert services.text_for(settings, DocumentKind.WINNER_DIPLOMA, "en") == \
        "is awarded for a high result in the contest."


# Saving --------------------------------------------------------------------------------------

def test_a_contest_without_settings_gets_the_defaults_unsaved(published):
    settings = services.settings_for(published.contest)
    assert (settings.contest_id, settings.frame_style, settings.texts, settings.logo) == \
        (published.contest.id, "classic", {}, None)
    assert db.session.get(CertificateSettings, published.contest.id) is None


def test_an_unknown_frame_style_is_refused_beside_its_field_and_nothing_saved(published):
    assert refusal(published.contest, frame_style="baroque") == ("Choose one of the frame styles.", "frame_style")
    assert nothing_saved(published.contest)


@pytest.mark.parametrize(("kind", "language"), [("winner_diploma", "kk"), ("letter_of_thanks", "en"),
                                                ("participation_certificate", "ru")])
def test_a_bad_text_is_refused_beside_its_own_field(published, kind, language):
    texts = default_texts()
    texts[kind][language] = "{nobody}"
    assert refusal(published.contest, texts=texts) == (
        f"Unknown placeholder {{nobody}}. Use only: {ALLOWED}.", f"text_{kind}_{language}")
    assert nothing_saved(published.contest)


def test_a_kind_sent_without_any_text_is_refused_as_empty(published):
    texts = default_texts()
    del texts["participation_certificate"]
    assert refusal(published.contest, texts=texts) == ("Write the text: it cannot be empty.",
                                                       "text_participation_certificate_kk")
    assert nothing_saved(published.contest)


def test_a_missing_text_is_refused_as_empty(published):
    texts = default_texts()
    del texts["letter_of_thanks"]["ru"]
    assert refusal(published.contest, texts=texts) == ("Write the text: it cannot be empty.",
                                                       "text_letter_of_thanks_ru")


def test_texts_are_saved_without_surrounding_blanks(published):
    texts = default_texts()
    texts["winner_diploma"]["en"] = "  Well done, {name}!\n"
    settings = save(published.contest, texts=texts, frame_style="modern")
    db.session.expire_all()
    assert settings.frame_style == "modern"
    assert settings.texts["winner_diploma"]["en"] == "Well done, {name}!"
    assert settings.texts["letter_of_thanks"] == default_texts()["letter_of_thanks"]


def test_a_logo_of_exactly_one_megabyte_is_accepted_and_one_byte_more_is_refused(published):
    image = png()
    exact = image + b"\0" * (services.MAX_IMAGE_BYTES - len(image))  # PNG readers ignore what follows the end
    assert save(published.contest, logo=exact).logo == exact
    assert refusal(published.contest, logo=exact + b"\0") == ("The image is too large: at most 1 MB.", "logo")


def test_a_logo_that_is_not_an_image_is_refused_beside_it_and_nothing_saved(published):
    assert refusal(published.contest, logo=b"<svg onload=alert(1)/>") == (
        "This file is not an image. Upload a PNG or JPEG picture.", "logo")
    assert nothing_saved(published.contest)


def test_the_logo_is_kept_unless_replaced_or_removed(published):
    logo = png("red")
    save(published.contest, logo=logo)
    assert save(published.contest).logo == logo  # not sent: kept
    other = png("green")
    assert save(published.contest, logo=other).logo == other
    assert save(published.contest, logo=None).logo is None


def test_three_signatories_fit_and_blank_rows_do_not_count(published):
    rows = [services.SignatoryInput(name) for name in ("A", " ", "B", "", "C")]
    settings = save(published.contest, signatories=rows)
    assert [(row.position, row.name) for row in settings.signatories] == [(0, "A"), (1, "B"), (2, "C")]


def test_a_fourth_signatory_is_refused_and_nothing_saved(published):
    rows = [services.SignatoryInput(name) for name in ("A", "B", "C", "D")]
    assert refusal(published.contest, signatories=rows) == ("At most three signatories fit on a page.", None)
    assert nothing_saved(published.contest)


@pytest.mark.parametrize(("name", "title"), [("N" * 201, ""), ("N", "T" * 201)])
def test_a_name_or_title_over_200_characters_is_refused_beside_its_row(published, name, title):
    rows = [services.SignatoryInput("First"), services.SignatoryInput(name, title)]
    assert refusal(published.contest, signatories=rows) == (
        "A name or title is too long: at most 200 characters.", "signatory2_name")
    assert nothing_saved(published.contest)


def test_a_name_and_title_of_exactly_200_characters_are_saved_without_blanks(published):
    rows = [services.SignatoryInput(" " + "N" * 199, "T" * 199 + " ")]
    settings = save(published.contest, signatories=rows)
    assert (settings.signatories[0].name, settings.signatories[0].title) == ("N" * 199, "T" * 199)
    exact = save(published.contest, signatories=[services.SignatoryInput("N" * 200, "T" * 200)])
    assert (exact.signatories[0].name, exact.signatories[0].title) == ("N" * 200, "T" * 200)


def test_a_signature_that_is_not_an_image_is_refused_beside_its_row(published):
    rows = [services.SignatoryInput("A"), services.SignatoryInput("B"), services.SignatoryInput("C", "", b"GIF")]
    assert refusal(published.contest, signatories=rows) == (
        "This file is not an image. Upload a PNG or JPEG picture.", "signatory3_image")
    assert nothing_saved(published.contest)


def test_signatures_stay_with_their_row_unless_replaced_or_removed(published):
    first, second, third = png("red"), png("green"), png("blue")
    save(published.contest, signatories=[services.SignatoryInput("A", "", first),
                                         services.SignatoryInput("B", "", second)])
    # Saved again without new images: each row keeps its own; a row asked to drop it loses it.
    settings = save(published.contest, signatories=[services.SignatoryInput("A2"),
                                                    services.SignatoryInput("B2", remove_image=True),
                                                    services.SignatoryInput("C2")])
    assert [(row.name, row.signature) for row in settings.signatories] == [("A2", first), ("B2", None), ("C2", None)]
    settings = save(published.contest, signatories=[services.SignatoryInput("A3", "", third)])
    assert [(row.name, row.signature) for row in settings.signatories] == [("A3", third)]
    assert db.session.scalar(select(func.count()).select_from(CertificateSignatory)) == 1


def test_saving_is_audited_with_who_saved(published, make_user):
    organiser = make_user(role="organiser")
    save(published.contest, actor=organiser)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.settings_saved"))
    assert (event.actor_id, event.object_type, event.object_id) == (organiser.id, "Contest", published.contest.id)


def test_an_archived_contests_settings_cannot_change(published):
    published.contest.status = "archived"
    db.session.commit()
    assert refusal(published.contest) == ("This contest is archived: nothing in it can change any more.", None)
    assert nothing_saved(published.contest)
