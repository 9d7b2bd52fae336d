"""Forms of the certificate pages: settings, issuing, revoking, typing a code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from contest.certificates.models import OutputFormat
from contest.certificates.pdf import FRAME_STYLES, KIND_LABELS, DocumentKind
from contest.certificates.services import LANGUAGES, MAX_SIGNATORIES, REVOKE_REASON_LIMIT, SignatoryInput
from contest.forms import REQUIRED_MESSAGE, trimmed
from contest.i18n import LANGUAGE_NAMES

IMAGE_ACCEPT = {"accept": "image/png,image/jpeg"}


def _read(field: FileField) -> bytes | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.read()


class SettingsForm(FlaskForm):
    """Texts per kind and language, up to three signatories, the logo and the frame style.
    Fields are added per kind, language and signatory below the class."""

    frame_style = SelectField(_l("Frame style"))
    logo = FileField(_l("Logo (PNG or JPEG)"), render_kw=IMAGE_ACCEPT)
    remove_logo = BooleanField(_l("Remove the logo"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frame_style.choices = [(name, str(style.label)) for name, style in FRAME_STYLES.items()]

    def text_field(self, kind: DocumentKind, language: str):
        return self[f"text_{kind.value}_{language}"]

    def signatory_fields(self, index: int):
        return [self[f"signatory{index}_{part}"] for part in ("name", "title", "image", "remove_image")]

    def texts(self) -> dict[str, dict[str, str]]:
        return {kind.value: {language: self.text_field(kind, language).data or "" for language in LANGUAGES}
                for kind in DocumentKind}

    def signatories(self) -> list[SignatoryInput]:
        result = []
        for index in range(1, MAX_SIGNATORIES + 1):
            name, title, image, remove = self.signatory_fields(index)
            result.append(SignatoryInput(name.data or "", title.data or "", _read(image), bool(remove.data)))
        return result

    def logo_bytes(self) -> bytes | None:
        return _read(self.logo)


for _kind in DocumentKind:
    for _language in LANGUAGES:
        setattr(SettingsForm, f"text_{_kind.value}_{_language}", TextAreaField(
            _l("%(document)s: text (%(language)s)", document=KIND_LABELS[_kind], language=LANGUAGE_NAMES[_language]),
            filters=[lambda value: value.replace("\r\n", "\n") if isinstance(value, str) else value],
            render_kw={"lang": _language, "rows": 3}))
for _index in range(1, MAX_SIGNATORIES + 1):
    setattr(SettingsForm, f"signatory{_index}_name", StringField(
        _l("Signatory %(number)d: name", number=_index), filters=[trimmed]))
    setattr(SettingsForm, f"signatory{_index}_title", StringField(
        _l("Signatory %(number)d: title", number=_index), filters=[trimmed]))
    setattr(SettingsForm, f"signatory{_index}_image", FileField(
        _l("Signatory %(number)d: signature image (PNG or JPEG, optional)", number=_index), render_kw=IMAGE_ACCEPT))
    setattr(SettingsForm, f"signatory{_index}_remove_image", BooleanField(
        _l("Signatory %(number)d: remove the signature image", number=_index)))


class IssueForm(FlaskForm):
    output_format = RadioField(_l("Output"), default=OutputFormat.ZIP.value,
                               validators=[InputRequired(message=REQUIRED_MESSAGE)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.output_format.choices = [(fmt.value, fmt.label) for fmt in OutputFormat]


class ResumeForm(FlaskForm):
    pass


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Why is it revoked?"), filters=[trimmed],
                           validators=[InputRequired(message=_l("Write why the document is revoked.")),
                                       Length(max=REVOKE_REASON_LIMIT)],
                           render_kw={"rows": 3})


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: looking a code up changes nothing

    code = StringField(_l("Verification code"), filters=[trimmed],
                       render_kw={"autocomplete": "off", "spellcheck": "false", "placeholder": "XXXX-XXXX-XXXX-XXXX"})
