"""Translation catalogs: extraction, English identity fill and the completeness check.

`make i18n` runs `python -m contest.catalogs update`; the test suite calls `missing()`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "contest" / "translations"
TEMPLATE = CATALOG_DIR / "messages.pot"
LOCALES = ("kk", "ru", "en")
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2")


def extract(output: Path) -> Catalog:
    """Every message the code and templates can show, straight from the sources."""
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
               "--no-location", "--sort-output", "-o", str(output)]
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    subprocess.run([*command, str(ROOT)], check=True, cwd=ROOT)
    with output.open("rb") as handle:
        return read_po(handle)


def catalog_path(locale: str) -> Path:
    return CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def _is_translated(message) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(strings)


def missing() -> dict[str, list[str]]:
    """Message ids that lack a usable translation, per locale."""
    with tempfile.TemporaryDirectory() as tmp:
        template = extract(Path(tmp) / "messages.pot")
    result: dict[str, list[str]] = {}
    for locale in LOCALES:
        catalog = load(locale) if catalog_path(locale).exists() else Catalog(locale=locale)
        gaps = []
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, context=message.context)  # pgettext: one id, two meanings
            if translated is None or not _is_translated(translated):
                gaps.append(message.id if isinstance(message.id, str) else message.id[0])
        if gaps:
            result[locale] = gaps
    return result


def fill_english() -> int:
    """The sources are written in English, so the English catalog repeats them."""
    catalog = load("en")
    filled = 0
    for message in catalog:
        if message.id and not _is_translated(message):
            message.string = message.id
            message.flags.discard("fuzzy")
            filled += 1
    with catalog_path("en").open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    return filled


def apply(path: Path) -> int:
    """Write translations from a JSON file `{msgid: {"kk": "...", "ru": "..."}}` into the catalogs."""
    import json

    table = json.loads(Path(path).read_text(encoding="utf-8"))
    written = 0
    for locale in LOCALES:
        catalog = load(locale)
        for msgid, translations in table.items():
            message = catalog.get(msgid)
            if message is not None and translations.get(locale):
                message.string = translations[locale]
                message.flags.discard("fuzzy")
                written += 1
        with catalog_path(locale).open("wb") as handle:
            write_po(handle, catalog, width=100)
    return written


def update() -> None:
    extract(TEMPLATE)
    for locale in LOCALES:
        if catalog_path(locale).exists():
            subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "update", "-i", str(TEMPLATE),
                            "-d", str(CATALOG_DIR), "-l", locale, "--no-fuzzy-matching", "-w", "100"], check=True)
        else:
            subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "init", "-i", str(TEMPLATE),
                            "-d", str(CATALOG_DIR), "-l", locale, "-w", "100"], check=True)
    print(f"English: filled {fill_english()} messages")
    for locale, gaps in missing().items():
        print(f"{locale}: {len(gaps)} messages still need a translation")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "apply":
        print(f"wrote {apply(Path(sys.argv[2]))} translations")
    elif command == "check":
        gaps = missing()
        for locale, ids in gaps.items():
            print(f"{locale}: {len(ids)} missing", *ids[:20], sep="\n  ")
        sys.exit(1 if gaps else 0)
    else:
        sys.exit("usage: python -m contest.catalogs [update|check|apply FILE.json]")
