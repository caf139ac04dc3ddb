"""The three remedies driven with the keyboard, in the application built by the factory over the simulator."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static, TextArea

from chorus_tui.store import EventKind
from chorus_tui.ui.screens.complete import CompleteScreen
from chorus_tui.ui.screens.recycle import RecycleScreen
from chorus_tui.ui.screens.rejection import RejectionScreen
from chorus_tui.ui.screens.to_do import ToDoScreen
from chorus_tui.ui.source_invoice import load_source_invoice
from chorus_tui.validation import form_from_invoice
from tests.ui.conftest import rig, settle  # noqa: F401  (rig: the factory-built app over the simulator)

NUMBER = "FAC-2026-0001"  # Commune de Beaurivage-sur-Orne, which requires a service code
SIZE = (110, 36)


async def deposit_with_status(rig, pilot, status: str, comment: str) -> tuple[int, int]:
    """Deposit the demo invoice NUMBER, set `status`, poll with `p`; return its local and Chorus Pro ids."""
    app = rig.app
    row = rig.store.find_by_number(NUMBER)[0]
    supplier = app.context.supplier
    form = form_from_invoice(load_source_invoice(row), supplier_id=supplier.structure_id,
                             bank_account_id=supplier.bank_account_id)
    outcome = await app.context.deposit_service.deposit(row.id, form)
    assert outcome.chorus_invoice_id is not None, outcome
    rig.simulator.set_status(outcome.chorus_invoice_id, status, comment)
    await pilot.press("p")
    await settle(pilot)
    assert rig.store.get_invoice(row.id).status_code == status
    return row.id, outcome.chorus_invoice_id


async def open_remedy(pilot) -> None:
    """Open the to-do screen with `t`, check its one invoice, and open its remedy with Enter."""
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ToDoScreen)
    assert screen.query_one(DataTable).row_count == 1
    await pilot.press("enter")
    await settle(pilot)


def refuse_deposit(rig, libelle: str):
    """Record a deposit of invoice NUMBER that Chorus Pro refused with `libelle`; return its row."""
    from chorus_tui.i18n import Message

    row = rig.store.find_by_number(NUMBER)[0]
    attempt = rig.store.begin_deposit(row.id, route=row.deposit_route or "DEPOT_PDF_API", payload_digest="x",
                                      invoice_number=NUMBER, recipient_siret=row.recipient_siret,
                                      invoice_date=row.invoice_date)
    rig.store.finish_deposit_rejected(attempt, Message("chorus.business_error", {"code": "20001", "libelle": libelle}))
    return row


def rendered(widget: Static) -> str:
    return str(widget.render())


async def test_recycle_by_keyboard(rig):
    app = rig.app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        invoice_id, chorus_id = await deposit_with_status(
            rig, pilot, "A_RECYCLER", "ApplicableHeaderTradeAgreement.BuyerReference.value est obligatoire")

        await pilot.press("t")
        await settle(pilot)
        reasons = rendered(app.screen.query_one("#to-do-reasons", Static))
        assert "Code service" in reasons
        assert "BuyerReference" in reasons
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecycleScreen)
        assert form.query_one("#recipient_siret", Input).value == "21151884000015"
        assert form.query_one("#recipient_siret", Input).has_focus

        # Empty the service code: the recipient requires one, so nothing is sent.
        await pilot.press("tab", "end", *["backspace"] * 12)
        assert form.query_one("#service_code", Input).value == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = form.query_one("#error-service_code", Static)
        assert error.display
        assert "service" in rendered(error).lower()
        assert app.context.client.calls["factures/v1/recycler"] == 0

        await pilot.press(*"CCAS", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ToDoScreen)
        assert app.screen.query_one(DataTable).row_count == 0
        chorus_invoice = rig.simulator.invoice(chorus_id)
        assert chorus_invoice.service_code == "CCAS"
        assert chorus_invoice.number == NUMBER
        assert EventKind.RECYCLED in [event.kind for event in rig.store.events(invoice_id)]


async def test_complete_by_keyboard(rig, tmp_path):
    app = rig.app
    note = tmp_path / "bon-livraison.pdf"
    note.write_bytes(b"%PDF-1.4 bon de livraison")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        invoice_id, chorus_id = await deposit_with_status(rig, pilot, "SUSPENDUE", "Bon de livraison manquant.")

        await open_remedy(pilot)
        form = app.screen
        assert isinstance(form, CompleteScreen)
        assert form.query_one("#attachments", TextArea).has_focus

        # A file with a forbidden extension is refused before any upload.
        await pilot.press(*str(tmp_path / "notes.exe"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#error-attachments", Static).display
        assert "notes.exe" in rendered(form.query_one("#error-attachments", Static))
        assert app.context.client.calls["factures/v1/completer"] == 0

        form.query_one("#attachments", TextArea).clear()
        await pilot.press(*str(note), "tab", *"Bon joint", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ToDoScreen)
        assert rig.store.get_invoice(invoice_id).status_code == "COMPLETEE"
        assert len(rig.simulator.invoice(chorus_id).complementary_attachments) == 1


async def test_rejection_by_keyboard(rig):
    app = rig.app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        invoice_id, chorus_id = await deposit_with_status(rig, pilot, "REJETEE", "Montant erroné")

        await open_remedy(pilot)
        dialog = app.screen
        assert isinstance(dialog, RejectionScreen)
        assert not dialog.query_one("#row-new_number").display

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert rig.simulator.invoice(chorus_id).rejection_handled is True
        assert dialog.query_one("#row-new_number").display

        # The rejected number is refused as its own replacement.
        await pilot.press("tab", *NUMBER, "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert NUMBER in rendered(dialog.query_one("#error-new_number", Static))
        assert rig.store.get_invoice(invoice_id).replaced_by is None

        await pilot.press(*["backspace"] * len(NUMBER), *"FAC-2026-0002", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ToDoScreen)
        assert app.screen.query_one(DataTable).row_count == 0
        new_row = rig.store.find_by_number("FAC-2026-0002")[0]
        assert rig.store.get_invoice(invoice_id).replaced_by == new_row.id
        assert [str(event.message) for event in rig.store.events(new_row.id)
                if event.kind is EventKind.REPLACES] == [f"Remplace la facture {NUMBER}, rejetée"]


async def test_refused_deposit_opens_deposit_form(rig):
    from chorus_tui.ui.screens.deposit_form import DepositFormScreen

    app = rig.app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = refuse_deposit(rig, "Code service absent.")

        await open_remedy(pilot)
        assert isinstance(app.screen, DepositFormScreen)
        assert app.screen.invoice_id == row.id


async def test_complete_form_layout_and_focus(rig, tmp_path):
    app = rig.app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await deposit_with_status(rig, pilot, "SUSPENDUE", "Bon de livraison manquant.")
        await open_remedy(pilot)
        form = app.screen
        assert isinstance(form, CompleteScreen)
        comment = form.query_one("#comment", Input)
        # The comment has a box of its own, inside the screen.
        assert comment.region.height >= 3
        assert comment.region.bottom <= 30

        await pilot.press(*str(tmp_path / "absent.pdf"), "tab", *"Attestation jointe.")
        assert form.query_one("#attachments", TextArea).text == str(tmp_path / "absent.pdf")
        assert comment.value == "Attestation jointe."
        await pilot.press("tab")
        assert app.focused is form.query_one("#triage-send")

        await pilot.press("ctrl+s")
        await settle(pilot)
        # The cursor goes back to the field in error, whose row is marked.
        assert form.query_one("#attachments", TextArea).has_focus
        assert form.query_one("#row-attachments").has_class("has-error")
        assert form.query_one("#triage-send").region.bottom <= 30


async def test_complete_notice_says_what_was_sent(rig, tmp_path):
    app = rig.app
    note = tmp_path / "bon-livraison.pdf"
    note.write_bytes(b"%PDF-1.4 bon de livraison")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await deposit_with_status(rig, pilot, "SUSPENDUE", "Bon de livraison manquant.")
        await open_remedy(pilot)
        await pilot.press(*str(note), "tab", *"Bon joint", "ctrl+s")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert f"Complément envoyé à Chorus Pro pour {NUMBER} (1 pièce jointe)." in messages
        assert not any("c'est fait" in message for message in messages)


async def test_recycle_offers_recipient_services(rig):
    from textual.widgets import Select

    app = rig.app
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await deposit_with_status(rig, pilot, "A_RECYCLER", "Service destinataire erroné.")
        await open_remedy(pilot)
        form = app.screen
        assert isinstance(form, RecycleScreen)
        choice = form.query_one("#service_choice", Select)
        assert choice.display
        assert "CCAS" in form.service_codes
        assert "ST" in form.service_codes

        choice.value = "CCAS"
        await settle(pilot)
        assert form.query_one("#service_code", Input).value == "CCAS"
        # A code outside the list stays possible, as free text.
        form.query_one("#service_code", Input).value = "AUTRE"
        await settle(pilot)
        assert choice.value is Select.NULL


async def test_to_do_columns_fit_80_columns(rig):
    app = rig.app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        refuse_deposit(rig, "Code service absent.")
        await pilot.press("t")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels == ["Depuis le", "N° facture", "Client", "Action attendue"]
        assert table.get_row_at(0)[3] == "Déposer de nouveau"
        assert table.virtual_size.width <= table.size.width
