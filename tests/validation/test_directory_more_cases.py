"""More directory-backed cases: an unknown SIRET searched by name, the mandataire, numbers of other years."""

from __future__ import annotations

from datetime import date, datetime, timezone

from chorus_tui.domain import CheckLevel, Detection, SourceInvoice
from chorus_tui.validation import check_deposit
from tests.validation.conftest import TODAY
from tests.validation.test_directory_checks import (  # noqa: F401 (fixtures)
    LA_POSTE_SIRET,
    RIBEMONT,
    SUPPLIER_ID,
    SUPPLIER_SIRETS,
    TRANSPORTS_AMBROIS,
    VALMORIN,
    client,
    clock,
    directory,
    form,
    of_field,
    run,
    simulator,
)

A12 = "A12_FACTURE_COTRAITANT"


async def test_inactive_mandataire_is_blocking(directory):
    results = of_field(await run(directory, form(billing_frame=A12, validator_siret=RIBEMONT)), "validator_siret")
    assert results[-1].level is CheckLevel.BLOCKING
    assert results[-1].message.key == "checks.validator_inactive"


async def test_mistyped_mandataire_siret_is_blocking(directory):
    mistyped = TRANSPORTS_AMBROIS[:-1] + str((int(TRANSPORTS_AMBROIS[-1]) + 1) % 10)
    results = of_field(await run(directory, form(billing_frame=A12, validator_siret=mistyped)), "validator_siret")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert results[0].message.key == "checks.siret_checksum"


async def test_mandataire_siret_with_spaces_is_found(directory):
    spaced = "846 450 609 00017"
    results = of_field(await run(directory, form(billing_frame=A12, validator_siret=spaced)), "validator_siret")
    assert results[-1].level is CheckLevel.PASS
    assert results[-1].message.key == "checks.validator_found"


async def test_unknown_mandataire_only_warns(directory):
    results = of_field(await run(directory, form(billing_frame=A12, validator_siret=LA_POSTE_SIRET)),
                       "validator_siret")
    assert CheckLevel.BLOCKING not in [result.level for result in results]
    assert results[-1].message.key == "checks.validator_unknown"


async def test_same_number_last_year_only_warns(directory, simulator):
    # Chorus Pro keeps invoice numbers unique per supplier and per year.
    simulator.add_existing_invoice("FAC-2026-0042", date(2025, 3, 1), VALMORIN,
                                   deposited_at=datetime(2025, 3, 2, 9, 0, tzinfo=timezone.utc))
    results = of_field(await run(directory, form()), "invoice_number")
    duplicate = [result for result in results if result.message.key.startswith("checks.duplicate_")]
    assert [result.message.key for result in duplicate] == ["checks.duplicate_other_year"]
    assert duplicate[0].level is CheckLevel.WARNING


async def test_other_number_is_no_duplicate(directory, simulator):
    simulator.add_existing_invoice("FAC-2026-0043", date(2026, 3, 1), VALMORIN)
    results = of_field(await run(directory, form()), "invoice_number")
    assert [result.message.key for result in results if result.message.key.startswith("checks.duplicate_")] == [
        "checks.duplicate_none"]


def invoice_to(customer_name: str | None) -> SourceInvoice:
    return SourceInvoice(source_key="FAC-2026-0042.pdf", file_path=None, invoice_number="FAC-2026-0042",
                         invoice_date=TODAY, customer_name=customer_name)


async def recipient_results(directory, customer_name: str | None, siret: str = LA_POSTE_SIRET) -> list:
    results = await check_deposit(invoice_to(customer_name), form(siret), directory, today=TODAY,
                                  supplier_sirets=SUPPLIER_SIRETS, supplier_id=SUPPLIER_ID)
    return of_field(results, "recipient_siret")


async def test_unknown_siret_offers_structures_of_same_name(directory):
    (result,) = await recipient_results(directory, "Commune de Valmorin")
    assert result.level is CheckLevel.BLOCKING
    assert result.message.key == "checks.recipient_unknown_similar"
    assert result.message.params["names"] == f"Commune de Valmorin ({VALMORIN})"
    assert LA_POSTE_SIRET in str(result.message)
    assert result.options == []  # options of a recipient result are structure ids, not SIRETs


async def test_name_search_skips_inactive_structures(directory):
    (result,) = await recipient_results(directory, "Ribemont")  # an inactive commune only
    assert result.message.key == "checks.recipient_unknown"
    assert result.options == []


async def test_unknown_siret_without_customer_name(directory):
    (result,) = await recipient_results(directory, None)
    assert result.message.key == "checks.recipient_unknown"
    assert result.options == []


async def test_known_siret_needs_no_name_search(directory, client, monkeypatch):
    async def fail(name):
        raise AssertionError("searched by name although the SIRET is known")

    monkeypatch.setattr(client, "search_structures_by_name", fail, raising=False)
    (result,) = await recipient_results(directory, "Commune de Valmorin", siret=VALMORIN)
    assert result.level is CheckLevel.PASS


async def test_private_customer_explains_missing_siret(directory):
    source = SourceInvoice(source_key="FAC-2026-0042.pdf", file_path=None, invoice_number="FAC-2026-0042",
                           invoice_date=TODAY, customer_name="M. Jean Dupont",
                           detection=Detection(recipient_kind="private"))
    results = await check_deposit(source, form(""), directory, today=TODAY, supplier_id=SUPPLIER_ID)
    (recipient,) = of_field(results, "recipient_siret")
    assert recipient.level is CheckLevel.BLOCKING
    assert recipient.message.key == "checks.recipient_kind_private"
    assert "M. Jean Dupont" in str(recipient.message)


async def test_same_number_same_invoice_year_blocks(directory, simulator):
    # Deposited last year, and the new invoice is dated last year too: the simulator, which reads
    # "per year" as the year of the invoice date, rejects it, so the check must block.
    simulator.add_existing_invoice("FAC-2026-0042", date(2025, 6, 1), VALMORIN,
                                   deposited_at=datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc))
    results = of_field(await run(directory, form(invoice_date=date(2025, 12, 28))), "invoice_number")
    duplicate = [result for result in results if result.message.key.startswith("checks.duplicate_")]
    assert [result.message.key for result in duplicate] == ["checks.duplicate_deposited"]
    assert duplicate[0].level is CheckLevel.BLOCKING
