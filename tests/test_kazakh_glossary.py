"""The Kazakh catalog keeps one term per concept: no form from the "do not use" column of
KAZAKH.md's glossary appears in any translation."""

from __future__ import annotations

import re

import pytest

from contest.catalogs import load

# Form to avoid -> the term the glossary settles on.
AVOIDED = {
    r"тіркелгі": "аккаунт (an account) or тіркеу (a registration)",
    r"есептік жазба": "аккаунт",
    r"өтінім": "тіркеу",
    r"қазылар мүшесі": "қазы; in documents: қазылар алқасының мүшесі",
    r"әділқазы": "қазы",
    r"\bбалл": "ұпай",
    r"өлшем(дер|і бойынша)": "критерий",  # not "өлшемі" alone: a file's size
    r"\bтур(дың|ды|да|дан|лар\w*)?\b": "кезең",  # the word alone, not "туралы" or "тура"
    r"айналым": "кезең",
    r"турнирлік": "нәтижелер кестесі",
    r"сөйлеу реті": "сахнаға шығу реті",
    r"қиылған": "қысқартылған",
    r"қамқоршы": "ата-анасы немесе заңды өкілі; заңды өкіл",
    r"маусымға": "келесі байқауға көшірме жасау",
    r"\d-орын": "I орын (Roman numerals beside an award)",
}


def kazakh_texts() -> list[tuple[str, str]]:
    texts = []
    for message in load("kk"):
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        texts += [(msgid, text) for text in strings if text]
    return texts


@pytest.mark.parametrize("pattern", sorted(AVOIDED))
def test_the_kazakh_catalog_uses_the_glossarys_terms(pattern):
    found = [f"{msgid!r}: {text}" for msgid, text in kazakh_texts() if re.search(pattern, text, re.IGNORECASE)]
    assert not found, f"use {AVOIDED[pattern]} instead:\n" + "\n".join(found)
