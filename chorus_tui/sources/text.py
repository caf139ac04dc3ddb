"""Text clean-up for what PDF libraries extract.

Extracted text can hold lone surrogates (pictograms drawn from emoji fonts),
ligature code points (U+FB01 "ﬁ"), private-use glyph codes, zero-width
characters, and non-breaking or thin spaces inside numbers. Everything
downstream (regular expressions, `--json` output, the terminal) gets the
text through `clean_text`, so none of those can make it fail.
"""

from __future__ import annotations

import unicodedata
from functools import cache

# Unicode categories removed after NFKC: surrogates, private use, unassigned,
# format characters (zero-width space, soft hyphen, bidi marks) and controls.
_DROPPED_CATEGORIES = frozenset({"Cs", "Co", "Cn", "Cf", "Cc"})
_KEPT_CONTROLS = frozenset("\n\t")


def clean_text(text: str) -> str:
    """Return `text` in NFKC form with unprintable code points removed and line ends as "\\n".

    NFKC turns ligatures into their letters, "Nº" into "No", and every
    non-breaking or thin space into a plain space. Runs of horizontal
    whitespace become one space; line breaks are kept because labels and
    values are often on consecutive lines.
    """
    global _last_cleaned
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    unusual = _unusual_characters(text)
    cleaned = _drop_unprintable(text, unusual)
    if not unicodedata.is_normalized("NFKC", cleaned):
        # Skipped for text already in NFKC, where it would change nothing.
        text = unicodedata.normalize("NFKC", cleaned)
        unusual = _unusual_characters(text)
        cleaned = _drop_unprintable(text, unusual)
    if _is_collapsed(cleaned, unusual):
        if cleaned is text:
            # Nothing was dropped after `unusual` was listed, so it lists exactly the characters
            # of `cleaned` outside ASCII, because an ASCII control would have been dropped.
            _last_cleaned = (cleaned, unusual)
        return cleaned
    text = cleaned
    # str.split() splits on the same whitespace as the regex class \s, so each line comes
    # out collapsed and stripped.
    return "\n".join([" ".join(line.split()) for line in text.split("\n")])


def _is_collapsed(text: str, unusual: set[str]) -> bool:
    """Tell whether collapsing and stripping each line of `text` would leave it unchanged.

    That holds when the only whitespace is single spaces between other
    characters on a line. `unusual` contains every character of `text` that
    is not tab, line feed or printable ASCII, so any other whitespace is in it.
    """
    if "\t" in text or "  " in text or " \n" in text or "\n " in text:
        return False
    if text.startswith(" ") or text.endswith(" "):
        return False
    return not any(char.isspace() for char in unusual)


class _DropTable(dict):
    """`str.translate` table that maps each unprintable code point to None (deleted), filled on first use."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        kept = char in _KEPT_CONTROLS or unicodedata.category(char) not in _DROPPED_CATEGORIES
        self[code] = char if kept else None
        return self[code]


class _FoldTable(dict):
    """`str.translate` table from each code point to its folded character, filled on first use."""

    def __missing__(self, code: int) -> str:
        self[code] = _fold_char(chr(code))
        return self[code]


# Module-level tables, so the per-character Unicode lookups are done once per distinct character.
_DROP_TABLE = _DropTable()
_FOLD_TABLE = _FoldTable()


_USUAL_BYTES = bytes([ord("\t"), ord("\n"), *range(0x20, 0x7F)])
_ASCII_BYTES = bytes(range(0x80))


def _unusual_characters(text: str) -> set[str]:
    """Return the distinct characters of `text` other than tab, line feed and printable ASCII."""
    return _characters_without(text, _USUAL_BYTES)


def _characters_without(text: str, ascii_bytes: bytes) -> set[str]:
    """Return the distinct characters of `text` that are not among the ASCII `ascii_bytes`.

    In UTF-8, an ASCII byte only ever encodes that ASCII character, so
    deleting those bytes leaves the encoding of every other character whole.
    On the invoices of benchmarks/detection.py this took a few microseconds
    per text where a regex `findall` took about 15. "surrogatepass" carries
    lone surrogates, which PDF text may contain, through both steps.
    """
    others = text.encode("utf-8", "surrogatepass").translate(None, ascii_bytes)
    return set(others.decode("utf-8", "surrogatepass"))


def _drop_unprintable(text: str, unusual: set[str]) -> str:
    """Delete the unprintable characters of `text`, whose unusual characters are `unusual`."""
    # Most texts have nothing to drop, and checking their few distinct unusual characters
    # costs much less than translating every character.
    for char in unusual:
        if _DROP_TABLE[ord(char)] is None:
            return text.translate(_DROP_TABLE)
    return text


def fold_text(text: str) -> str:
    """Return `text` lower-cased and without accents, with exactly one output character per input character.

    Matching runs on the folded copy and values are cut from the original
    at the same offsets, so the lengths must stay equal.
    """
    global _last_fold
    last_text, last_folded = _last_fold
    if text is last_text:
        return last_folded
    # For ASCII, folding is lower-casing, plus the backquote read as an apostrophe.
    folded = text.lower().replace("`", "'")
    if not text.isascii():
        folded = _fold_non_ascii(text, folded)
    if "\n" in text:
        _last_fold = (text, folded)
    return folded


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split `text` and its folded copy (fold_text) into lines, which have the same lengths.

    Both the text fields and detection read an invoice's lines, so the
    lines of the last text split are kept and returned again for the same
    text object. Callers must not change the lists.
    """
    global _last_split
    last_text, lines, folded_lines = _last_split
    if text is not last_text:
        lines = text.split("\n")
        folded_lines = fold_text(text).split("\n")
        _last_split = (text, lines, folded_lines)
    return lines, folded_lines


_last_split: tuple[str, list[str], list[str]] = ("", [""], [""])


# The last multi-line text folded, with its folded copy. Reading one invoice folds its whole
# text in several places, and the identity check makes the later calls free. Replacing one
# tuple of immutable strings is safe across threads.
_last_fold: tuple[str, str] = ("\n", "\n")


def _fold_non_ascii(text: str, lowered: str) -> str:
    """Fold the non-ASCII characters of `lowered`, which is `text` lower-cased.

    Replacing each distinct non-ASCII character costs much less than
    translating every character. That gives the same result only when each
    character lower-cases to one character that folds as it does, and when
    folding it again changes nothing. Otherwise the whole text is translated.
    """
    replacements = []
    for char in non_ascii_characters(text):
        lowered_char = _lowered_char_to_fold(char)
        if lowered_char is None:
            return text.translate(_FOLD_TABLE)
        folded_char = _fold_char(char)
        if lowered_char != folded_char and not lowered_char.isascii():
            replacements.append((lowered_char, folded_char))
    for lowered_char, folded_char in replacements:
        lowered = lowered.replace(lowered_char, folded_char)
    return lowered


# The last text that clean_text returned unchanged by its last steps, with the set of its
# characters outside ASCII, which fold_text needs as well. Replacing one tuple is safe across
# threads, as for _last_fold.
_last_cleaned: tuple[str, set[str]] = ("", set())


def non_ascii_characters(text: str) -> set[str]:
    """Return the distinct characters of `text` outside ASCII, kept from clean_text for the text it returned last."""
    last_text, characters = _last_cleaned
    if text is last_text:
        return characters
    return _characters_without(text, _ASCII_BYTES)


@cache
def _lowered_char_to_fold(char: str) -> str | None:
    """Return `char` lower-cased when lower-casing then folding gives the same as folding it, else None."""
    if char == "\N{GREEK CAPITAL LETTER SIGMA}":
        return None  # str.lower() gives "σ" or, at the end of a word, "ς"
    lowered = char.lower()
    folded = _fold_char(char)
    if len(lowered) != 1 or _fold_char(lowered) != folded or _fold_char(folded) != folded:
        return None
    return lowered


_APOSTROPHES = frozenset("’‘ʼ`´")
# Hyphen (U+2010) and non-breaking hyphen (U+2011), which word processors put in "sous‑traitance".
# NFKC turns the second into the first. Dashes are left alone, because patterns tell "–" from "-".
_HYPHENS = frozenset("\u2010\u2011")


@cache
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char in _HYPHENS:
        return "-"
    base = unicodedata.normalize("NFD", char)[0]
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base
