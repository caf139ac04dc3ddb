"""SIRET normaliser and checks, with property tests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from chorus_tui.detection.siret import (
    _SEPARATORS,
    format_siret,
    is_valid_siret,
    normalise_siren,
    normalise_siret,
    siren_of,
)

digits14 = st.text(alphabet="0123456789", min_size=14, max_size=14)
separators = st.sampled_from([" ", ".", "-", "\u00a0", "\u2009", "\u202f", ""])


def test_normalise_accepts_common_spellings():
    assert normalise_siret("211 707 534 55688") == "21170753455688"
    assert normalise_siret("211.707.534.55688") == "21170753455688"
    assert normalise_siret("21170753455688") == "21170753455688"
    assert normalise_siret(" 211-707-534-55688 ") == "21170753455688"


def test_normalise_rejects_wrong_lengths_and_letters():
    assert normalise_siret("2117075345568") is None
    assert normalise_siret("211707534556880") is None
    assert normalise_siret("2117075345568A") is None
    assert normalise_siret("") is None


def test_normalise_rejects_non_ascii_digits():
    assert normalise_siret("٢١١٧٠٧٥٣٤٥٥٦٨٨") is None


def test_la_poste_exception_is_valid():
    assert is_valid_siret("35600000000048")


def test_checksum_detects_typo():
    assert is_valid_siret("21170753455688")
    assert not is_valid_siret("21170753455689")
    assert not is_valid_siret("78787878400035")


def test_siren_helpers():
    assert normalise_siren("815 881 396") == "815881396"
    assert normalise_siren("81588139") is None
    assert siren_of("81588139669879") == "815881396"


@given(digits14, separators)
def test_normalise_ignores_grouping(siret, separator):
    grouped = separator.join([siret[0:3], siret[3:6], siret[6:9], siret[9:14]])
    assert normalise_siret(grouped) == siret


@given(digits14)
def test_normalise_is_idempotent(siret):
    once = normalise_siret(siret)
    assert once == siret
    assert normalise_siret(once) == once


@given(digits14)
def test_format_round_trips(siret):
    assert normalise_siret(format_siret(siret)) == siret


@given(st.text(max_size=30))
def test_normalise_never_raises(value):
    result = normalise_siret(value)
    assert result is None or (len(result) == 14 and result.isdigit())


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_luhn_completed_number_passes_unless_siren_fails(prefix):
    siret = prefix + luhn.calc_check_digit(prefix)
    # A SIRET is valid when both the SIREN and the whole number pass Luhn.
    assert is_valid_siret(siret) == luhn.is_valid(siret[:9])


@given(digits14, st.integers(min_value=0, max_value=13), st.integers(min_value=1, max_value=9))
def test_single_digit_change_breaks_valid_siret(siret, position, delta):
    prefix = siret[:13]
    valid = prefix + luhn.calc_check_digit(prefix)
    changed_digit = str((int(valid[position]) + delta) % 10)
    changed = valid[:position] + changed_digit + valid[position + 1 :]
    if valid.startswith("356000000"):
        return  # La Poste's numbers follow another rule
    assert not luhn.is_valid(changed)
    assert not is_valid_siret(changed)


def plain_digits(value: str, length: int) -> str | None:
    """Normalise by removing every separator with the pattern, as normalise_siret first did."""
    digits = _SEPARATORS.sub("", value)
    return digits if len(digits) == length and digits.isascii() and digits.isdigit() else None


@settings(max_examples=3000)
@given(st.lists(st.sampled_from([*"0123456789 .-/_\t\n٣a", "\u00a0", "815 881 396", "69879"]), max_size=16).map("".join))
def test_normalise_matches_separator_pattern(value):
    assert normalise_siret(value) == plain_digits(value, 14)
    assert normalise_siren(value) == plain_digits(value, 9)
