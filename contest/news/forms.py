from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import Length
from wtforms.widgets import DateTimeLocalInput

from contest import pictures
from contest.forms import optional_id, trimmed
from contest.i18n import LANGUAGE_NAMES, LOCAL_ZONE, localized
from contest.news.services import LANGUAGES, PostData, contest_choices

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
TOO_LONG = _l("This text is too long: at most %(max)d characters.")


class AlmatyDateTimeField(StringField):
    """A date and time typed in Almaty local time (a browser's datetime-local input); the
    data is a timezone-aware datetime, or None when left empty."""

    widget = DateTimeLocalInput()
    data: datetime | None  # type: ignore[assignment]  # parsed, where StringField keeps text

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.raw_text = text
        if not text:
            self.data = None
            return
        for pattern in LOCAL_FORMATS:
            try:
                self.data = datetime.strptime(text, pattern).replace(tzinfo=LOCAL_ZONE)
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Enter a date and time such as 2026-03-01 10:00."))

    def _value(self) -> str:
        if self.data is None:
            return getattr(self, "raw_text", "")
        return self.data.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


def _text_fields(code: str) -> dict[str, Field]:
    name = LANGUAGE_NAMES[code]
    return {
        f"title_{code}": StringField(_l("Title (%(language)s)", language=name), filters=[trimmed],
                                     validators=[Length(max=200, message=TOO_LONG)], render_kw={"lang": code}),
        f"summary_{code}": TextAreaField(_l("Summary (%(language)s)", language=name), filters=[trimmed],
                                         validators=[Length(max=500, message=TOO_LONG)],
                                         render_kw={"lang": code, "rows": 2}),
        f"body_{code}": TextAreaField(_l("Text (%(language)s)", language=name), filters=[trimmed],
                                      validators=[Length(max=50_000, message=TOO_LONG)],
                                      render_kw={"lang": code, "rows": 10}),
        f"cover_alt_{code}": StringField(_l("%(field)s (%(language)s)", field=pictures.ALT_LABEL, language=name),
                                         filters=[trimmed], validators=[Length(max=300, message=TOO_LONG)],
                                         render_kw={"lang": code}),
    }


class NewsPostForm(FlaskForm):
    slug = StringField(_l("Web address"), filters=[trimmed], validators=[Length(max=120, message=TOO_LONG)])
    published_at = AlmatyDateTimeField(_l("Publication time (Almaty)"))
    cover = FileField(_l("Cover image"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_cover = BooleanField(_l("Remove the current cover image"))
    contest_id = SelectField(lazy_pgettext("which contest a news post is about", "About the contest"),
                             coerce=optional_id, validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contest_id.choices = [SelectChoice(None, _l("None")), *(
            SelectChoice(contest.id, localized(contest, "title")) for contest in contest_choices())]

    def language_fields(self, code: str) -> list[Field]:
        return [self[f"{part}_{code}"] for part in ("title", "summary", "body")]

    def alt_fields(self) -> list[Field]:
        return [self[f"cover_alt_{code}"] for code in LANGUAGES]

    def post_data(self) -> PostData:
        upload = self.cover.data
        return PostData(
            texts={code: {part: self[f"{part}_{code}"].data or "" for part in ("title", "summary", "body")}
                   for code in LANGUAGES},
            slug=self.slug.data or "",
            published_at=self.published_at.data,
            cover=upload.stream if upload and getattr(upload, "filename", "") else None,
            remove_cover=bool(self.remove_cover.data),
            cover_alt={code: self[f"cover_alt_{code}"].data or "" for code in LANGUAGES},
            contest_id=self.contest_id.data,
        )


# The same three fields for each language (WTForms picks up fields set on the class).
for _code in LANGUAGES:
    for _name, _field in _text_fields(_code).items():
        setattr(NewsPostForm, _name, _field)
