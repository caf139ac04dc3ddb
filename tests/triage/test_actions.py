"""Triage remedies against the simulator: checks first, then recycler, completer, traiterRejet and replacement."""

from __future__ import annotations

import dataclasses
from datetime import date

from chorus_tui.domain import CheckLevel, Detection, SourceInvoice
from chorus_tui.statuses import Category
from chorus_tui.store import EventKind
from chorus_tui.sync.actions import PENDING_REPLACEMENTS_KEY, RecycleRequest, TriageAction, TriageState
from chorus_tui.sync.deposit import DepositService, DepositState
from chorus_tui.sync.poller import Poller
from tests.sync.conftest import add_invoice
from tests.triage.conftest import deposit_in_status

SERVICE_REQUIRED_SIRET = "21151884000015"  # Commune de Beaurivage-sur-Orne: service code required
SERVICE_AND_ENGAGEMENT_SIRET = "21672731377843"  # Commune d'Aubrac-le-Vieux: service and engagement required


def blocking_fields(outcome) -> set[str]:
    return {check.field for check in outcome.checks if check.level is CheckLevel.BLOCKING}


def event_texts(store, invoice_id: int, kind: EventKind) -> list[str]:
    return [str(event.message) for event in store.events(invoice_id) if event.kind is kind]


# --- to-do list ------------------------------------------------------------------------------------


async def test_to_do_lists_oldest_with_reasons(triage, client, store, simulator, clock, tmp_path):
    rejected_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE",
                                             "Montant erroné", index=1)
    clock.advance(3600)
    recycle_id, _ = await deposit_in_status(
        client, store, simulator, clock, tmp_path, "A_RECYCLER",
        "ApplicableHeaderTradeAgreement.BuyerReference.value est obligatoire", index=2)
    clock.advance(3600)
    add_invoice(store, tmp_path, 3)  # never deposited: not in the triage list

    items = triage.to_do()

    assert [item.invoice.id for item in items] == [rejected_id, recycle_id]
    assert items[0].action is TriageAction.ACKNOWLEDGE_REJECTION
    assert items[1].action is TriageAction.RECYCLE
    assert items[1].reasons[0].field == "service_code"
    assert "Code service" in str(items[1].reasons[0].message)
    assert items[1].reasons[0].raw.startswith("ApplicableHeaderTradeAgreement")


async def test_to_do_reads_deposit_refusal_from_timeline(triage, store, tmp_path, simulator):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    attempt = store.begin_deposit(invoice_id, route=form.route, payload_digest="x", invoice_number=form.invoice_number,
                                  recipient_siret=form.recipient_siret, invoice_date=form.invoice_date)
    from chorus_tui.i18n import Message

    store.finish_deposit_rejected(attempt, Message("chorus.business_error", {"code": "20001",
                                                                             "libelle": "Code service absent."}))
    items = triage.to_do()
    assert [item.action for item in items] == [TriageAction.DEPOSIT_AGAIN]
    assert items[0].reasons[0].raw


async def test_rejected_flow_asks_to_fix_file(triage, store, tmp_path):
    from chorus_tui.domain import DepositRoute
    from chorus_tui.i18n import Message

    invoice_id, form = add_invoice(store, tmp_path, 1)
    attempt = store.begin_deposit(invoice_id, route=DepositRoute.FLOW, payload_digest="x",
                                  invoice_number=form.invoice_number, recipient_siret=form.recipient_siret,
                                  invoice_date=form.invoice_date)
    store.finish_deposit_rejected(attempt, Message("chorus.business_error", {
        "code": "20001",
        "libelle": "L'identifiant fournisseur 815881396 (SellerTradeParty/SpecifiedLegalOrganization/ID) est inconnu"}))

    items = triage.to_do()
    assert [item.action for item in items] == [TriageAction.FIX_FILE]
    assert "réimporter (touche r)" in str(items[0].action_message)
    assert items[0].reasons[0].field == "supplier_siret"


# --- A_RECYCLER ------------------------------------------------------------------------------------


async def test_recycle_blocked_when_service_missing(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")

    outcome = await triage.recycle(invoice_id, RecycleRequest(recipient_siret=SERVICE_REQUIRED_SIRET))

    assert outcome.state is TriageState.BLOCKED
    assert blocking_fields(outcome) == {"service_code"}
    assert client.calls["factures/v1/recycler"] == 0
    assert store.get_invoice(invoice_id).status_code == "A_RECYCLER"


async def test_recycle_blocked_on_bad_siret_and_engagement(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")

    bad_siret = await triage.recycle(invoice_id, RecycleRequest(recipient_siret="21672731377844"))
    assert bad_siret.state is TriageState.BLOCKED
    assert blocking_fields(bad_siret) == {"recipient_siret"}

    no_engagement = await triage.recycle(invoice_id, RecycleRequest(
        recipient_siret=SERVICE_AND_ENGAGEMENT_SIRET, service_code="TRAVAUX"))
    assert no_engagement.state is TriageState.BLOCKED
    assert blocking_fields(no_engagement) == {"engagement_number"}

    too_long = await triage.recycle(invoice_id, RecycleRequest(
        recipient_siret=SERVICE_AND_ENGAGEMENT_SIRET, service_code="TRAVAUX", engagement_number="E" * 51))
    assert "engagement_number" in blocking_fields(too_long)
    assert client.calls["factures/v1/recycler"] == 0


async def test_recycle_reroutes_and_keeps_number(triage, client, store, simulator, clock, tmp_path):
    invoice_id, chorus_id = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER",
                                                    "Service destinataire erroné.")
    number = simulator.invoice(chorus_id).number

    outcome = await triage.recycle(invoice_id, RecycleRequest(
        recipient_siret="211 518 840 00015", service_code="CCAS", comment="Service corrigé"))

    assert outcome.state is TriageState.DONE, outcome.checks
    assert str(outcome.message) == (f"Recyclage envoyé à Chorus Pro pour {number} : destinataire "
                                    f"{SERVICE_REQUIRED_SIRET}, code service CCAS, n° d'engagement —.")
    chorus_invoice = simulator.invoice(chorus_id)
    assert chorus_invoice.number == number
    assert chorus_invoice.recipient_siret == SERVICE_REQUIRED_SIRET
    assert chorus_invoice.service_code == "CCAS"
    assert chorus_invoice.status != "A_RECYCLER"
    row = store.get_invoice(invoice_id)
    assert row.number == number
    assert row.recipient_siret == SERVICE_REQUIRED_SIRET
    assert row.category is not Category.ACTION_REQUIRED
    assert EventKind.RECYCLED in [event.kind for event in store.events(invoice_id)]
    assert triage.to_do() == []


async def test_recycle_prefill_reads_chorus_routing(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")
    routing = await triage.current_routing(invoice_id)
    assert routing.recipient_siret == "21170753455688"
    assert routing.service_code == "MAIRIE"


async def test_recycle_not_allowed_when_suspended(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "SUSPENDUE")
    outcome = await triage.recycle(invoice_id, RecycleRequest(recipient_siret=SERVICE_REQUIRED_SIRET,
                                                              service_code="CCAS"))
    assert outcome.state is TriageState.NOT_ALLOWED
    assert "Suspendue" in str(outcome.message)


# --- SUSPENDUE -------------------------------------------------------------------------------------


async def test_complete_uploads_documents(triage, client, store, simulator, clock, tmp_path):
    invoice_id, chorus_id = await deposit_in_status(client, store, simulator, clock, tmp_path, "SUSPENDUE",
                                                    "Bon de livraison manquant.")
    note = tmp_path / "bon-de-livraison.pdf"
    note.write_bytes(b"%PDF-1.4 bon de livraison")
    certificate = tmp_path / "attestation.jpg"
    certificate.write_bytes(b"\xff\xd8\xff attestation")

    uploads_before = client.calls["transverses/v1/ajouter/fichier"]

    outcome = await triage.complete(invoice_id, [note, certificate], "Bon et attestation joints")

    assert outcome.state is TriageState.DONE
    assert str(outcome.message) == f"Complément envoyé à Chorus Pro pour {store.get_invoice(invoice_id).number} " \
                                   "(2 pièces jointes)."
    assert client.calls["transverses/v1/ajouter/fichier"] == uploads_before + 2
    assert len(simulator.invoice(chorus_id).complementary_attachments) == 2
    assert store.get_invoice(invoice_id).status_code == "COMPLETEE"
    assert EventKind.COMPLETED in [event.kind for event in store.events(invoice_id)]


async def test_complete_blocked_by_attachment_rules(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "SUSPENDUE")
    long_name = tmp_path / ("justificatif-de-livraison-du-chantier-numero-123456.pdf")
    long_name.write_bytes(b"%PDF-1.4")
    wrong_type = tmp_path / "script.exe"
    wrong_type.write_bytes(b"MZ")
    too_big = tmp_path / "scan.pdf"
    with too_big.open("wb") as handle:
        handle.truncate(10 * 1000 * 1000 + 1)
    uploads_before = client.calls["transverses/v1/ajouter/fichier"]

    outcome = await triage.complete(invoice_id, [long_name, wrong_type, too_big], "x" * 201)

    assert outcome.state is TriageState.BLOCKED
    keys = {check.message.key for check in outcome.checks if check.level is CheckLevel.BLOCKING}
    assert keys == {"checks.attachment_name_too_long", "checks.attachment_extension",
                    "checks.attachment_too_large", "checks.comment_too_long"}
    assert client.calls["transverses/v1/ajouter/fichier"] == uploads_before
    assert client.calls["factures/v1/completer"] == 0


async def test_complete_needs_document_or_comment(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "SUSPENDUE")
    outcome = await triage.complete(invoice_id, [], "  ")
    assert outcome.state is TriageState.BLOCKED
    assert [check.message.key for check in outcome.checks] == ["triage.check.nothing_to_send"]


# --- REJETEE ---------------------------------------------------------------------------------------


async def test_rejection_acknowledged_then_replaced(triage, client, store, simulator, clock, tmp_path):
    rejected_id, chorus_id = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE",
                                                     "Montant erroné")

    acknowledged = await triage.acknowledge_rejection(rejected_id)
    assert acknowledged.state is TriageState.DONE
    assert simulator.invoice(chorus_id).rejection_handled is True
    assert store.get_invoice(rejected_id).rejection_handled is True
    assert [item.action for item in triage.to_do()] == [TriageAction.REPLACE]

    new_id, _ = add_invoice(store, tmp_path, 15)
    linked = triage.link_replacement(rejected_id, new_invoice_id=new_id)

    assert linked.state is TriageState.DONE
    assert store.get_invoice(rejected_id).replaced_by == new_id
    assert event_texts(store, rejected_id, EventKind.REPLACED) == ["Remplacée par la facture FAC-2026-0015"]
    assert event_texts(store, new_id, EventKind.REPLACES) == ["Remplace la facture FAC-2026-0001, rejetée"]
    assert triage.to_do() == []
    assert store.polled_invoices() == []


async def test_rejected_number_cannot_be_deposited_again(triage, client, store, simulator, clock, tmp_path):
    rejected_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE")
    await triage.acknowledge_rejection(rejected_id)

    # The user edits the invoice and saves it again under the same number, in another file.
    _, form = add_invoice(store, tmp_path, 1)
    corrected = tmp_path / "FAC-2026-0001-corrigee.pdf"
    corrected.write_bytes(b"%PDF-1.4 corrected")
    copy_id = store.upsert_source_invoice(SourceInvoice(
        source_key=corrected.name, file_path=corrected, invoice_number="FAC-2026-0001",
        invoice_date=form.invoice_date, amounts=form.amounts,
        detection=Detection(recipient_siret=form.recipient_siret)))
    form = dataclasses.replace(form, attachment_path=corrected)
    assert copy_id != rejected_id
    outcome = await DepositService(client, store, clock).deposit(copy_id, form)
    assert outcome.state is DepositState.NOT_ALLOWED
    assert len(simulator.invoices()) == 1

    by_number = triage.link_replacement(rejected_id, new_number="FAC-2026-0001")
    assert by_number.state is TriageState.BLOCKED
    assert [check.message.key for check in by_number.checks] == ["triage.check.same_number"]
    by_invoice = triage.link_replacement(rejected_id, new_invoice_id=copy_id)
    assert by_invoice.state is TriageState.BLOCKED
    assert store.get_invoice(rejected_id).replaced_by is None


async def test_replacement_by_number_waits_for_import(triage, client, store, simulator, clock, tmp_path):
    rejected_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE")

    pending = triage.link_replacement(rejected_id, new_number="FAC-2026-0020")
    assert pending.state is TriageState.PENDING
    assert triage.pending_replacement(rejected_id) == "FAC-2026-0020"
    assert store.get_invoice(rejected_id).replaced_by is None
    assert triage.link_pending_replacements() == []

    new_id, _ = add_invoice(store, tmp_path, 20)
    assert triage.link_pending_replacements() == [rejected_id]
    assert store.get_invoice(rejected_id).replaced_by == new_id
    assert event_texts(store, new_id, EventKind.REPLACES) == ["Remplace la facture FAC-2026-0001, rejetée"]
    assert store.get_state(PENDING_REPLACEMENTS_KEY) is None


async def test_replacement_by_number_of_local_invoice(triage, client, store, simulator, clock, tmp_path):
    rejected_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE")
    new_id, _ = add_invoice(store, tmp_path, 16, invoice_date=date(2026, 3, 1))

    outcome = triage.link_replacement(rejected_id, new_number=" FAC-2026-0016 ")

    assert outcome.state is TriageState.DONE
    assert store.get_invoice(rejected_id).replaced_by == new_id
    second = triage.link_replacement(rejected_id, new_number="FAC-2026-0017")
    assert second.state is TriageState.NOT_ALLOWED


async def test_invoice_replaces_only_one(triage, client, store, simulator, clock, tmp_path):
    first, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE", index=1)
    second, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "REJETEE", index=2)
    new_id, _ = add_invoice(store, tmp_path, 30)
    assert triage.link_replacement(first, new_invoice_id=new_id).state is TriageState.DONE
    again = triage.link_replacement(second, new_invoice_id=new_id)
    assert again.state is TriageState.BLOCKED
    assert [check.message.key for check in again.checks] == ["triage.check.new_already_replaces"]


async def test_acknowledge_not_allowed_before_rejection(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")
    outcome = await triage.acknowledge_rejection(invoice_id)
    assert outcome.state is TriageState.NOT_ALLOWED
    assert client.calls["factures/v1/traiterRejet"] == 0


async def test_recycle_blocked_when_routing_unchanged(triage, client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")
    outcome = await triage.recycle(invoice_id, RecycleRequest(recipient_siret="21170753455688",
                                                              service_code="MAIRIE"))
    assert outcome.state is TriageState.BLOCKED
    assert [check.message.key for check in outcome.checks if check.level is CheckLevel.BLOCKING] == [
        "triage.check.routing_unchanged"]
    assert client.calls["factures/v1/recycler"] == 0


async def test_recycled_invoice_still_polled(triage, client, store, simulator, clock, tmp_path):
    invoice_id, chorus_id = await deposit_in_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")
    outcome = await triage.recycle(invoice_id, RecycleRequest(recipient_siret=SERVICE_REQUIRED_SIRET,
                                                              service_code="CCAS"))
    assert outcome.state is TriageState.DONE
    assert [row.id for row in store.polled_invoices()] == [invoice_id]

    simulator.advance(3600)
    await Poller(client, store, clock).poll_once()
    assert store.get_invoice(invoice_id).status_code == simulator.invoice(chorus_id).status
    assert store.get_invoice(invoice_id).status_code not in ("A_RECYCLER", "EN_COURS_ACHEMINEMENT")
