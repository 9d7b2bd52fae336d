"""The Kazakh and Russian catalogs read as written in those languages (KAZAKH.md): one term per
concept, no form from the glossary's "do not use" column, no calque the Tone section names,
formal "Сіз", contest titles never quoted again, and no case ending glued to a placeholder."""

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
    r"\bбал(л\w*|ы|ын|ына|ында|дар\w*)\b": "ұпай",
    r"\bбаға(?!ла|н)\w*": "ұпай (баға is a grade, not a number of points)",
    r"өлшем(дер|і бойынша)": "критерий",  # not "өлшемі" alone: a file's size
    r"\bтур(дың|ды|да|дан|лар\w*)?\b": "кезең",  # the word alone, not "туралы" or "тура"
    r"айналым": "кезең",
    r"бағалау кезең": "бағалау жүріп жатқанда (кезең is a round, not the judging stage)",
    r"турнирлік": "нәтижелер кестесі",
    r"сөйлеу реті": "сахнаға шығу реті",
    r"қиылған": "қысқартылған",
    r"қамқоршы": "ата-анасы немесе заңды өкілі; заңды өкіл",
    r"маусымға": "келесі байқауға көшірме жасау",
    r"\d-орын": "I орын (Roman numerals beside an award)",
    r"бас жүлде": "Гран-при (one form of the Grand Prix everywhere, as the demo contests name it)",
    r"сыйлық": "жүлде",
    r"ұстаз": "мұғалім",
    r"қатысушы сертификат": "қатысу сертификаты",
    r"\bөшір\w*": "жою (delete)",
    r"ашық бет": "жария бет (public pages)",
    r"көпшілікке": "жария",
    r"модерац\w*": "тексеру (moderation)",
    r"\bбейне(?!жазба)\w*": "бейнежазба",
    # Calques the Tone section names.
    r"фондық режим|аясында жүреді": "say what happens: «құжаттар жасала береді»",
    r"күтпеген қате|біз жақта": "«Сайттың жұмысында қате шықты»",
    r"рұқсат жоқ": "«Бұл әрекетті орындай алмайсыз», «қолжетімсіз»",
    r"алғаш (рет|келдіңіз)": "«Аккаунтыңыз жоқ па?»",
    r"жүйеге кір|жүйеден шық": "кіру / шығу",
}

# A registration is withdrawn with «тіркеуден бас тарту»; «кері қайтару» stays for a consent.
WITHDRAWN_CONSENT = re.compile(r"келісім", re.IGNORECASE)

AVOIDED_RUSSIAN = {
    r"учётн\w* запис\w*": "аккаунт",
    r"опекун\w*": "законный представитель",
    r"\bэтап\w*": "тур (a round)",
    r"турнирн\w*": "таблица результатов",
    r"педагог\w*": "учитель",
    r"заявк\w*": "регистрация (for a contest) or работа (an entry)",
    r"открыт\w* страниц\w*": "публичные страницы",
    r"\bочк\w*": "баллы",
}

PLACEHOLDER = r"%\(\w+\)[sdif]"
CLOSING = r"[»”\"')\]]*"
# Kazakh postpositions that put a case ending on the word before them (дейін wants the dative,
# бері/кейін/соң/бастап the ablative) and the conjunction мен/бен/пен, which follows the last sound.
GOVERNING = r"(дейін\w*|шейін|бері\w*|кейін\w*|соң\w*|бастап|қарай|мен|бен|пен|менен|бенен|пенен)"
GLUED = re.compile(PLACEHOLDER + CLOSING + r"-?[^\W\d_]")
GOVERNED = re.compile(PLACEHOLDER + CLOSING + r"\s+" + GOVERNING + r"\b", re.IGNORECASE)


def translations(locale: str) -> list[tuple[str, str]]:
    texts = []
    for message in load(locale):
        if not message.id or message.fuzzy:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        texts += [(msgid, text) for text in strings if text]
    return texts


def kazakh_texts() -> list[tuple[str, str]]:
    return translations("kk")


def matching(pattern: str, locale: str, flags=re.IGNORECASE) -> list[str]:
    return [f"{msgid!r}: {text}" for msgid, text in translations(locale) if re.search(pattern, text, flags)]


@pytest.mark.parametrize("pattern", sorted(AVOIDED))
def test_the_kazakh_catalog_uses_the_glossarys_terms(pattern):
    found = matching(pattern, "kk")
    assert not found, f"use {AVOIDED[pattern]} instead:\n" + "\n".join(found)


@pytest.mark.parametrize("pattern", sorted(AVOIDED_RUSSIAN))
def test_the_russian_catalog_uses_one_term_per_concept(pattern):
    found = matching(pattern, "ru")
    assert not found, f"use {AVOIDED_RUSSIAN[pattern]} instead:\n" + "\n".join(found)


def test_a_registration_is_withdrawn_with_bas_tartu():
    found = [f"{msgid!r}: {text}" for msgid, text in kazakh_texts()
             if re.search(r"кері қайтар", text, re.IGNORECASE) and not WITHDRAWN_CONSENT.search(text)]
    assert not found, "a registration: «тіркеуден бас тарту»; «кері қайтару» only for a consent:\n" + "\n".join(found)


def test_the_reader_is_addressed_as_siz_with_a_capital():
    found = [f"{msgid!r}: {text}" for msgid, text in kazakh_texts() if re.search(r"(?<![\w-])сіз", text)]
    assert not found, "write «Сіз», «Сізге», «Сіздің»:\n" + "\n".join(found)


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_contest_title_is_never_quoted_again_nor_followed_by_the_word_contest(locale):
    """Titles carry their own «» and already end in «байқауы»: "Байқау: %(contest)s"."""
    title = r"%\((contest|title)\)s"
    found = matching(rf"«{title}»|{title}»?\s+(байқау|конкурс)", locale)
    assert not found, "write «Байқау: %(contest)s» / «Конкурс: %(contest)s»:\n" + "\n".join(found)


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_no_ending_is_glued_to_a_placeholder(locale):
    """`%(count)s-ге` is right for 8 and wrong for 3: the ending depends on the value, so the
    placeholder stands where it needs none (after a colon, in brackets, before a noun)."""
    found = matching(GLUED.pattern, locale, 0)
    assert not found, "a placeholder directly followed by letters or a hyphen and letters:\n" + "\n".join(found)


def test_no_kazakh_postposition_puts_a_case_ending_on_a_placeholder():
    """`%(date)s дейін` needs `%(date)s-ге дейін`, `%(min)d мен` is wrong for 8: rephrase as
    "Аяқталу уақыты: %(date)s", "ең азы %(min)d, ең көбі %(max)d"."""
    found = [f"{msgid!r}: {text}" for msgid, text in kazakh_texts() if GOVERNED.search(text)]
    assert not found, "a placeholder before a postposition that governs its case:\n" + "\n".join(found)


@pytest.mark.parametrize(("text", "glued"), [
    ("%(count)s-ге дейін", True), ("%(count)sге", True), ("%(title)s»-ға", True), ("%(number)d-беті", True),
    ("%(count)d-й", True), ("Саны: %(count)s.", False), ("(%(count)s)", False), ("%(done)d / %(total)d", False),
])
def test_the_glued_rule_itself(text, glued):
    assert bool(GLUED.search(text)) is glued


@pytest.mark.parametrize(("text", "governed"), [
    ("%(date)s дейін", True), ("%(date)s дейінгі", True), ("%(min)d мен %(max)d", True), ("%(n)d бастап", True),
    ("%(date)s кейін", True), ("%(minutes)d минуттан кейін", False), ("%(name)s менің", False),
])
def test_the_postposition_rule_itself(text, governed):
    assert bool(GOVERNED.search(text)) is governed


@pytest.mark.parametrize(("msgid", "meanings"), [
    ("About the contest", {"contest page heading": "Байқау туралы",
                           "which contest a news post is about": "Қай байқауға қатысты"}),
    ("Name", {None: "Аты-жөні", "title of a category, criterion, round or award": "Атауы"}),
    ("Title", {None: "Тақырыбы", "a contest's title": "Атауы"}),
])
def test_one_english_string_on_two_screens_gets_a_kazakh_text_for_each(msgid, meanings):
    catalog = load("kk")
    assert {context: catalog.get(msgid, context=context).string for context in meanings} == meanings


def test_the_public_contest_page_is_about_the_contest_not_which_one(client, make_contest):
    contest = make_contest(status="registration_open", description_kk="Жас ақындарға арналған байқау.")
    page = client.get(f"/contests/{contest.slug}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert ">Байқау туралы</h2>" in page and "Қай байқау" not in page
