"""The amount scan and the exemption line filter must find what the plain searches find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus_tui.sources.textfields import _AMOUNT_SCAN, _EXEMPTION, AMOUNT_PATTERN, _amounts_in, _exemption_reason
from chorus_tui.sources.text import fold_text

AMOUNT_TEXT = st.lists(
    st.sampled_from(list("0123456789 .,'-€%aéx\n\t") + ["٣", "1 234", ",56", "- 1", "1,234.56", "  "]), max_size=30
).map("".join)


def plain_amounts(text: str, start: int) -> list[tuple[tuple[int, int], str]]:
    return [(match.span(), (match.group(1) or "") + match.group(2)) for match in AMOUNT_PATTERN.finditer(text, start)]


@settings(max_examples=5000, deadline=None)
@given(AMOUNT_TEXT, st.integers(min_value=0, max_value=30))
def test_amount_scan_matches_plain(text, start):
    start = min(start, len(text))
    found = [(match.span(), match.group(0)) for match in _AMOUNT_SCAN.finditer(text, start)]

    assert found == plain_amounts(text, start)


def test_amount_scan_forms():
    line = "TVA 20 % sur 1 234,56 € -218,48 € - 5 1.234,56 1,234.56 1234.56 x12 3.5% 1'000"

    assert [match.group(0) for match in _AMOUNT_SCAN.finditer(line)] == [
        "20",
        "1 234,56",
        "-218,48",
        "- 5",
        "1.234,56",
        "1,234.56",
        "1234.56",
        "3.5",
        "1'000",
    ]


def test_amounts_in_skips_rates():
    assert [str(value) for value in _amounts_in("TVA 20 % sur 81,90 € 16,38 €")] == ["81.90", "16.38"]


EXEMPTION_LINES = st.lists(
    st.sampled_from(
        ["art", "article", "art.", " 293 B", " 261", "262", "283", "tva", " non ", "applicable", "exonere",
         "exonération de TVA", "autoliquidation", "départ", "partie", " ", "\n", "x"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(EXEMPTION_LINES)
def test_exemption_reason_matches_plain_search(text):
    lines = text.split("\n")
    folded_lines = fold_text(text).split("\n")
    plain = None
    for line, folded in zip(lines, folded_lines, strict=True):
        match = _EXEMPTION.search(folded)
        if match:
            plain = line[match.start() : match.end()].strip(" .;")
            break

    assert _exemption_reason(lines, folded_lines) == plain
