"""Property tests of the SIRET normaliser and check that the deposit form uses."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from chorus_tui.domain import CheckLevel
from chorus_tui.validation.identifiers import Party, check_siret, normalise_siret

SEPARATORS = [" ", ".", "-", "\u00a0", "\u202f", "  "]
LA_POSTE_SIREN = "356000000"


@st.composite
def valid_sirets(draw) -> str:
    """Return a SIRET whose SIREN and whole number both pass the Luhn key (La Poste's SIREN excluded)."""
    siren_body = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    siren = siren_body + luhn.calc_check_digit(siren_body)
    assume(siren != LA_POSTE_SIREN)
    nic_body = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    return siren + nic_body + luhn.calc_check_digit(siren + nic_body)


def grouped(siret: str, separator: str) -> str:
    """Write a SIRET the way invoices print it: 3 3 3 5."""
    return separator.join([siret[:3], siret[3:6], siret[6:9], siret[9:]])


@given(valid_sirets(), st.sampled_from(SEPARATORS))
def test_normalise_removes_any_grouping(siret, separator):
    assert normalise_siret(grouped(siret, separator)) == siret


@given(st.text(max_size=40))
def test_normalise_is_idempotent(value):
    once = normalise_siret(value)
    assert normalise_siret(once) == once


@given(valid_sirets(), st.sampled_from(SEPARATORS))
def test_valid_siret_passes_however_grouped(siret, separator):
    result = check_siret(grouped(siret, separator), party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.PASS
    assert result.message.params["value"] == siret
    assert result.message.params["siren"] == siret[:9]


@given(valid_sirets(), st.integers(min_value=0, max_value=13), st.integers(min_value=1, max_value=9))
def test_one_digit_typo_is_blocking(siret, position, delta):
    typo = siret[:position] + str((int(siret[position]) + delta) % 10) + siret[position + 1:]
    assume(typo[:9] != LA_POSTE_SIREN)
    result = check_siret(typo, party=Party.MANDATAIRE, field="validator_siret")
    assert result.level is CheckLevel.BLOCKING
    assert result.field == "validator_siret"
    assert result.message.key in {"checks.siret_checksum", "checks.siren_checksum"}


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_check_never_raises_and_renders(value):
    result = check_siret(value, party=Party.RECIPIENT, field="recipient_siret")
    assert result.field == "recipient_siret"
    assert result.level in (CheckLevel.PASS, CheckLevel.BLOCKING)
    assert str(result.message)


@given(st.text(alphabet="0123456789", min_size=4, max_size=4))
def test_la_poste_establishments_pass_by_digit_sum(nic_body):
    # La Poste's establishments share one SIREN and use a digit sum divisible by 5 instead of the Luhn key.
    body = LA_POSTE_SIREN + nic_body
    last = next(digit for digit in "0123456789" if sum(int(char) for char in body + digit) % 5 == 0)
    result = check_siret(body + last, party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.PASS
