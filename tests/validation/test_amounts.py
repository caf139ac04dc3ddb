from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chorus_tui.domain import Amounts, CheckLevel, DepositForm, InvoiceKind, VatLine
from chorus_tui.validation.amounts import (
    check_amounts,
    check_credit_note,
    check_vat_type,
    expected_vat,
    suggest_vat_type,
)
from chorus_tui.validation.results import has_blocking

D = Decimal
CENT = D("0.01")


def make_amounts(*lines: tuple[str, str], due: str | None = None) -> Amounts:
    """Build consistent amounts from (rate, base) pairs."""
    vat_lines = [VatLine(D(rate), D(base), expected_vat(D(base), D(rate))) for rate, base in lines]
    ht = sum((line.base_ht for line in vat_lines), D("0"))
    vat = sum((line.vat for line in vat_lines), D("0"))
    return Amounts(ht, vat, ht + vat, D(due) if due is not None else ht + vat, vat_lines)


def form_with(amounts: Amounts, **fields) -> DepositForm:
    return DepositForm(invoice_number="FAC-2026-0042", invoice_date=None, recipient_siret="21170753455688",
                       amounts=amounts, **fields)


def levels(results):
    return [result.level for result in results]


def test_consistent_amounts_pass():
    results = check_amounts(make_amounts(("20", "1000.00"), ("5.5", "200.00")))
    assert levels(results) == [CheckLevel.PASS]
    assert str(results[0].message) == "Montants cohérents (TTC 1\u202f411,00\u00a0€)."


def test_ttc_one_cent_off_is_blocking():
    amounts = make_amounts(("20", "100.00"))
    amounts.total_ttc += CENT
    amounts.amount_due = amounts.total_ttc
    results = check_amounts(amounts)
    assert levels(results) == [CheckLevel.BLOCKING]
    assert results[0].field == "amounts.total_ttc"
    assert str(results[0].message) == (
        "Montants incohérents : HT 100,00\u00a0€ + TVA 20,00\u00a0€ = 120,00\u00a0€, mais le TTC saisi est "
        "120,01\u00a0€. Corrigez l'un des trois montants pour qu'ils correspondent à la facture."
    )


def test_missing_amounts_ask_to_enter_them():
    results = check_amounts(Amounts())
    assert levels(results) == [CheckLevel.BLOCKING] * 4
    assert [str(result.message) for result in results] == [
        "Le montant HT est manquant : saisissez le montant HT tel qu'il figure sur la facture.",
        "Le montant de TVA est manquant : saisissez le montant de TVA tel qu'il figure sur la facture.",
        "Le montant TTC est manquant : saisissez le montant TTC tel qu'il figure sur la facture.",
        "Le montant à payer est manquant : saisissez le montant à payer tel qu'il figure sur la facture.",
    ]


def test_vat_lines_sum_mismatch_blocks():
    amounts = make_amounts(("20", "100.00"))
    amounts.vat_lines.append(VatLine(D("10"), D("0.00"), D("1.00")))
    results = check_amounts(amounts)
    assert CheckLevel.BLOCKING in levels(results)
    messages = [str(result.message) for result in results]
    assert "Le total des lignes de TVA (21,00\u00a0€) diffère du montant de TVA (20,00\u00a0€). Corrigez les lignes " \
           "de TVA ou le montant de TVA." in messages


def test_bases_not_adding_up_to_ht_is_blocking():
    amounts = make_amounts(("20", "100.00"))
    amounts.vat_lines[0] = VatLine(D("20"), D("99.00"), D("20.00"))
    results = check_amounts(amounts)
    assert "vat_lines_base_sum" in {result.message.key.split(".")[1] for result in results}
    assert has_blocking(results)


def test_vat_line_with_wrong_rate_warns():
    amounts = make_amounts(("20", "100.00"))
    amounts.vat_lines[0] = VatLine(D("10"), D("100.00"), D("20.00"))
    results = check_amounts(amounts)
    assert levels(results) == [CheckLevel.WARNING]
    assert str(results[0].message) == (
        "Ligne de TVA à 10 % : pour une base de 100,00\u00a0€, la TVA devrait être de 10,00\u00a0€, mais la ligne "
        "indique 20,00\u00a0€. Vérifiez le taux ou le montant."
    )


def test_amount_due_above_ttc_is_blocking():
    results = check_amounts(make_amounts(("20", "100.00"), due="120.01"))
    assert levels(results) == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Le montant à payer (120,01\u00a0€) dépasse le montant TTC (120,00\u00a0€). Saisissez au plus le TTC, "
        "diminué des acomptes déjà versés."
    )


def test_amount_with_three_decimals_is_blocking():
    amounts = Amounts(D("100.005"), D("0"), D("100.005"), D("100.005"))
    results = check_amounts(amounts)
    assert has_blocking(results)
    assert str(results[0].message) == (
        "Le montant HT (100,005\u00a0€) a plus de deux décimales : saisissez-le arrondi au centime, "
        "comme sur la facture."
    )


def test_negative_amounts_by_kind():
    amounts = Amounts(D("-100.00"), D("0"), D("-100.00"), D("0"))
    assert has_blocking(check_amounts(amounts, InvoiceKind.INVOICE))
    credit = check_amounts(amounts, InvoiceKind.CREDIT_NOTE)
    assert not has_blocking(credit)
    assert CheckLevel.WARNING in levels(credit)


money = st.decimals(min_value=D("0.00"), max_value=D("999999.99"), places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from(["0", "2.1", "5.5", "8.5", "10", "13", "20"])


@st.composite
def consistent_amounts(draw) -> Amounts:
    lines = draw(st.lists(st.tuples(rates, money), min_size=1, max_size=5))
    amounts = make_amounts(*((rate, str(base)) for rate, base in lines))
    amounts.amount_due = draw(st.decimals(min_value=D("0.00"), max_value=amounts.total_ttc, places=2))
    return amounts


@given(consistent_amounts())
def test_consistent_amounts_never_block(amounts):
    assert not has_blocking(check_amounts(amounts))


@given(consistent_amounts(), st.sampled_from(["total_ht", "total_vat", "total_ttc"]), st.sampled_from([CENT, -CENT]))
def test_one_cent_change_to_a_total_blocks(amounts, attribute, change):
    value = getattr(amounts, attribute)
    if value + change < 0:
        change = CENT
    setattr(amounts, attribute, value + change)
    assert has_blocking(check_amounts(amounts))


@given(consistent_amounts(), st.sampled_from([CENT, -CENT]))
def test_one_cent_change_to_a_vat_line_blocks(amounts, change):
    line = amounts.vat_lines[0]
    amounts.vat_lines[0] = VatLine(line.rate, line.base_ht, line.vat + change)
    assert has_blocking(check_amounts(amounts))


def test_no_vat_suggests_sans_tva():
    assert suggest_vat_type(make_amounts(("0", "500.00"))) == ("SANS_TVA", None)
    assert suggest_vat_type(Amounts(D("500.00"), D("0"), D("500.00"), D("500.00"))) == ("SANS_TVA", None)


def test_exempted_line_suggests_exoneration_with_reason():
    amounts = Amounts(D("500.00"), D("0"), D("500.00"), D("500.00"),
                      [VatLine(D("0"), D("500.00"), D("0"), "Exonération de TVA, article 261 du CGI")])
    assert suggest_vat_type(amounts) == ("EXONERATION", "Exonération de TVA, article 261 du CGI")


def test_vat_charged_keeps_regime():
    assert suggest_vat_type(make_amounts(("20", "100.00"))) == (None, None)


def test_sans_tva_with_vat_is_blocking():
    results = check_vat_type(form_with(make_amounts(("20", "100.00")), vat_type="SANS_TVA"))
    assert levels(results) == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Type de TVA incohérent : « Sans TVA » est choisi alors que la facture porte 20,00\u00a0€ de TVA. "
        "Choisissez « TVA sur les débits » ou « TVA sur les encaissements »."
    )


def test_vat_on_debits_without_vat_is_blocking():
    results = check_vat_type(form_with(make_amounts(("0", "100.00")), vat_type="TVA_SUR_DEBIT"))
    assert levels(results) == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Type de TVA incohérent : « TVA sur les débits » est choisi alors que la facture ne porte aucune TVA. "
        "Choisissez « Sans TVA », ou « Exonération » avec son motif."
    )


def test_exoneration_without_reason_is_blocking():
    results = check_vat_type(form_with(make_amounts(("0", "100.00")), vat_type="EXONERATION"))
    assert levels(results) == [CheckLevel.BLOCKING]
    assert results[0].field == "vat_exemption_reason"


def test_exoneration_with_reason_passes():
    results = check_vat_type(form_with(make_amounts(("0", "100.00")), vat_type="EXONERATION",
                                       vat_exemption_reason="Article 261 du CGI"))
    assert levels(results) == [CheckLevel.PASS]
    assert str(results[0].message) == "Type de TVA : Exonération."


def test_credit_note_without_original_number_is_blocking():
    result = check_credit_note(form_with(Amounts(), kind=InvoiceKind.CREDIT_NOTE))
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "Numéro de la facture d'origine manquant : un avoir doit indiquer la facture qu'il corrige. "
        "Saisissez son numéro."
    )


def test_credit_note_with_original_number_passes():
    result = check_credit_note(form_with(Amounts(), kind=InvoiceKind.CREDIT_NOTE,
                                         original_invoice_number="FAC-2026-0010"))
    assert result.level is CheckLevel.PASS
    assert str(result.message) == "Avoir sur la facture FAC-2026-0010."


def test_original_number_on_invoice_warns():
    result = check_credit_note(form_with(Amounts(), original_invoice_number="FAC-2026-0010"))
    assert result.level is CheckLevel.WARNING


@given(consistent_amounts())
def test_suggested_vat_type_never_blocks(amounts):
    suggested, reason = suggest_vat_type(amounts)
    deposit_form = form_with(amounts, vat_type=suggested or "TVA_SUR_DEBIT", vat_exemption_reason=reason)
    assert not has_blocking(check_vat_type(deposit_form))
