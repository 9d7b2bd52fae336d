"""Forms of the participant account's pages. They check the shape of input only; every rule
(minors and consent, eligibility, windows, capacity, file contents) lives in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest.errors import ServiceError
from contest.forms import REQUIRED_MESSAGE, attach_error, trimmed
from contest.i18n import format_file_size, localized
from contest.registration.services import WorkInput
from contest.registration.uploads import Upload

TOO_LONG = _l("This text is too long: at most %(max)d characters.")
DATE_MESSAGE = _l("Enter a date such as 2012-09-01.")
GRADE_MESSAGE = _l("The grade is a whole number from 1 to 12.")
PARTICIPANT_FIELDS = ("surname", "given_name", "patronymic", "birth_date", "school", "grade", "district",
                      "teacher", "phone", "guardian_name", "guardian_phone")


class LocalDateField(DateField):
    """A date typed as YYYY-MM-DD (what a browser's date input sends); our own message when it
    is not one, so the error reads the same in Kazakh, Russian and English."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(DATE_MESSAGE) from None


def _text(label: str, max_length: int, *, required: bool = False, **render_kw: Any) -> StringField:
    first = DataRequired(REQUIRED_MESSAGE) if required else Optional()
    return StringField(label, filters=[trimmed], render_kw=render_kw or None,
                       validators=[first, Length(max=max_length, message=TOO_LONG)])


class ParticipantForm(FlaskForm):
    surname = _text(_l("Surname"), 100, required=True, autocomplete="off")
    given_name = _text(_l("Given name"), 100, required=True, autocomplete="off")
    patronymic = _text(_l("Patronymic (if any)"), 100, autocomplete="off")
    birth_date = LocalDateField(_l("Date of birth"), validators=[Optional()], render_kw={"max": "2100-12-31"})
    school = _text(_l("School or college"), 200)
    grade = IntegerField(_l("Grade"), validators=[Optional(), NumberRange(1, 12, message=GRADE_MESSAGE)],
                         render_kw={"min": 1, "max": 12, "inputmode": "numeric"})
    district = _text(_l("District or city"), 120)
    teacher = _text(_l("Teacher (mentor)"), 200)
    phone = _text(_l("Contact phone"), 40, type="tel", autocomplete="tel")
    guardian_name = _text(_l("Parent or guardian: full name"), 200)
    guardian_phone = _text(_l("Parent or guardian: phone"), 40, type="tel")
    consent = BooleanField(_l("I am the parent or guardian and I agree to the text above"))

    def to_data(self) -> dict[str, Any]:
        data = {name: self[name].data for name in PARTICIPANT_FIELDS}
        for name, value in data.items():
            if value is None and name not in ("birth_date", "grade"):
                data[name] = ""
        return data

    def load(self, participant) -> None:
        for name in PARTICIPANT_FIELDS:
            self[name].data = getattr(participant, name)
        self.consent.data = participant.has_consent


def category_choices(categories) -> list[SelectChoice]:
    """Each category by name: a closed select shows one line, so the limits are listed beside
    it (`category_limits`) rather than cut off inside it on a phone."""
    return [SelectChoice(c.id, localized(c, "name")) for c in categories]


def category_limits(categories) -> Markup:
    """The categories' limits as a list under the select, so the choice is an informed one
    (empty, so no help is shown, when no category has limits)."""
    items = [Markup("<li>{}: {}</li>").format(localized(c, "name"), c.limits_text) for c in categories if c.limits_text]
    return Markup('<ul class="category-limits">{}</ul>').format(Markup("").join(items)) if items else Markup("")


class RegisterForm(FlaskForm):
    participant_id = SelectField(_l("Participant"), coerce=int)
    category_id = SelectField(_l("Category"), coerce=int)

    def __init__(self, participants, categories, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.participant_id.choices = [SelectChoice(p.id, p.full_name) for p in participants]
        self.category_id.choices = category_choices(categories)
        self.category_id.description = category_limits(categories)
        for select in (self.participant_id, self.category_id):
            select.validators = [DataRequired(REQUIRED_MESSAGE)]


class ChangeCategoryForm(FlaskForm):
    """Move a registration to another category of its contest (the participant or an organiser)."""

    category_id = SelectField(_l("Category"), coerce=int)

    def __init__(self, categories, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category_id.choices = category_choices(categories)
        self.category_id.description = category_limits(categories)
        self.category_id.validators = [DataRequired(REQUIRED_MESSAGE)]


ENTRY_FILE_ACCEPT = (".pdf,.docx,.odt,.txt,application/pdf,text/plain,"
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                     "application/vnd.oasis.opendocument.text")


class WorkForm(Form):
    """One work of the entry (a sub-form: the entry form carries the CSRF token)."""

    title = _text(_l("Title of the poem"), 300)
    text = TextAreaField(_l("Text of the poem"), render_kw={"rows": 12},
                         validators=[Optional(), Length(max=50_000, message=TOO_LONG)])
    file = FileField(_l("File (PDF, DOCX, ODT or TXT)"), render_kw={"accept": ENTRY_FILE_ACCEPT})
    remove_file = BooleanField(_l("Remove the attached file"))


class EntryForm(FlaskForm):
    """As many works as the contest asks for, and the performance video link. `max_file_bytes`
    goes to the file inputs as data-max-bytes, so that a script warns before a long upload."""

    works = FieldList(FormField(WorkForm))
    video_url = _text(_l("Link to a video of the performance"), 500, type="url", inputmode="url")

    def __init__(self, works_required: int, max_file_bytes: int, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        while len(self.works) < works_required:
            self.works.append_entry()
        while len(self.works) > works_required:  # a tampered form with more works than asked
            self.works.pop_entry()
        too_large = _l("The file is too large: at most %(size)s.", size=format_file_size(max_file_bytes))
        for work in self.works:
            work.file.render_kw = {**work.file.render_kw, "data-max-bytes": max_file_bytes,
                                   "data-too-large": str(too_large)}

    @staticmethod
    def data_of(entry) -> dict[str, Any]:
        """The saved entry as form data (works by position; missing ones empty)."""
        if entry is None:
            return {}
        top = max((work.position for work in entry.works), default=0)
        works = [entry.work_at(position) for position in range(1, top + 1)]
        return {"video_url": entry.video_url,
                "works": [{"title": work.title, "text": work.text} if work else {} for work in works]}

    def work_inputs(self, max_file_bytes: int) -> list[WorkInput]:
        return [WorkInput(title=work.title.data or "", text=work.text.data or "",
                          upload=_upload(work.file.data, max_file_bytes), remove_file=bool(work.remove_file.data))
                for work in self.works]

    @property
    def has_errors(self) -> bool:
        """Any error on the page (a FieldList's own error list does not see errors a service
        attached to a work's field after validation)."""
        return bool(self.form_errors or self.video_url.errors or self.csrf_token.errors
                    or any(field.errors for work in self.works for field in work))

    def has_uploads(self) -> bool:
        return any(getattr(work.file.data, "filename", "") for work in self.works)

    def attach(self, error: ServiceError) -> None:
        """A service's refusal beside the work's field it names ("works-1-file"), else above the form."""
        for work in self.works:
            for field in work:
                if field.id == error.field:
                    field.errors = [*field.errors, error.message]
                    return
        attach_error(self, error)


def _upload(storage, max_file_bytes: int) -> Upload | None:
    """The chosen file as an Upload, or None when no file was chosen. One byte over the limit
    is enough to refuse it, so no more than that is read."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(filename=storage.filename, data=storage.read(max_file_bytes + 1))


class ConfirmForm(FlaskForm):
    """A button that changes something: just the CSRF token."""


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED_MESSAGE)],
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(_l("I understand that this cannot be undone"),
                              validators=[DataRequired(_l("Please confirm that you understand."))])
