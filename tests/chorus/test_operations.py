"""Every client operation against the embedded simulator."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from chorus_tui.chorus.models.factures import AdditionalAttachment, InvoiceSearch
from chorus_tui.domain import DepositRoute
from chorus_tui.chorus.deposit import submit_request_from_form
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES

from tests.chorus.cases import cii_invoice, form_for, open_structure, pdf_request, pick, service_structure


async def test_search_structure_finds_siret(client):
    structure = open_structure()
    hits = await client.search_structure(structure.siret)
    assert [hit.structure_id for hit in hits] == [structure.id_structure_cpp]
    assert hits[0].name == structure.designation
    assert hits[0].active


async def test_search_structure_unknown_siret_is_empty(client):
    assert await client.search_structure("11111111111111") == []


async def test_get_structure_rules(client):
    structure = pick(lambda s: s.service_required and s.engagement_required and s.active)
    details = await client.get_structure(structure.id_structure_cpp)
    rules = details.rules
    assert rules.service_required
    assert rules.engagement_required
    assert not rules.service_or_engagement
    assert details.general.identifier == structure.siret


async def test_get_structure_payment_not_reported(client):
    structure = pick(lambda s: s.payment_status_not_reported)
    rules = (await client.get_structure(structure.id_structure_cpp)).rules
    assert rules.payment_status_not_reported


async def test_own_structure_password_expiry(client):
    rules = (await client.get_structure(DEMO_SUPPLIER.id_structure_cpp)).rules
    # 2027-09-30 22:00 UTC is 1 October in Paris; either calendar reading is a date.
    assert rules.password_expiry in (date(2027, 9, 30), date(2027, 10, 1))


async def test_list_services_walks_pages(client):
    structure = pick(lambda s: len(s.services) == 25)
    client.service_page_size = 10
    services = await client.list_services(structure.id_structure_cpp)
    assert [service.code for service in services] == [service.code for service in structure.services]
    assert client.calls["structures/v1/rechercher/services"] == 3


async def test_list_services_reports_inactive(client):
    structure = service_structure()
    services = await client.list_services(structure.id_structure_cpp)
    inactive = {service.code for service in structure.services if not service.active}
    assert inactive
    assert {service.code for service in services if not service.active} == inactive
    assert all(service.start_date is not None for service in services)


async def test_get_service_engagement_flag(client):
    structure = pick(lambda s: any(service.engagement_required for service in s.services))
    service = next(service for service in structure.services if service.engagement_required)
    details = await client.get_service(structure.id_structure_cpp, service.id)
    assert details.parameters.engagement_required
    assert details.general.code == service.code


async def test_supplier_structures_gives_supplier_id(client):
    structures = await client.supplier_structures()
    assert [item.structure_id for item in structures] == [DEMO_SUPPLIER.id_structure_cpp]


async def test_user_attachments_lists_supplier(client):
    attachments = await client.user_attachments()
    assert DEMO_SUPPLIER.id_structure_cpp in {item.structure_id for item in attachments}


async def test_bank_accounts(client):
    accounts = await client.bank_accounts(DEMO_SUPPLIER.id_structure_cpp)
    assert [(account.account_id, account.name) for account in accounts] == [
        (account.id, account.name) for account in DEMO_SUPPLIER.bank_accounts
    ]


async def test_search_engagements_known_and_unknown(client):
    structure = pick(lambda s: s.is_state and s.active and s.engagements)
    number = structure.engagements[0].number
    found = await client.search_engagements(DEMO_SUPPLIER.id_structure_cpp, number)
    assert [item.number for item in found] == [number]
    assert await client.search_engagements(DEMO_SUPPLIER.id_structure_cpp, "9999999999") == []


async def test_reference_lists(client):
    rates = await client.vat_rates()
    assert any(rate.value == Decimal("20") or rate.value == Decimal("20.0") for rate in rates)
    assert all(isinstance(rate.value, Decimal) for rate in rates)
    assert await client.vat_exemption_reasons()
    assert "VIREMENT" in {mode.code for mode in await client.payment_modes()}


async def test_submit_pdf_invoice(client, simulator):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-2026-0001")
    result = await client.submit_invoice(request)
    assert result.status == "DEPOSEE"
    assert result.invoice_number == "FAC-2026-0001"
    stored = simulator.invoice(result.invoice_id)
    assert stored.total_ttc == Decimal("1200.12")
    assert stored.total_ht == Decimal("1000.10")
    assert stored.invoice_date == date(2026, 2, 27)
    assert stored.deposit_mode == "DEPOT_PDF_API"


async def test_submit_data_entry_invoice(client, simulator):
    structure = open_structure()
    form = form_for(structure, "FAC-2026-0002", route=DepositRoute.DATA_ENTRY)
    result = await client.submit_invoice(submit_request_from_form(form, None, None))
    assert simulator.invoice(result.invoice_id).deposit_mode == "SAISIE_API"


async def test_deposit_flow_and_report(client, clock):
    structure = open_structure()
    deposit = await client.deposit_flow("FAC-2026-0100.xml", cii_invoice("FAC-2026-0100", structure.siret),
                                        "IN_DP_E1_CII_16B")
    assert deposit.flow_number
    first = await client.flow_report(deposit.flow_number)
    assert first.state and first.state.startswith("IN_")
    clock.advance(3600)
    report = await client.flow_report(deposit.flow_number)
    assert report.state == "IN_INTEGRE"
    assert report.invoice_errors == []
    found = await client.search_invoices(InvoiceSearch(flow_number=deposit.flow_number))
    assert [invoice.invoice_number for invoice in found] == ["FAC-2026-0100"]


async def test_flow_report_lists_rejected_invoice(client, clock):
    unknown_siret = "21170753455696"
    deposit = await client.deposit_flow("rejet.xml", cii_invoice("FAC-2026-0101", unknown_siret), "IN_DP_E1_CII_16B")
    clock.advance(3600)
    report = await client.flow_report(deposit.flow_number)
    assert report.state == "IN_REJETE"
    assert [error.invoice_number for error in report.invoice_errors] == ["FAC-2026-0101"]


async def test_search_invoices_all_pages(client, simulator):
    structure = open_structure()
    for index in range(12):
        simulator.add_existing_invoice(f"OLD-{index:03d}", date(2026, 1, 5), structure.siret)
    search = InvoiceSearch(page_size=5)
    pages = [page async for page in client.iter_invoice_pages(search)]
    assert [page.paging.page for page in pages] == [1, 2, 3]
    assert pages[0].paging.total == 12
    invoices = await client.search_invoices(search)
    assert sorted(invoice.invoice_number for invoice in invoices) == [f"OLD-{index:03d}" for index in range(12)]
    assert all(isinstance(invoice.amount_ttc, Decimal) for invoice in invoices)


async def test_search_invoices_by_status_window(client, simulator, clock):
    structure = open_structure()
    old = simulator.add_existing_invoice("OLD-A", date(2026, 1, 5), structure.siret)
    clock.advance(2 * 86400)
    simulator.set_status(old, "SUSPENDUE", "Bon de livraison manquant")
    search = InvoiceSearch(
        statuses=["SUSPENDUE"],
        status_changed_from=clock.now().date() - timedelta(days=1),
        status_changed_to=clock.now().date(),
    )
    found = await client.search_invoices(search)
    assert [(item.invoice_id, item.status, item.status_comment) for item in found] == [
        (old, "SUSPENDUE", "Bon de livraison manquant")
    ]
    assert found[0].status_changed_at is not None
    assert found[0].status_changed_at.tzinfo is not None


async def test_search_invoices_datetime_window(client, simulator, clock):
    structure = open_structure()
    invoice_id = simulator.add_existing_invoice("OLD-B", date(2026, 1, 5), structure.siret)
    since = clock.now()
    clock.advance(60)
    simulator.set_status(invoice_id, "MANDATEE")
    search = InvoiceSearch(status_changed_from=since, status_changed_to=since + timedelta(hours=1))
    assert [item.invoice_id for item in await client.search_invoices(search)] == [invoice_id]
    earlier = InvoiceSearch(status_changed_from=since - timedelta(days=3), status_changed_to=since - timedelta(days=2))
    assert await client.search_invoices(earlier) == []


async def test_get_invoice_details(client):
    structure = open_structure()
    result = await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0003"))
    details = await client.get_invoice(result.invoice_id)
    assert details.invoice_number == "FAC-2026-0003"
    assert details.totals.total_ttc == Decimal("1200.12")
    assert details.recipient.siret == structure.siret


async def test_invoice_history_comments(client, simulator):
    structure = open_structure()
    result = await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0004"))
    simulator.set_status(result.invoice_id, "REJETEE", "Montant erroné")
    history = await client.invoice_history(result.invoice_id)
    assert history.current_status == "REJETEE"
    assert history.statuses[-1].status == "REJETEE" or history.statuses[0].status == "REJETEE"
    assert "Montant erroné" in {entry.comment for entry in history.statuses}


async def test_recycle_invoice(client, simulator):
    structure = open_structure()
    result = await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0005"))
    simulator.set_status(result.invoice_id, "A_RECYCLER", "Mauvais service")
    target = service_structure()
    service = next(item for item in target.services if item.active and item.code != "FACTURES_PUBLIQUES")
    recycled = await client.recycle_invoice(
        result.invoice_id, recipient_siret=target.siret, service_code=service.code, comment="Service corrigé"
    )
    assert recycled.invoice_id == result.invoice_id
    assert simulator.invoice(result.invoice_id).recipient_siret == target.siret


async def test_complete_invoice(client, simulator):
    structure = open_structure()
    result = await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0006"))
    simulator.set_status(result.invoice_id, "SUSPENDUE", "Joindre le bon de livraison")
    extra = await client.upload_attachment("bon-livraison.pdf", b"%PDF-1.7 bl", "application/pdf")
    completed = await client.complete_invoice(
        result.invoice_id,
        [AdditionalAttachment(designation="Bon de livraison", attachment_type="BON_LIVRAISON", attachment_id=extra)],
        comment="Bon de livraison joint",
    )
    assert completed.invoice_id == result.invoice_id
    assert simulator.invoice(result.invoice_id).status == "COMPLETEE"


async def test_handle_rejection(client, simulator):
    structure = open_structure()
    result = await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0007"))
    simulator.set_status(result.invoice_id, "REJETEE", "Doublon")
    response = await client.handle_rejection(result.invoice_id)
    assert response.return_code == 0
    page = await client.search_invoice_page(InvoiceSearch(invoice_number="FAC-2026-0007"))
    assert page.invoices[0].rejection_handled is True


async def test_calls_count_each_endpoint(client):
    structure = open_structure()
    await client.search_structure(structure.siret)
    await client.search_structure(structure.siret)
    await client.get_structure(structure.id_structure_cpp)
    assert client.calls["structures/v1/rechercher"] == 2
    assert client.calls["structures/v1/consulter"] == 1
    assert client.calls["api/oauth/token"] == 1


@pytest.mark.parametrize("structure", [s for s in STRUCTURES if s.active][:3], ids=lambda s: s.siret)
async def test_structure_roundtrip(client, structure):
    hits = await client.search_structure(structure.siret)
    details = await client.get_structure(hits[0].structure_id)
    assert details.rules.service_required == structure.service_required
    assert details.rules.engagement_required == structure.engagement_required
    assert details.rules.service_or_engagement == structure.service_or_engagement
