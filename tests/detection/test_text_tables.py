"""fold_text and clean_text read per-character tables; they must give what per-character calls give."""

from __future__ import annotations

import sys
import unicodedata

from chorus_tui.sources.text import _DROPPED_CATEGORIES, _KEPT_CONTROLS, _drop_unprintable, _fold_char, fold_text

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

    assert _drop_unprintable(EVERY_CODE_POINT) == expected
