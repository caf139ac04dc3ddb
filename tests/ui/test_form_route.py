"""Deposit form of a Factur-X invoice: choosing between the flow and the PDF deposit with the form's data."""

from __future__ import annotations

import dataclasses

import facturx
import pytest
from lxml import etree
from textual.widgets import Input, Select, Static

from chorus_tui.domain import DepositRoute
from chorus_tui.sources.folder import FolderSource
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.sources.cii import build_cii_xml
from tests.detection.builders import make_pdf, sample_cii, write_facturx
from tests.validation.test_flow_frame import set_business_process
from tests.ui.conftest import make_rig, rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

FACTURX_INVOICE = "FAC-2026-0005"  # its XML names the service ROUTES; the recipient also has SDIS_LIAISON
PDF_INVOICE = "FAC-2026-0014"

pytestmark = pytest.mark.usefixtures("french")


async def choose_route(pilot, form, route: DepositRoute) -> None:
    """Pick `route` in the form's « Envoi » list with the keyboard."""
    select = form.query_one("#route", Select)
    select.focus()
    await pilot.press("enter")
    options = [value for _, value in select._options]
    await pilot.press("home", *["down"] * options.index(route), "enter")
    await settle(pilot)
    assert select.value is route


async def assert_pdf_route_blocked(pilot, form, field: str) -> None:
    """Choose the PDF deposit, press Ctrl+S and check that `field` blocks it, so that no summary opens."""
    await choose_route(pilot, form, DepositRoute.PDF)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert not isinstance(pilot.app.screen, ConfirmDepositScreen)
    error = form.query_one(f"#error-{field}", Static)
    assert error.display
    assert error.has_class("blocking")


async def test_flow_route_locks_xml_fields(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, FACTURX_INVOICE)

        route = form.query_one("#route", Select)
        assert form.query_one("#row-route").display
        assert route.value is DepositRoute.FLOW
        for name in ("recipient_siret", "service_code", "engagement_number", "contract_number", "comment"):
            assert form.query_one(f"#{name}").disabled, name
        assert form.query_one("#service_code", Input).value == "ROUTES"
        assert not form.query_one("#service_code-select", Select).display
        assert "Dépôt PDF avec saisie" in rendered(form.query_one("#route-note", Static))
        assert "Envoi" not in rendered(form.query_one("#form-title", Static))

        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Service\u00a0: ROUTES (fichier Factur-X)" in details
        assert "Envoi\u00a0: Flux Factur-X" in details
        warnings = confirmation.query("#confirm-warnings")
        assert not warnings or "diffère de celle du fichier" not in rendered(warnings.first(Static))


async def test_pdf_route_sends_edited_service(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, FACTURX_INVOICE)
        await choose_route(pilot, form, DepositRoute.PDF)

        service = form.query_one("#service_code-select", Select)
        assert not form.query_one("#service_code").disabled
        assert service.display
        assert service.value == "ROUTES"
        assert rendered(form.query_one("#route-note", Static)) == ""
        service.focus()
        await pilot.press("enter")
        options = [value for _, value in service._options]
        await pilot.press("home", *["down"] * options.index("SDIS_LIAISON"), "enter")
        await settle(pilot)
        assert service.value == "SDIS_LIAISON"

        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Service\u00a0: SDIS_LIAISON" in details
        assert "fichier Factur-X" not in details
        assert "Envoi\u00a0: Dépôt PDF avec saisie" in details
        await pilot.press("enter")
        await settle(pilot)

        invoices = rig.simulator.invoices()
        assert [invoice.number for invoice in invoices] == [FACTURX_INVOICE]
        assert invoices[0].service_code == "SDIS_LIAISON"


async def test_flow_restores_typed_values_back(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, FACTURX_INVOICE)
        await choose_route(pilot, form, DepositRoute.PDF)
        engagement = form.query_one("#engagement_number", Input)
        engagement.focus()
        await pilot.press("ctrl+u", *"EJ-42")
        await choose_route(pilot, form, DepositRoute.FLOW)
        assert engagement.value != "EJ-42"
        assert engagement.disabled

        await choose_route(pilot, form, DepositRoute.PDF)
        assert engagement.value == "EJ-42"
        assert not engagement.disabled


async def test_pdf_invoice_has_no_route_choice(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, PDF_INVOICE)
        assert not form.query_one("#row-route").display
        assert "Envoi : Dépôt PDF" in rendered(form.query_one("#form-title", Static))


async def test_flow_without_bank_account_not_blocked(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # A profile with no bank account chosen: the form's transfer then has no account to pay into.
        rig.app.context.supplier = dataclasses.replace(rig.app.context.supplier, bank_account_id=None)
        form = await open_form(pilot, FACTURX_INVOICE)
        assert form.query_one("#route", Select).value is DepositRoute.FLOW
        assert form.query_one("#bank_account_id", Select).disabled
        assert form.query_one("#payment_mode", Select).disabled

        # The flow sends the XML's payment means, not these greyed fields, so they block nothing.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.query_one("#error-bank_account_id", Static).display
        assert isinstance(rig.app.screen, ConfirmDepositScreen)

        # The PDF deposit sends the form's transfer, which needs an account.
        await pilot.press("escape")
        await settle(pilot)
        await assert_pdf_route_blocked(pilot, form, "bank_account_id")


SUBCONTRACTING_TEXT = ["Facture FAC-2026-0901", "Sous-traitance avec paiement direct"]


async def test_flow_subcontracting_needs_no_validator(tmp_path):
    # A subcontractor's Factur-X whose text names no main contractor and whose XML states no cadre (BT-23).
    folder = tmp_path / "invoices"
    folder.mkdir()
    write_facturx(folder / "FAC-2026-0901.pdf", sample_cii(), "en16931", SUBCONTRACTING_TEXT)
    rig = make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0901")
        assert form.query_one("#route", Select).value is DepositRoute.FLOW
        assert form.query_one("#billing_frame", Select).value == "A9_FACTURE_SOUSTRAITANT"
        assert form.query_one("#billing_frame", Select).disabled
        assert form.query_one("#validator_siret", Input).disabled
        assert form.query_one("#validator_siret", Input).value == ""
        # The reason for A9 prompts for the main contractor's SIRET, which the flow does not send.
        assert not form.query_one("#billing-frame-reason", Static).display
        for name in ("validator_siret", "vat_type", "payment_mode"):
            assert rendered(form.query_one(f"#note-{name}", Static)) == "non transmis", name
        assert rendered(form.query_one("#note-contract_number", Static)) == "XML Factur-X"
        # The cadre row shows what the flow sends, the XML's cadre, in place of the form's A9.
        assert not form.query_one("#billing_frame", Select).display
        assert rendered(form.query_one("#billing_frame-flow", Static)) == "non précisé dans le fichier"
        assert rendered(form.query_one("#note-billing_frame", Static)) == "XML Factur-X"
        # The XML's missing cadre A9 gets a warning after the checks, not the sentence about an absent cadre.
        assert not form.query_one("#billing-frame-flow-hint", Static).display

        # The flow sends neither the greyed cadre nor a validator: the XML's missing cadre only warns.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.query_one("#error-validator_siret", Static).display
        frame_error = form.query_one("#error-billing_frame", Static)
        assert frame_error.display
        assert not frame_error.has_class("blocking")
        assert "BT-23" in rendered(frame_error)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Cadre" not in details
        assert "Mandataire" not in details
        assert "BT-23" in rendered(confirmation.query_one("#confirm-warnings", Static))

        # The PDF deposit sends the form's cadre A9, which needs the main contractor's SIRET.
        await pilot.press("escape")
        await settle(pilot)
        await assert_pdf_route_blocked(pilot, form, "validator_siret")
        assert form.query_one("#billing-frame-reason", Static).display
        assert "BT-23" not in rendered(frame_error)
        assert rendered(form.query_one("#note-billing_frame", Static)) == ""

        # Back on the flow, the PDF route's missing validator no longer shows or counts.
        await choose_route(pilot, form, DepositRoute.FLOW)
        assert not form.query_one("#error-validator_siret", Static).display
        assert "BT-23" in rendered(frame_error)
        assert rendered(form.query_one("#form-status", Static)) == ""
        assert rig.simulator.invoices() == []


async def test_flow_summary_shows_xml_frame(tmp_path):
    folder = tmp_path / "invoices"
    folder.mkdir()
    root = etree.fromstring(build_cii_xml(sample_cii(), "en16931"))
    set_business_process(root, "A9")
    (folder / "FAC-2026-0901.pdf").write_bytes(facturx.generate_from_binary(
        make_pdf(SUBCONTRACTING_TEXT), etree.tostring(root), check_xsd=True, check_schematron=False))
    rig = make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0901")
        await pilot.press("ctrl+s")
        await settle(pilot)

        # The XML states cadre A9, which is what the flow sends and the summary shows.
        assert not form.query_one("#error-billing_frame", Static).display
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Cadre de facturation\u00a0: A9 – Facture d'un sous-traitant (fichier Factur-X)" in details
        assert "Mandataire" not in details


def write_flow_invoice(folder, business_process: str | None) -> None:
    """Write FAC-2026-0901, a Factur-X invoice to pay whose XML states `business_process` as BT-23."""
    root = etree.fromstring(build_cii_xml(sample_cii(), "en16931"))
    if business_process is not None:
        set_business_process(root, business_process)
    (folder / "FAC-2026-0901.pdf").write_bytes(facturx.generate_from_binary(
        make_pdf(["Facture FAC-2026-0901"]), etree.tostring(root), check_xsd=True, check_schematron=False))


async def test_flow_row_shows_xml_frame(tmp_path):
    folder = tmp_path / "invoices"
    folder.mkdir()
    write_flow_invoice(folder, "A2")
    rig = make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0901")
        select = form.query_one("#billing_frame", Select)
        sent = form.query_one("#billing_frame-flow", Static)
        note = form.query_one("#note-billing_frame", Static)
        assert form.query_one("#route", Select).value is DepositRoute.FLOW
        assert select.value == "A1_FACTURE_FOURNISSEUR"

        # The flow sends the XML's cadre A2, not the form's A1.
        assert not select.display
        assert sent.display
        assert rendered(sent) == "A2 – Facture déjà payée"
        assert rendered(note) == "XML Factur-X"
        assert not form.query_one("#billing-frame-flow-hint", Static).display

        # The user's own cadre on the PDF deposit stays through a round trip by the flow.
        await choose_route(pilot, form, DepositRoute.PDF)
        assert select.display
        assert not sent.display
        assert rendered(note) == ""
        select.focus()
        await pilot.press("enter")
        options = [value for _, value in select._options]
        await pilot.press("home", *["down"] * options.index("A9_FACTURE_SOUSTRAITANT"), "enter")
        await settle(pilot)
        await choose_route(pilot, form, DepositRoute.FLOW)
        assert rendered(sent) == "A2 – Facture déjà payée"
        assert not select.display
        await choose_route(pilot, form, DepositRoute.PDF)
        assert select.value == "A9_FACTURE_SOUSTRAITANT"
        assert select.display


async def test_flow_row_shows_frame_absent(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, FACTURX_INVOICE)
        assert form.query_one("#route", Select).value is DepositRoute.FLOW
        sent = form.query_one("#billing_frame-flow", Static)
        hint = form.query_one("#billing-frame-flow-hint", Static)
        assert not form.query_one("#billing_frame", Select).display
        assert rendered(sent) == "non précisé dans le fichier"
        assert rendered(form.query_one("#note-billing_frame", Static)) == "XML Factur-X"
        assert hint.display
        assert rendered(hint).startswith(
            "Le fichier Factur-X ne déclare aucun cadre de facturation (BT-23)\u00a0: le flux n'en envoie pas")

        await choose_route(pilot, form, DepositRoute.PDF)
        assert not hint.display
        assert not sent.display
        assert form.query_one("#billing_frame", Select).display
