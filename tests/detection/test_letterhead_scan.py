"""Shortcuts in the letterhead and customer label scans must find what reading every line finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus_tui.detection.freetext import (
    _BANK_WORDS,
    _CUSTOMER_BLOCK_LABEL,
    _CUSTOMER_WORDS,
    _LETTERHEAD_MAX_LINES,
    SIRET_PATTERN,
    _scan_of,
    find_letterhead_sirens,
)
from chorus_tui.detection.siret import normalise_siret
from chorus_tui.sources.text import fold_text


def reference_letterhead_sirens(text: str) -> set[str]:
    """Read each line above the first customer label, as find_letterhead_sirens did line by line."""
    folded_lines = fold_text(text).split("\n")
    labels = [index for index, folded in enumerate(folded_lines) if _CUSTOMER_BLOCK_LABEL.match(folded)]
    if not labels or labels[0] >= _LETTERHEAD_MAX_LINES:
        return set()
    sirens: set[str] = set()
    for line, folded in zip(text.split("\n")[: labels[0]], folded_lines, strict=False):
        if _BANK_WORDS.search(folded) or _CUSTOMER_WORDS.search(folded):
            continue
        for match in SIRET_PATTERN.finditer(line):
            if siret := normalise_siret(match.group(1)):
                sirens.add(siret[:9])
    return sirens


LETTERHEAD_PIECES = st.sampled_from(
    ["Atelier SARL ", "SIRET ", "815 881 396 69879", "81588139669879", "217 507 534 55688", "IBAN ", "client ",
     "Client", "Facturé à", "Destinataire : ", "RIB ", " ", "\n", "\n", "\n", "8", "é", "-"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(LETTERHEAD_PIECES, max_size=30).map("".join))
def test_letterhead_sirens_match_line_reading(text):
    assert find_letterhead_sirens(text) == reference_letterhead_sirens(text)


def test_letterhead_siren_above_customer_label():
    text = "Atelier SARL\nSIRET 815 881 396 69879\nIBAN FR76 1234 5678 9012 3456 7890 123\nClient\nMairie"

    assert find_letterhead_sirens(text) == {"815881396"}


@settings(max_examples=3000, deadline=None)
@given(st.lists(LETTERHEAD_PIECES | st.sampled_from(["  client", "\tbill to", "Customer", "acheteur :", "x",
                                                     "Facturée", " à", "a", " régler", "bill", " to", "\u00a0"]),
                max_size=30).map("".join))
def test_customer_label_lines_match_every_line(text):
    expected = [index for index, folded in enumerate(fold_text(text).split("\n")) if _CUSTOMER_BLOCK_LABEL.match(folded)]

    assert _scan_of(text).customer_label_lines == expected


def test_customer_label_lines_by_line_break():
    text = "Client : Mairie\nFacturée à\n  Destinataire\nfacturée\na régler\nfacturée à régler\nbill to X"

    assert _scan_of(text).customer_label_lines == [0, 1, 2, 6]
