"""The label scan's first-character prefix must admit every label, and sharing its word-start check must change nothing."""

from __future__ import annotations

import re
import re._constants as constants
import re._parser as parser

from hypothesis import given, settings

from chorus_tui.detection.freetext import _B, _LABEL_PATTERNS, _LABELS, LABEL_FIRST_CHARACTERS
from chorus_tui.sources.text import fold_text

from .test_label_scan import TEXTS, spans


def first_characters(items) -> tuple[set[str], bool]:
    """Return the characters a parsed pattern can start with, and whether it can match the empty string.

    Lookarounds and anchors are skipped, because they consume nothing. Raises
    ValueError for an item this walk does not handle, so a new construct fails loudly.
    """
    found: set[str] = set()
    for opcode, argument in items:
        if opcode in (constants.ASSERT, constants.ASSERT_NOT, constants.AT):
            continue
        if opcode is constants.LITERAL:
            return found | {chr(argument)}, False
        if opcode is constants.IN:
            for set_opcode, value in argument:
                if set_opcode is not constants.LITERAL:
                    raise ValueError(f"character set item {set_opcode} is not handled")
                found.add(chr(value))
            return found, False
        if opcode is constants.SUBPATTERN:
            characters, may_be_empty = first_characters(argument[-1])
        elif opcode is constants.BRANCH:
            characters, may_be_empty = set(), False
            for branch in argument[1]:
                branch_characters, branch_empty = first_characters(branch)
                characters |= branch_characters
                may_be_empty = may_be_empty or branch_empty
        elif opcode in (constants.MAX_REPEAT, constants.MIN_REPEAT):
            minimum, _, body = argument
            characters, may_be_empty = first_characters(body)
            may_be_empty = may_be_empty or minimum == 0
        else:
            raise ValueError(f"pattern item {opcode} is not handled")
        found |= characters
        if not may_be_empty:
            return found, False
    return found, True


def test_every_label_starts_with_prefix_character():
    for _, pattern, _ in _LABEL_PATTERNS:
        assert pattern.startswith(_B), pattern

        characters, may_be_empty = first_characters(parser.parse(pattern))

        assert not may_be_empty, pattern
        assert characters <= set(LABEL_FIRST_CHARACTERS), (pattern, characters - set(LABEL_FIRST_CHARACTERS))


def test_labels_have_no_groups_of_their_own():
    for _, pattern, _ in _LABEL_PATTERNS:
        assert re.compile(pattern).groups == 0, pattern

    assert _LABELS.groups == len(_LABEL_PATTERNS)


def test_walk_sees_optional_prefixes():
    characters, may_be_empty = first_characters(parser.parse(r"(?:votre\s+)?commande"))

    assert characters == {"v", "c"}
    assert may_be_empty is False


# The label scan as first written, with the word-start check repeated in every alternative.
PLAIN_LABELS = re.compile(
    rf"{_B}(?=[{LABEL_FIRST_CHARACTERS}])(?:"
    + "|".join(f"(?P<l{index}>{pattern})" for index, (_, pattern, _) in enumerate(_LABEL_PATTERNS))
    + ")"
)


@settings(max_examples=4000, deadline=None)
@given(TEXTS)
def test_label_scan_matches_plain_alternatives(text):
    folded = fold_text(text)

    assert spans(_LABELS.finditer(folded)) == spans(PLAIN_LABELS.finditer(folded))
