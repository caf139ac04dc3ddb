"""Shortcuts in the number and legal-mention scans must find what the plain searches find."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chorus_tui.detection.freetext import (
    _BANK_WORDS,
    _CUSTOMER_WORDS,
    _FRENCH_VAT,
    _LEGAL_WORDS,
    _NUMBER_START,
    _SIREN_PATTERN,
    SIRET_PATTERN,
    _scan_of,
    find_customer_vat_number,
    find_legal_sirens,
    find_number_starts,
)
from chorus_tui.detection.siret import normalise_siren, normalise_siret
from chorus_tui.sources.text import fold_text

# The SIRET pattern without its look-ahead for 13 more digits or separators.
PLAIN_SIRET_PATTERN = re.compile(
    r"(\d(?<!\d\d)(?:\d{2}[ .\-]?\d{3}[ .\-]?\d{3}[ .\-]?\d{5}|(?:[ .]?\d){13}))(?![ .\-]?\d)"
)

DIGITS_AND_SEPARATORS = st.lists(
    st.sampled_from(list("0123456789 .-,/x\n") + ["٣", "  ", "123", "456 ", "00012"]), max_size=40
).map("".join)


@settings(max_examples=4000, deadline=None)
@given(DIGITS_AND_SEPARATORS)
def test_siret_pattern_matches_plain(text):
    found = [match.span(1) for match in SIRET_PATTERN.finditer(text)]

    assert found == [match.span(1) for match in PLAIN_SIRET_PATTERN.finditer(text)]


# Digits and whitespace outside ASCII (Arabic-Indic three, non-breaking and ideographic
# spaces, line separator) take the regex path; "€", "é" and a lone surrogate do not.
NUMBER_TEXTS = st.lists(
    st.sampled_from(
        list("0123456789 .-,/x\n\t\x1c") + ["٣", "\u00a0", "\u3000", "\u2028", "€", "é", "\ud83d", "123456789"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=4000, deadline=None)
@given(NUMBER_TEXTS)
def test_number_starts_match_regex(text):
    assert find_number_starts(text) == [match.start() for match in _NUMBER_START.finditer(text)]


def test_number_starts_in_runs():
    text = "Tél. 01 23 45 67 89 - SIRET 815881396 69879 – 12,00 € – 2026-12-04 1.2.3.4.5"

    # "67 89 - S…", "69879 – " and "12,00" lack 8 more characters of the class; "2.3.4.5" ends the text.
    assert find_number_starts(text) == [5, 8, 11, 28, 56, 61, 64, 67]


def test_siret_pattern_forms():
    text = "815 881 396 69879 | 815.881.396.69879 | 81588139669879 | 8 1 5 8 8 1 3 9 6 6 9 8 7 9 | 17 870,77"

    assert [match.group(1) for match in SIRET_PATTERN.finditer(text)] == [
        "815 881 396 69879",
        "815.881.396.69879",
        "81588139669879",
        "8 1 5 8 8 1 3 9 6 6 9 8 7 9",
    ]


@settings(max_examples=2000, deadline=None)
@given(st.lists(DIGITS_AND_SEPARATORS, min_size=1, max_size=6).map("\n".join))
def test_siret_matches_by_line_match_line_search(text):
    scan = _scan_of(text)
    line_start = 0
    for line in text.split("\n"):
        by_line = [match.group(1) for match in scan.sirets_between(line_start, line_start + len(line))]

        assert by_line == [match.group(1) for match in SIRET_PATTERN.finditer(line)], line
        line_start += len(line) + 1


def test_scan_kept_for_same_text_only():
    text = "SIRET 815 881 396 69879"

    assert _scan_of(text) is _scan_of(text)
    assert _scan_of(text + " ").text == text + " "


@settings(max_examples=3000, deadline=None)
@given(st.lists(DIGITS_AND_SEPARATORS, min_size=1, max_size=6).map("\n".join))
def test_scan_sirets_match_whole_text_search(text):
    found = [match.span(1) for match in _scan_of(text).sirets]

    assert found == [match.span(1) for match in SIRET_PATTERN.finditer(text)]


def reference_legal_sirens(text: str) -> set[str]:
    """Read every line with a legal word, as find_legal_sirens did before it skipped lines without numbers."""
    sirens: set[str] = set()
    for line in text.split("\n"):
        folded = fold_text(line)
        if not _LEGAL_WORDS.search(folded) or _CUSTOMER_WORDS.search(folded) or _BANK_WORDS.search(folded):
            continue
        for match in SIRET_PATTERN.finditer(line):
            if siret := normalise_siret(match.group(1)):
                sirens.add(siret[:9])
        for match in _SIREN_PATTERN.finditer(line):
            if siren := normalise_siren(match.group(1)):
                sirens.add(siren)
        for match in _FRENCH_VAT.finditer(folded):
            if siren := normalise_siren(match.group(1)):
                sirens.add(siren)
    return sirens


LEGAL_PIECES = st.sampled_from(
    ["RCS ", "SAS ", "capital ", "TVA intra ", "N° TVA ", "client ", "IBAN ", "SIREN ", "FR", "35", "3a", "8", "123",
     "815 881 396", "815881396", "69879", "12345678900012", " ", "\t", ".", "-", "\n", "é", "Orléans "]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(LEGAL_PIECES, max_size=25).map("".join))
def test_legal_sirens_match_every_line_reading(text):
    assert find_legal_sirens(text) == reference_legal_sirens(text)


def test_legal_sirens_of_a_footer():
    text = "Client : Mairie SIRET 217 507 534 55688\nAtelier SARL - RCS Orléans 815 881 396 - TVA FR35815881396"

    assert find_legal_sirens(text) == {"815881396"}


# The French VAT pattern as first written, with the look-behind first.
PLAIN_FRENCH_VAT = re.compile(r"(?<![a-z0-9])fr\s?[0-9a-z]{2}\s?(\d{3}\s?\d{3}\s?\d{3})(?!\d)")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["fr", "f", "r", "xfr", "1fr", "35", "3a", " ", "815881396", "815 881 396", "1", "\n"]),
                max_size=12).map("".join))
def test_french_vat_pattern_matches_plain(text):
    found = [match.span(1) for match in _FRENCH_VAT.finditer(text)]

    assert found == [match.span(1) for match in PLAIN_FRENCH_VAT.finditer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("N° TVA client : BE 0123.456.789", "BE0123456789"),
        ("Client\nTVA intracommunautaire du client : DE123456789", "DE123456789"),
        ("Customer VAT: IT 12345678901\nclient", "IT12345678901"),
        ("TVA FR35815881396\nClient : Mairie", None),
    ],
)
def test_customer_vat_number_lines(text, expected):
    assert find_customer_vat_number(text) == expected
