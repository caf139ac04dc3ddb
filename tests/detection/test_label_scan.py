"""The label scan searches only the runs around label keywords, and must find what a whole-text search finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus_tui.detection.freetext import (
    _LABEL_KEYWORD_LIST,
    _LABEL_KEYWORDS,
    _LABELS,
    LABEL_FIRST_CHARACTERS,
    _header_labels,
    _header_rows,
    _label_index,
    _label_matches,
)
from chorus_tui.sources.text import fold_text

# Words and pieces of every label, the words its look-aheads test, and characters around them.
PIECES = (
    "mandataire societe du groupement siret n° n ° no no. num num. numero # de du des d' l' l'acheteur "
    "destinataire client clients acheteur beneficiaire code service executant ordonnateur reference "
    "commercial comptable apres vente engagement juridique ej bon commande ref ref. votre bdc purchase "
    "order number po marche contrat public prestation titulaire entreprise entrepreneur principale principal "
    "sous traitance traitant traitants paiement direct sans"
).split() + [" ", " ", "  ", "\n", "\n\n", ":", "-", "_", "/", "|", ";", "(", ")", "°", ".", "'", "12", "7", "é", "X"]

TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def spans(matches) -> list[tuple[int, int, str | None]]:
    return [(match.start(), match.end(), _label_index(match)) for match in matches]


def keyword_starts(folded: str) -> list[int]:
    return [match.start() for match in _LABEL_KEYWORDS.finditer(folded)]


def reference_header_rows(folded: str) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    """Check every line for a header row, as the scan did before it looked only at keyword lines."""
    rows = []
    position = 0
    for line in folded.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        first = folded[start : start + 1]
        if first.isalnum() and first not in LABEL_FIRST_CHARACTERS:
            continue
        labels = _header_labels(folded, start, end)
        if len(labels) >= 2:
            rows.append((start, end, labels))
    return rows


@settings(max_examples=4000, deadline=None)
@given(TEXTS)
def test_label_runs_match_whole_text(text):
    folded = fold_text(text)

    assert spans(_label_matches(folded, keyword_starts(folded))) == spans(_LABELS.finditer(folded))


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_header_rows_match_every_line(text):
    folded = fold_text(text)

    assert _header_rows(folded, keyword_starts(folded)) == reference_header_rows(folded)


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_grouped_keywords_match_plain_alternation(text):
    folded = fold_text(text)
    plain = re.compile("|".join(_LABEL_KEYWORD_LIST))

    assert [match.span() for match in _LABEL_KEYWORDS.finditer(folded)] == [
        match.span() for match in plain.finditer(folded)
    ]


def test_label_crossing_lines_found():
    folded = fold_text("Bon de\ncommande : BC-1\nN°\n\nSIRET-client 1")
    matches = _label_matches(folded, keyword_starts(folded))

    assert [match.group(0) for match in matches] == [match.group(0) for match in _LABELS.finditer(folded)]
    assert matches[0].group(0) == "bon de\ncommande"


def test_label_lookahead_past_run():
    # ":" ends the run, but the "votre commande" label looks ahead to it. "-" and "_" join words.
    for text in ("Votre commande : 12", "votre commande 12", "service_achats", "siret-x", "service apres-vente"):
        folded = fold_text(text)

        assert spans(_label_matches(folded, keyword_starts(folded))) == spans(_LABELS.finditer(folded)), text
