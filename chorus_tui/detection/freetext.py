"""Find Chorus Pro data in the free text of an invoice.

Matching runs on a folded copy of the text (lower case, no accents, same
length as the original), and values are cut from the original text at the
same offsets, so a service code keeps its case. Labels may be followed by a
colon or not, by "N°"/"No"/"Numéro", and the value may sit on the next
line, as in the label column of a table.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from chorus_tui.cached import cached_attribute
from chorus_tui.detection.siret import normalise_siren, normalise_siret
from chorus_tui.sources.text import fold_text, non_ascii_characters, split_lines

# Field names used in LabelledValue.field and in Detection.
SIRET = "siret"
SERVICE_CODE = "service_code"
ENGAGEMENT_NUMBER = "engagement_number"
CONTRACT_NUMBER = "contract_number"
MANDATAIRE = "mandataire"
# The main contractor ("titulaire du marché") of a subcontractor paid directly.
MAIN_CONTRACTOR = "main_contractor"
# Phrases that mark a subcontractor's invoice. They carry no value.
SUBCONTRACTING = "subcontracting"  # "sous-traitance"
SUBCONTRACTOR = "subcontractor"  # "sous-traitant"
DIRECT_PAYMENT = "direct_payment"  # "paiement direct"
PHRASE_FIELDS = frozenset({SUBCONTRACTING, SUBCONTRACTOR, DIRECT_PAYMENT})

_B = r"(?<![a-z_-])"  # start of a word in folded text; "_" and "-" join words of a code, a digit may touch it
_E = r"(?![a-z0-9_-])"  # end of a word
_NUMBER_WORD = r"(?:n\s?[°o]\.?|no\.?|num(?:ero|\.)?|#)"
_OF = r"\s*(?:(?:de\s+l'|du|de|d'|des)\s*)?"

# Order matters: longer labels first, so "code service" wins over "service".
_LABEL_PATTERNS: list[tuple[str, str, bool]] = [
    # (field, folded pattern, strong). A weak label needs a value that looks like a code.
    (MANDATAIRE, rf"{_B}(?:societe\s+)?mandataire(?:\s+du\s+groupement)?{_E}", True),
    (
        MAIN_CONTRACTOR,
        rf"{_B}(?:titulaire\s+du\s+(?:marche|contrat)|entreprise\s+principale|entrepreneur\s+principal){_E}",
        True,
    ),
    # One space or a hyphen inside these phrases, so that _LABEL_KEYWORDS can contain them whole.
    (SUBCONTRACTING, rf"{_B}sous[ -]?traitance{_E}", True),
    (SUBCONTRACTOR, rf"{_B}sous[ -]?traitants?{_E}", True),
    (DIRECT_PAYMENT, rf"{_B}paiement direct{_E}", True),
    (SIRET, rf"{_B}(?:{_NUMBER_WORD}\s*)?siret{_OF}(?:destinataire|client|acheteur|beneficiaire|l'acheteur)?{_E}", True),
    (SIRET, rf"{_B}code\s+destinataire{_E}", True),
    (SERVICE_CODE, rf"{_B}code{_OF}service(?:\s+executant|\s+destinataire)?{_E}", True),
    (SERVICE_CODE, rf"{_B}service\s+(?:executant|destinataire|ordonnateur){_E}", True),
    (SERVICE_CODE, rf"{_B}reference\s+(?:de\s+l')?acheteur{_E}", True),
    (SERVICE_CODE, rf"{_B}service(?!\s+(?:client|clients|commercial|comptable|apres[\s-]vente|des\s|du\s|de\s|d')){_E}", False),
    (ENGAGEMENT_NUMBER, rf"{_B}(?:{_NUMBER_WORD}\s*){_OF}engagement(?:\s+juridique)?{_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}engagement\s+juridique{_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}(?:{_NUMBER_WORD}\s*){_OF}ej{_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}ej{_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}(?:{_NUMBER_WORD}\s*){_OF}(?:bon\s+de\s+commande|commande){_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}bon\s+de\s+commande{_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}ref(?:erence|\.)?\s*{_OF}(?:bon\s+de\s+)?commande{_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}(?:votre\s+)?commande{_E}(?=\s*(?:n\s?[°o]|no\.?|numero|:))", True),
    (ENGAGEMENT_NUMBER, rf"{_B}(?:bdc|purchase\s+order(?:\s+(?:number|no\.?))?|po\s+(?:number|no\.?|#)){_E}", True),
    (ENGAGEMENT_NUMBER, rf"{_B}engagement{_E}", False),
    (CONTRACT_NUMBER, rf"{_B}(?:{_NUMBER_WORD}\s*){_OF}(?:marche|contrat){_E}(?:\s+public)?", True),
    (CONTRACT_NUMBER, rf"{_B}ref(?:erence|\.)?\s*{_OF}(?:marche|contrat){_E}", True),
    (CONTRACT_NUMBER, rf"{_B}(?:marche|contrat)(?:\s+public)?{_E}", False),
]

# Every label above starts with one of these characters (tests/detection/test_label_prefix.py
# checks it). With this prefix, a position in the middle of a word or on another letter fails
# in one step instead of trying all the alternatives, which makes the label scan about 10
# times faster on invoice text.
LABEL_FIRST_CHARACTERS = "#bcemnprstv"
# Each pattern starts with _B, which the shared _B in front already checks at the same
# position, so it is left out of the alternatives. Most of them then start with a letter, and
# the regex engine turns such an alternative away after one comparison. That works only when
# the alternative starts with the letter. So an empty group at the end of each pattern, not a
# named group around it, identifies the pattern that matched. With named groups the engine
# entered every alternative, and the label scan took about 45% longer. The patterns have no
# groups of their own (tests/detection/test_label_prefix.py checks it), so the empty group of
# the pattern that matched is the match's last group.
_LABELS = re.compile(
    rf"{_B}(?=[{LABEL_FIRST_CHARACTERS}])(?:"
    + "|".join(f"(?:{pattern.removeprefix(_B)})()" for _, pattern, _ in _LABEL_PATTERNS)
    + ")"
)


def _label_index(match: re.Match[str]) -> int:
    """Return the index in _LABEL_PATTERNS of the pattern that a match of _LABELS matched."""
    return match.lastindex - 1

# Every label pattern above contains one of these words, and a label consists only of the
# characters of _LABEL_RUN: tests/detection/test_label_scan.py compares _label_matches,
# which relies on both, with a search of the whole text.
_LABEL_KEYWORD_LIST = (
    "mandataire", "siret", "destinataire", "service", "acheteur", "engagement", "ej", "commande", "bdc",
    "purchase", "po", "marche", "contrat", "principal", "sous[ -]?trait", "paiement direct",
)  # fmt: skip


def _grouped_by_first_letter(words: tuple[str, ...]) -> str:
    """Return an alternation of `words` with the words of each first letter in one group: "s(?:iret|ervice)".

    At each position, the regex engine then compares the character with one
    letter per group instead of one per word. This made the keyword search of
    the benchmark invoices about 15% faster. At a position, only the words of
    that character's group can match, and the group keeps their order, so the
    matches are those of the plain alternation.
    """
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


_LABEL_KEYWORDS = re.compile(_grouped_by_first_letter(_LABEL_KEYWORD_LIST))
_LABEL_RUN = re.compile(r"[a-z\s°.#'\-]*")


def _label_matches(folded: str, keyword_starts: list[int]) -> list[re.Match[str]]:
    """Return the matches of _LABELS in `folded`, the same as `list(_LABELS.finditer(folded))`.

    Each match lies in a run of _LABEL_RUN characters that contains one of
    _LABEL_KEYWORDS, and its look-aheads read at most one character past
    that run. So only these runs are searched, each with its next
    character. On the benchmark invoices they are about an eighth of the
    text, and this takes about half the time of one search of the whole
    text, where the engine tries _LABELS at every position because it
    starts with a look-behind. `keyword_starts` are the starts of the
    keyword matches in `folded`, in order.
    """
    matches: list[re.Match[str]] = []
    reversed_text = ""
    run_end = -1
    for keyword_start in keyword_starts:
        if keyword_start < run_end:
            continue  # in the run searched last
        if not reversed_text:
            reversed_text = folded[::-1]
        # The run's start, found by matching backwards from the keyword in the reversed text.
        behind = len(folded) - keyword_start
        run_start = keyword_start - (_LABEL_RUN.match(reversed_text, behind).end() - behind)
        run_end = _LABEL_RUN.match(folded, keyword_start).end()
        matches.extend(_LABELS.finditer(folded, run_start, min(run_end + 1, len(folded))))
    return matches


# Text allowed between a label and its value: "(EJ)", "n°", a colon, a dash.
_GAP = re.compile(rf"[ \t]*(?:\([^)\n]{{0,20}}\))?[ \t]*(?:{_NUMBER_WORD})?[ \t]*(?:[:=|–\-][ \t]*)?")

# A SIRET as printed: 14 digits, grouped by spaces, dots or dashes, or not, with no digit
# just before or after. The pattern starts with the first digit and then looks behind it
# ("(?<!\d\d)") instead of starting with a look-behind: a pattern that starts with a
# character class lets the regex engine skip quickly to the next digit. Both forms are at
# least 14 characters of digits and separators, and the look-ahead for 13 more after the
# first digit turns away an amount or a date before the two forms are tried.
SIRET_PATTERN = re.compile(
    r"(\d(?<!\d\d)(?=[\d .\-]{13})(?:\d{2}[ .\-]?\d{3}[ .\-]?\d{3}[ .\-]?\d{5}|(?:[ .]?\d){13}))(?![ .\-]?\d)"
)
# The possible start of a SIRET, a SIREN (9 digits) or the 9 digits of a French VAT number:
# the first digit of a run of digits, with 8 more digits, whitespace, dots or dashes after it.
# SIRET_PATTERN, _SIREN_PATTERN and _FRENCH_VAT each match only in a line with such a start
# (tests/detection/test_number_scan.py checks it), and most invoice lines have none.
_NUMBER_START = re.compile(r"\d(?<!\d\d)(?=[\d\s.\-]{8})")


def _ascii_table(kind_of: Callable[[str], bytes]) -> bytes:
    """Return a `bytes.translate` table mapping each ASCII byte to `kind_of(character)` and other bytes to b"x"."""
    return b"".join(kind_of(chr(code)) if code < 128 else b"x" for code in range(256))


# Characters of _NUMBER_START's look-ahead class ("C"), and digits ("D") apart from the
# other characters of that class ("S"). str.isspace() is true for the characters that \s
# matches in a str pattern.
_NUMBER_RUN_TABLE = _ascii_table(lambda char: b"C" if char.isdigit() or char.isspace() or char in ".-" else b"x")


def _digit_or_separator(char: str) -> bytes:
    if char.isdigit():
        return b"D"
    return b"S" if char.isspace() or char in ".-" else b"x"


_DIGIT_TABLE = _ascii_table(_digit_or_separator)
_NUMBER_START_LENGTH = 9  # the digit and the 8 characters of the look-ahead


def find_number_starts(text: str) -> list[int]:
    r"""Return the offsets where _NUMBER_START matches in `text`, the same as its `finditer`.

    A number start is the first digit of a run of digits, with 8 more
    characters of the class [\d\s.\-] after it, so it lies in a run of at
    least 9 such characters. The regex engine tries _NUMBER_START at every
    digit, about 300 per benchmark invoice. Instead, the text is turned into
    one byte per character: "C" for the class's characters, and apart from
    that "D" for a digit and "S" for the others. `bytes.find` then looks for
    9 "C" in a row, and within each run found for a digit after an "S". This
    took about 12 µs per benchmark invoice instead of 34. Text with a digit
    or whitespace outside ASCII, which the byte tables cannot classify, is
    searched with the regex.
    """
    if not text.isascii() and any(char.isdigit() or char.isspace() for char in non_ascii_characters(text)):
        return [match.start() for match in _NUMBER_START.finditer(text)]
    ascii_text = text.encode("ascii", "replace")  # one byte per character, so offsets stay the same
    runs = ascii_text.translate(_NUMBER_RUN_TABLE)
    window = b"C" * _NUMBER_START_LENGTH
    run_start = runs.find(window)
    if run_start == -1:
        return []
    digits = ascii_text.translate(_DIGIT_TABLE)
    starts: list[int] = []
    while run_start != -1:
        run_end = runs.find(b"x", run_start)
        if run_end == -1:
            run_end = len(runs)
        # A start needs 8 characters of the run after it.
        search_end = run_end - _NUMBER_START_LENGTH + 1
        if digits[run_start] == ord("D"):
            starts.append(run_start)  # the character before the run is not in the class, so not a digit
        gap = digits.find(b"SD", run_start, search_end)
        while gap != -1:
            starts.append(gap + 1)
            gap = digits.find(b"SD", gap + 2, search_end)
        run_start = runs.find(window, run_end)
    return starts


_LOOSE_DIGITS = re.compile(r"^\d[\d .\-]{7,22}\d")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./]*")
_CODE_LIKE = re.compile(r"^(?=.*[A-Z0-9])[A-Z0-9_\-./]+$")
_STOP_WORDS = frozenset(
    (
        "n no de du des la le les l d et a au aux sur pour par en public juridique executant numero num"
        " non na n/a neant aucun aucune sans voir cf"
    ).split()
)


@dataclass(frozen=True)
class LabelledValue:
    """A value printed after a Chorus Pro label."""

    field: str
    value: str  # as printed; a SIRET keeps its separators
    start: int  # offset of the value in the text
    label: str  # the label as printed
    recipient_qualified: bool = False  # "SIRET du destinataire", "SIRET client"…
    name: str | None = None  # the party's name, for MANDATAIRE and MAIN_CONTRACTOR


@dataclass(frozen=True)
class SiretMention:
    """A 14-digit number printed anywhere in the text."""

    raw: str
    siret: str
    start: int
    line: str


def find_labelled_values(text: str) -> list[LabelledValue]:
    """Return every label/value pair found, in text order."""
    folded = fold_text(text)
    found: list[LabelledValue] = []
    skip_until = -1
    keyword_starts = [match.start() for match in _LABEL_KEYWORDS.finditer(folded)]
    header_rows = _header_rows(folded, keyword_starts)
    header_spans = [(start, end) for start, end, _ in header_rows]
    for match in _label_matches(folded, keyword_starts):
        if match.start() < skip_until:
            continue  # a "SIRET" in a mandataire's line, or a word of a service code just read
        if _inside(header_spans, match.start()):
            continue  # read by _table_values
        index = _label_index(match)
        field, _, strong = _LABEL_PATTERNS[index]
        # A label match may end with blanks ("SIRET " before a colon), and candidate reasons quote the label.
        label = text[match.start() : match.end()].strip()
        if field in PHRASE_FIELDS:
            if not _is_denied(folded, match.start(), match.end()):
                found.append(LabelledValue(field, "", match.start(), label))
            continue
        if not strong and field == SERVICE_CODE and not _starts_entry(folded, match.start()):
            continue  # "prestation de service : 12 h" is prose, not a label
        value_start, value_text = _value_after(text, folded, match.end())
        if value_text is None or _is_label_at(folded, value_start, field):
            continue
        item = _read_value(field, strong, value_text, value_start, label)
        if item is None:
            continue
        if field in (MANDATAIRE, MAIN_CONTRACTOR):
            item, skip_until = _party_with_next_line(text, item, value_start)
        elif field == SERVICE_CODE:
            skip_until = value_start + len(item.value)  # "Code service : SERVICE ACHATS" contains the word "service"
        found.append(item)
    found.extend(_table_values(text, header_rows))
    found.sort(key=lambda item: item.start)
    return found


# "sans sous-traitance", "aucun paiement direct", "Sous-traitance : non": the phrase is denied.
_NEGATION_BEFORE = re.compile(r"(?<![a-z])(?:sans|aucune?|pas\s+de|hors)\s+$")
_NEGATION_AFTER = re.compile(r"[ \t]*:?[ \t]*(?:non|neant|aucune?|sans)(?![a-z])")


def _is_denied(folded: str, start: int, end: int) -> bool:
    return bool(_NEGATION_BEFORE.search(folded, max(0, start - 12), start) or _NEGATION_AFTER.match(folded, end))


def _is_label_at(folded: str, position: int, field: str) -> bool:
    """Tell whether the value read for a `field` label starts with another label, so that label has no value.

    A service code may start with the word "service" ("Code service : SERVICE ACHATS"):
    that word is a label only when a colon follows it.
    """
    match = _LABELS.match(folded, position)
    if match is None:
        return False
    label_field, _, strong = _LABEL_PATTERNS[_label_index(match)]
    if field == SERVICE_CODE and label_field == SERVICE_CODE and not strong:
        return folded[match.end() : match.end() + 2].lstrip(" ").startswith(":")
    return True


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Tell whether `position` falls in one of `spans`, which are sorted and do not overlap."""
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


_ENTRY_SEPARATORS = frozenset("-|;,:•–/")


def _starts_entry(folded: str, position: int) -> bool:
    """Tell whether `position` starts its line, follows a separator such as " - " or "|", or touches a value.

    Text extraction sometimes glues a label to the previous value
    ("…55688Service"), which also starts an entry.
    """
    line_start = folded.rfind("\n", 0, position) + 1
    before = folded[line_start:position].rstrip()
    glued = position > line_start and folded[position - 1].isdigit()
    return not before or before[-1] in _ENTRY_SEPARATORS or glued


def _value_after(text: str, folded: str, position: int) -> tuple[int, str | None]:
    """Return the start and text of the value after a label: the rest of its line, else the next line."""
    gap = _GAP.match(folded, position)
    position = gap.end() if gap else position
    line_end = text.find("\n", position)
    if line_end == -1:
        line_end = len(text)
    rest = text[position:line_end].strip()
    if rest:
        return position + (len(text[position:line_end]) - len(text[position:line_end].lstrip())), rest
    next_start = line_end + 1
    if next_start >= len(text):
        return position, None
    next_end = text.find("\n", next_start)
    if next_end == -1:
        next_end = len(text)
    gap = _GAP.match(folded, next_start, next_end)
    start = gap.end() if gap else next_start
    value = text[start:next_end].strip()
    return start, value or None


def _read_value(field: str, strong: bool, value: str, start: int, label: str) -> LabelledValue | None:
    if field == SIRET:
        digits = _LOOSE_DIGITS.match(value)
        if digits is None:
            return None
        siret_match = SIRET_PATTERN.match(value)
        raw = siret_match.group(1) if siret_match else digits.group(0)
        folded_label = fold_text(label)
        qualified = any(word in folded_label for word in ("destinataire", "client", "acheteur", "beneficiaire"))
        return LabelledValue(SIRET, raw.strip(), start, label, recipient_qualified=qualified)
    if field in (MANDATAIRE, MAIN_CONTRACTOR):
        return _read_party(field, value, start, label)
    if field == SERVICE_CODE:
        code = _read_service_code(value, strong)
        return LabelledValue(field, code, start, label) if code else None
    token_match = _TOKEN.match(value)
    if token_match is None:
        return None
    if token_match.end() < len(value) and value[token_match.end()].isalnum():
        return None  # "MARCHÉ-12": the ASCII token would be a fragment of the number
    token = token_match.group(0).rstrip(".-/")
    if not token or fold_text(token) in _STOP_WORDS:
        return None
    if not any(char.isdigit() for char in token):
        # Reference numbers carry digits; a word after the label is prose ("engagement de ...").
        if not (strong and _CODE_LIKE.match(token) and len(token) >= 3):
            return None
    return LabelledValue(field, token, start, label)


# Chorus Pro's limit on the length of a service code.
_SERVICE_CODE_MAX_LENGTH = 100
# Characters that end a service code's value: what follows them is a comment or another entry.
_SERVICE_CODE_END = re.compile(r"[,;|:()\[\]•]|\.$")
_SEPARATOR_WORDS = frozenset("-–—/")
_WORD = re.compile(r"\S+")
_ASCII_SERVICE_CODE = re.compile(r"[A-Za-z0-9 _-]+")


def _read_service_code(value: str, strong: bool) -> str | None:
    """Return the service code that `value` starts with, or None.

    The code is the run of words up to a separator (",", " - ", "(", "|"…),
    the next label or the line end, because Chorus Pro's codes may contain
    spaces ("SERVICE ACHATS"). When a word of that run contains a character
    a code cannot have, nothing is returned, because a fragment would be a
    wrong code.
    """
    folded = None  # most codes are one word, and only the later words need the folded value
    words: list[str] = []
    for match in _WORD.finditer(value):
        word = match.group(0)
        if words:
            if folded is None:
                folded = fold_text(value)
            if word in _SEPARATOR_WORDS or _starts_next_entry(folded, match.start()):
                break  # "ST - N° EJ …", "ST EJ 1300…"
        end = _SERVICE_CODE_END.search(word)
        if end is not None:
            word = word[: end.start()]
        if word:
            words.append(word)
        if end is not None:
            break
    code = " ".join(words)
    if not words or len(code) > _SERVICE_CODE_MAX_LENGTH or fold_text(words[0]) in _STOP_WORDS:
        return None
    if not (_ASCII_SERVICE_CODE.fullmatch(code) or all(_is_service_code_character(character) for character in code)):
        return None
    if not any(character.isalnum() for character in code):
        return None
    if code.upper() != code:
        # After an explicit label, a lone word ("Code service : achats") is the code;
        # several words ("Service exécutant : Direction des achats") are a service's name.
        if not strong or len(words) > 1:
            return None
    return code


def _starts_next_entry(folded: str, position: int) -> bool:
    """Tell whether a label that starts the next entry begins at `position` in a value.

    A weak label word counts only with a colon or a number after it, so the
    words of "ACHATS MARCHE PUBLIC" stay in one code.
    """
    match = _LABELS.match(folded, position)
    if match is None:
        return False
    if _LABEL_PATTERNS[_label_index(match)][2]:
        return True
    following = folded[match.end() : match.end() + 3].lstrip(" ")
    return following[:1] == ":" or following[:1].isdigit()


def _is_service_code_character(character: str) -> bool:
    """Letters (accented Latin ones too), digits, space, "_" and "-": the characters of a Chorus Pro service code."""
    if character.isascii():
        return character.isalnum() or character in " _-"
    return character.isalpha() and unicodedata.name(character, "").startswith("LATIN")


_SIRET_LINE = re.compile(r"^[ \t]*(?:n\s?[°o]\.?\s*)?siret[ \t]*:?[ \t]*")


def _party_with_next_line(text: str, item: LabelledValue, value_start: int) -> tuple[LabelledValue, int]:
    """Give a mandataire or main contractor the SIRET of the next line when its own line has none.

    Returns the item and the offset up to which SIRET labels belong to that
    party (the end of its line, or of the next line when taken).
    """
    line_end = text.find("\n", value_start)
    if line_end == -1:
        return item, len(text)
    if item.value:
        return item, line_end
    next_end = text.find("\n", line_end + 1)
    next_end = len(text) if next_end == -1 else next_end
    next_line = text[line_end + 1 : next_end]
    label = _SIRET_LINE.match(fold_text(next_line))
    siret_match = SIRET_PATTERN.match(next_line, label.end()) if label else None
    if siret_match is None:
        return item, line_end
    start = line_end + 1 + siret_match.start()
    return LabelledValue(item.field, siret_match.group(1), start, item.label, name=item.name), next_end


_MANDATAIRE_SIRET_LABEL = re.compile(r"[\s,;:–\-(]*(?:SIRET|siret|Siret)?\s*(?:n\s?°|no\.?)?\s*[:]?\s*$")


def _read_party(field: str, value: str, start: int, label: str) -> LabelledValue | None:
    """Read a mandataire's or main contractor's name and SIRET from the value after its label."""
    siret_match = SIRET_PATTERN.search(value)
    if siret_match is None:
        name = value.strip(" -–,;:") or None
        return LabelledValue(field, "", start, label, name=name) if name else None
    name = _MANDATAIRE_SIRET_LABEL.sub("", value[: siret_match.start()]).strip(" -–,;:()") or None
    return LabelledValue(field, siret_match.group(1), start + siret_match.start(), label, name=name)


_TABLE_CELL = re.compile(rf"{SIRET_PATTERN.pattern}|[^\s|;]+")
_LABEL_SEPARATOR = re.compile(r"[\s:|;/]*")


def _header_rows(folded: str, keyword_starts: list[int]) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    """Return the start, end and labels of each line made only of two labels or more (a table's header row).

    Only the lines with a label keyword, at `keyword_starts`, can hold a label.
    """
    rows = []
    line_end = -1
    for keyword_start in keyword_starts:
        if keyword_start <= line_end:
            continue  # in the line read last
        start = folded.rfind("\n", 0, keyword_start) + 1
        line_end = folded.find("\n", keyword_start)
        if line_end == -1:
            line_end = len(folded)
        first = folded[start : start + 1]
        if first.isalnum() and first not in LABEL_FIRST_CHARACTERS:
            continue  # no separator before it and no label starts with it: a cheap early exit
        labels = _header_labels(folded, start, line_end)
        if len(labels) >= 2:
            rows.append((start, line_end, labels))
    return rows


def _table_values(text: str, header_rows: list[tuple[int, int, list[tuple[str, int, int]]]]) -> list[LabelledValue]:
    """Read a header row made only of labels, with the values on the next line in the same order.

    The value line must have exactly one cell per label (a SIRET written
    with spaces counts as one cell); otherwise the row is left alone.
    """
    found: list[LabelledValue] = []
    for _, end, labels in header_rows:
        if end >= len(text):
            continue  # the last line has no value line after it
        next_start = end + 1
        next_end = text.find("\n", next_start)
        if next_end == -1:
            next_end = len(text)
        cells = list(_TABLE_CELL.finditer(text, next_start, next_end))
        if len(cells) != len(labels):
            continue
        for (field, label_start, label_end), cell in zip(labels, cells, strict=True):
            label = text[label_start:label_end].strip()
            item = _read_value(field, True, cell.group(0), cell.start(), label)
            if item is not None:
                found.append(item)
    return found


def _header_labels(folded: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Return (field, start, end) of each label of a line made only of labels, or []."""
    labels = []
    position = _LABEL_SEPARATOR.match(folded, start, end).end()
    while position < end:
        if labels and ":" in folded[labels[-1][2] : position]:
            # "Code service : SERVICE MARCHE PUBLIC" is a label and its value, even though the
            # value is made of label words: a table's header row does not put a colon between them.
            return []
        match = _LABELS.match(folded, position, end)
        if match is None:
            return []
        field = _LABEL_PATTERNS[_label_index(match)][0]
        if field in PHRASE_FIELDS:
            return []  # "Sous-traitance – paiement direct" is a statement, not a table's header
        if labels and labels[-1][0] == field and "/" in folded[labels[-1][2] : match.start()]:
            # "Référence acheteur / Service exécutant": two names for one column.
            labels[-1] = (field, labels[-1][1], match.end())
        else:
            labels.append((field, match.start(), match.end()))
        position = _LABEL_SEPARATOR.match(folded, match.end(), end).end()
    return labels


class _TextScan:
    """Lines, SIRET matches and customer labels of one invoice text, each found on first use.

    Several finders read them for the same text. `_scan_of` keeps the scan
    of the last text, so each is found once per invoice.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_attribute
    def folded(self) -> str:
        return fold_text(self.text)

    @cached_attribute
    def lines(self) -> list[str]:
        return split_lines(self.text)[0]

    @cached_attribute
    def folded_lines(self) -> list[str]:
        return split_lines(self.text)[1]

    @cached_attribute
    def number_starts(self) -> list[int]:
        """Offsets where a SIRET, a SIREN or the digits of a French VAT number can start (see _NUMBER_START)."""
        return find_number_starts(self.text)

    @cached_attribute
    def sirets(self) -> list[re.Match[str]]:
        """SIRET_PATTERN's matches in the text, the same as `list(SIRET_PATTERN.finditer(text))`.

        Every match starts at a number start, so the pattern is tried there
        only. A match never spans a line break, and its look-arounds read a
        line break as they read the end of a string. So the matches inside
        one line are those that a search of that line alone finds.
        """
        matches: list[re.Match[str]] = []
        end = 0
        for start in self.number_starts:
            if start < end:
                continue  # inside the last match, as finditer never overlaps matches
            match = SIRET_PATTERN.match(self.text, start)
            if match:
                matches.append(match)
                end = match.end()
        return matches

    @cached_attribute
    def number_lines(self) -> list[tuple[int, int]]:
        """Start and end offsets of each line with a number start, in text order."""
        spans: list[tuple[int, int]] = []
        for start in self.number_starts:
            if spans and start <= spans[-1][1]:
                continue  # in the line found last
            line_start = self.text.rfind("\n", 0, start) + 1
            line_end = self.text.find("\n", start)
            spans.append((line_start, line_end if line_end != -1 else len(self.text)))
        return spans

    @cached_attribute
    def siret_starts(self) -> list[int]:
        return [match.start() for match in self.sirets]

    def sirets_between(self, start: int, end: int) -> list[re.Match[str]]:
        """Return the SIRET matches that start in [start, end)."""
        return self.sirets[bisect.bisect_left(self.siret_starts, start) : bisect.bisect_left(self.siret_starts, end)]

    @cached_attribute
    def customer_label_lines(self) -> list[int]:
        """Indexes of the lines that start with a customer block label ("Client", "Facturé à"…).

        The first line is matched alone, and the others in one search for the
        label after a line break. That search starts with a character, so the
        regex engine tries it only at line breaks: about 3 µs per benchmark
        invoice, where matching each line took about 7.
        """
        folded = self.folded
        first_end = folded.find("\n")
        first_label = _CUSTOMER_BLOCK_LABEL.match(folded, 0, first_end if first_end != -1 else len(folded))
        indexes = [0] if first_label else []
        index = counted_to = 0
        for match in _CUSTOMER_LABEL_AFTER_BREAK.finditer(folded):
            index += folded.count("\n", counted_to, match.start() + 1)
            counted_to = match.start() + 1
            indexes.append(index)
        return indexes


# The scan of the last text read. Replacing it is one assignment, so threads that read
# different texts at the same time each keep a consistent scan of their own.
_last_scan = _TextScan("")


def _scan_of(text: str) -> _TextScan:
    global _last_scan
    scan = _last_scan
    if scan.text is not text:
        scan = _TextScan(text)
        _last_scan = scan
    return scan


def find_siret_mentions(text: str) -> list[SiretMention]:
    """Return every 14-digit number that could be a SIRET, with its line."""
    mentions = []
    for match in _scan_of(text).sirets:
        siret = normalise_siret(match.group(1))
        if siret is None:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end != -1 else len(text)]
        mentions.append(SiretMention(match.group(1), siret, match.start(), line))
    return mentions


def _whole_word(word: str) -> str:
    """Return a pattern matching `word`, which starts with a letter, as a whole word, like r"\bword\b".

    The pattern starts with the first letter and checks the boundary behind
    it. When every alternative of a regex starts with a letter, the regex
    engine rejects most positions in one step, and a search is several times
    faster than with a "\b" first.
    """
    first = re.escape(word[0])
    return rf"{first}(?<!\w{first}){re.escape(word[1:])}\b"


# Words of a supplier's legal mentions (footer or letterhead).
_LEGAL_WORDS = re.compile(
    r"capital|tva\s+intra|n\s?°\s*tva|no\.?\s+tva|numero\s+de\s+tva|siege\s+social|immatricul|societe\s+par\s+actions|"
    + "|".join(_whole_word(word) for word in ("rcs", "ape", "naf", "sas", "sarl", "sasu", "eurl", "sa", "scop"))
)
_CUSTOMER_WORD_LIST = ("client", "destinataire", "acheteur", "mandataire", "beneficiaire", "customer", "buyer")
_CUSTOMER_WORDS = re.compile("|".join(_CUSTOMER_WORD_LIST))
_BANK_WORDS = re.compile("|".join(_whole_word(word) for word in ("iban", "bic", "rib")) + "|swift")
# The same digit-first form as SIRET_PATTERN.
_SIREN_PATTERN = re.compile(r"(\d(?<!\d\d)\d{2}[ .]?\d{3}[ .]?\d{3})(?![ .]?\d)")
# "f(?<![a-z0-9]f)" checks what comes before the "f" after matching it, for the same reason.
_FRENCH_VAT = re.compile(r"f(?<![a-z0-9]f)r\s?[0-9a-z]{2}\s?(\d{3}\s?\d{3}\s?\d{3})(?!\d)")


def is_legal_line(line: str) -> bool:
    """Tell whether a line reads like the supplier's legal mentions and not like the customer block."""
    folded = fold_text(line)
    return bool(_LEGAL_WORDS.search(folded)) and not _CUSTOMER_WORDS.search(folded)


def is_bank_line(line: str) -> bool:
    return bool(_BANK_WORDS.search(fold_text(line)))




def _lines_containing(folded_text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Return the start and end of each line of `folded_text` that contains one of `words`, in text order.

    `str.find` for each word took about 6 microseconds per invoice, where a
    regex search for any of them took about 10.
    """
    starts: set[int] = set()
    for word in words:
        position = folded_text.find(word)
        while position != -1:
            starts.add(folded_text.rfind("\n", 0, position) + 1)
            position = folded_text.find(word, position + 1)
    spans = []
    for start in sorted(starts):
        end = folded_text.find("\n", start)
        spans.append((start, end if end != -1 else len(folded_text)))
    return spans


def find_legal_sirens(text: str) -> set[str]:
    """Return the SIRENs printed in the supplier's legal mentions (RCS, SIREN, French VAT number, SIRET)."""
    sirens: set[str] = set()
    scan = _scan_of(text)
    # A line without a number start has none of the three numbers, and such lines are few,
    # so the legal words are looked for only there.
    for line_start, line_end in scan.number_lines:
        line = text[line_start:line_end]
        folded = scan.folded[line_start:line_end]
        if not _LEGAL_WORDS.search(folded) or _CUSTOMER_WORDS.search(folded) or _BANK_WORDS.search(folded):
            continue
        for match in scan.sirets_between(line_start, line_end):
            siret = normalise_siret(match.group(1))
            if siret:
                sirens.add(siret[:9])
        for match in _SIREN_PATTERN.finditer(line):
            siren = normalise_siren(match.group(1))
            if siren:
                sirens.add(siren)
        for match in _FRENCH_VAT.finditer(folded):
            siren = normalise_siren(match.group(1))
            if siren:
                sirens.add(siren)
    return sirens


_VAT_NUMBER = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})\s?([0-9A-Z][0-9A-Z \-.]{5,16}[0-9A-Z])(?![A-Za-z0-9])")
# Each alternative contains one of the words of _CUSTOMER_WORDS.
_CUSTOMER_VAT_LINE = re.compile(
    r"(?:tva|vat|ust|btw|iva)[^\n]{0,30}(?:client|acheteur|destinataire|customer|buyer)"
    r"|(?:client|acheteur|destinataire|customer|buyer)[^\n]{0,30}(?:tva|vat)"
)


def find_customer_vat_number(text: str) -> str | None:
    """Return the customer's VAT number printed as "N° TVA client …", or None."""
    # Only the lines with a customer word can match _CUSTOMER_VAT_LINE, and searching for these
    # words first costs less than searching the whole text for the label.
    folded_text = fold_text(text)
    for line_start, line_end in _lines_containing(folded_text, _CUSTOMER_WORD_LIST):
        label = _CUSTOMER_VAT_LINE.search(folded_text[line_start:line_end])
        if label is None:
            continue
        line = text[line_start:line_end]
        match = _VAT_NUMBER.search(line, label.end())
        if match:
            return (match.group(1) + match.group(2)).replace(" ", "").replace("-", "").replace(".", "")
    return None


# Countries a customer outside France is often addressed in, as printed in French or English.
_FOREIGN_COUNTRIES = re.compile(
    r"(?<![a-z])(?:belgique|belgium|allemagne|germany|deutschland|espagne|spain|espana|italie|italy|italia"
    r"|suisse|switzerland|schweiz|luxembourg|royaume[\s-]uni|united\s+kingdom|pays[\s-]bas|netherlands"
    r"|portugal|irlande|ireland|autriche|austria|canada|etats[\s-]unis|united\s+states|usa)(?![a-z])"
)
_CUSTOMER_BLOCK_LABEL = re.compile(
    r"^\s*(?:client|destinataire|facturee?\s+a(?!\s+regler)|facturer\s+a|adresse\s+de\s+facturation|acheteur"
    r"|bill\s+to|customer)\b"
)
# _CUSTOMER_BLOCK_LABEL after a line break, to search a whole text. Its "\s" become "[^\S\n]", so
# that a match and its look-ahead stay within one line, as when each line is matched alone.
_CUSTOMER_LABEL_AFTER_BREAK = re.compile(
    "\n" + _CUSTOMER_BLOCK_LABEL.pattern.removeprefix("^").replace(r"\s", r"[^\S\n]")
)
# The letterhead is looked for only above a customer label among the first lines.
_LETTERHEAD_MAX_LINES = 40


def find_letterhead_sirens(text: str) -> set[str]:
    """Return the SIRENs printed above the customer block ("Client", "Facturé à"…): the seller's letterhead.

    Nothing is returned when no customer label appears in the first lines,
    because then the top of the page may well be the customer's address.
    """
    scan = _scan_of(text)
    customer_index = next(iter(scan.customer_label_lines), None)
    if customer_index is None or customer_index >= _LETTERHEAD_MAX_LINES:
        return set()
    letterhead_end = 0  # where the customer label's line starts
    for _ in range(customer_index):
        letterhead_end = text.index("\n", letterhead_end) + 1
    sirens: set[str] = set()
    # Most letterheads have no SIRET, and then no line is read.
    for match in scan.sirets_between(0, letterhead_end):
        line_start = text.rfind("\n", 0, match.start()) + 1
        folded = scan.folded[line_start : text.index("\n", match.start())]
        if _BANK_WORDS.search(folded) or _CUSTOMER_WORDS.search(folded):
            continue
        siret = normalise_siret(match.group(1))
        if siret:
            sirens.add(siret[:9])
    return sirens


def find_customer_country(text: str) -> str | None:
    """Return the foreign country printed in the customer block (the label line and the 6 after it), or None."""
    scan = _scan_of(text)
    lines, folded_lines = scan.lines, scan.folded_lines
    for index in scan.customer_label_lines:
        for line, folded_line in zip(lines[index : index + 7], folded_lines[index : index + 7], strict=True):
            match = _FOREIGN_COUNTRIES.search(folded_line)
            if match:
                return line[match.start() : match.end()]
    return None


# How far from a customer label ("Client", "Facturé à"…) a SIRET still belongs to the
# customer: the label's line and the lines of the address block below it, and a few lines
# above it, where a two-column layout can put the customer's identifiers.
# NOTE: both line counts are estimates from common layouts, not measured on a corpus.
_CUSTOMER_BLOCK_LINES = 6
_ABOVE_CUSTOMER_LABEL_LINES = 3
# A customer's name shorter than this could match inside another word.
_CUSTOMER_NAME_MIN_LENGTH = 5
_NAME_END = re.compile(r"\s*[,(;]|\s+[-–]\s")


@lru_cache(maxsize=4)
def _name_part(customer_name: str) -> str | None:
    """Return the name in "Commune de Valmorin, 1 place de la Mairie", or None when it is too short to search."""
    name = _NAME_END.split(customer_name, maxsplit=1)[0].strip()
    return name if len(name) >= _CUSTOMER_NAME_MIN_LENGTH else None


@dataclass(frozen=True)
class CustomerMention:
    """The customer's label or name printed near a SIRET."""

    text: str  # as printed
    in_block: bool  # on the SIRET's line or in the block below the label, not above it


def find_customer_mention(text: str, position: int, customer_name: str | None) -> CustomerMention | None:
    """Return the customer's name printed on the line of `position`, else a customer label near that line, or None.

    A label is near when the line is in its block (the label's line and the
    6 below it), or else in the 3 lines above it.
    """
    scan = _scan_of(text)
    index = text.count("\n", 0, position)
    name = _name_part(customer_name) if customer_name else None
    if name is not None and name.casefold() in scan.lines[index].casefold():
        return CustomerMention(name, in_block=True)
    labels = scan.customer_label_lines
    label_index = next((label for label in labels if label <= index <= label + _CUSTOMER_BLOCK_LINES), None)
    in_block = label_index is not None
    if label_index is None:
        label_index = next((label for label in labels if label - _ABOVE_CUSTOMER_LABEL_LINES <= index < label), None)
    if label_index is None:
        return None
    label = _CUSTOMER_BLOCK_LABEL.match(scan.folded_lines[label_index])
    return CustomerMention(scan.lines[label_index][: label.end()].strip(), in_block)
