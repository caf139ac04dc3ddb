"""fold_text and clean_text read per-character tables; they must give what per-character calls give."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus_tui.sources.text import (
    _ASCII_BYTES,
    _DROPPED_CATEGORIES,
    _KEPT_CONTROLS,
    _characters_without,
    _drop_unprintable,
    _fold_char,
    non_ascii_characters,
    _unusual_characters,
    clean_text,
    fold_text,
    split_lines,
)

EVERY_CODE_POINT = "".join(chr(code) for code in range(sys.maxunicode + 1))


def test_fold_text_matches_fold_char():
    without_surrogates = "".join(char for char in EVERY_CODE_POINT if not "\ud800" <= char <= "\udfff")

    folded = fold_text(without_surrogates)

    assert len(folded) == len(without_surrogates)
    assert folded == "".join(_fold_char(char) for char in without_surrogates)


def test_fold_text_ascii_fast_path():
    ascii_text = "".join(chr(code) for code in range(128))

    assert fold_text(ascii_text) == "".join(_fold_char(char) for char in ascii_text)
    assert fold_text("No Engagement `BC-12`") == "no engagement 'bc-12'"
    assert fold_text("SIRET du Destinataire") == "siret du destinataire"


def test_drop_unprintable_matches_categories():
    expected = "".join(
        char for char in EVERY_CODE_POINT
        if char in _KEPT_CONTROLS or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )

    assert _drop_unprintable(EVERY_CODE_POINT, _unusual_characters(EVERY_CODE_POINT)) == expected


def test_unusual_characters_every_code_point():
    usual = set("\t\n") | {chr(code) for code in range(0x20, 0x7F)}

    assert _unusual_characters(EVERY_CODE_POINT) == set(EVERY_CODE_POINT) - usual


def reference_clean_text(text: str) -> str:
    """Clean `text` step by step on every character, with no shortcut."""
    def printable(text: str) -> str:
        return "".join(
            char for char in text if char in _KEPT_CONTROLS or unicodedata.category(char) not in _DROPPED_CATEGORIES
        )

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = printable(unicodedata.normalize("NFKC", printable(text)))
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


# Spaces, line ends, tabs, Unicode whitespace, surrogates, ligatures, format and control characters.
TRICKY_CHARACTERS = st.sampled_from(
    list("ab É€°’  \n\n\t\r") + ["\r\n", "\u00a0", "\u2009", "\u200b", "\ufb01", "\ud83d", "\ude00",
                                   "\x0b", "\x1c", "\x85", "\u2028", "\u1680", "\u3000", "\ue000", "\u0301"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(TRICKY_CHARACTERS, max_size=14).map("".join))
def test_clean_text_matches_reference(text):
    assert clean_text(text) == reference_clean_text(text)


def test_split_lines_kept_for_same_text():
    text = clean_text("Échéance : 10/02/2026\nCLIENT Œuvres\n\nTotal TTC 12,00 €")

    lines, folded_lines = split_lines(text)

    assert lines == text.split("\n")
    assert folded_lines == fold_text(text).split("\n")
    assert [len(line) for line in lines] == [len(line) for line in folded_lines]
    assert split_lines(text)[0] is lines
    assert split_lines(text + "\n")[0] == lines + [""]


@settings(max_examples=3000, deadline=None)
@given(st.lists(TRICKY_CHARACTERS | st.sampled_from(["é", "Œ", "x\x00", "ﬁ", "  "]), max_size=14).map("".join))
def test_cleaned_text_characters_kept_for_fold(text):
    cleaned = clean_text(text)

    assert non_ascii_characters(cleaned) == _characters_without(cleaned, _ASCII_BYTES)
    assert fold_text(cleaned) == "".join(_fold_char(char) for char in cleaned)
