"""Background polling: toasts and the bell on status changes, no poll under a modal, errors shown."""

from __future__ import annotations

from chorus_tui.clock import ManualClock
from chorus_tui.factory import attach_client, build_app
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.faults import AuthPolicy
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.sources.reader import read_invoice
from chorus_tui.statuses import REJECTED
from chorus_tui.store import Store
from chorus_tui.ui.screens.connection import ConnectionScreen
from chorus_tui.ui.screens.deposit_form import DepositFormScreen
from chorus_tui.ui.screens.reconcile import ReconcileScreen
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from chorus_tui.validation import form_from_invoice
from tests.ui.conftest import START, demo_connection_setup, settle


async def deposit_valmorin_invoice(rig) -> tuple[int, int]:
    """Deposit FAC-2026-0003 (its recipient requires nothing) through the deposit service.

    Returns the local id and the Chorus Pro id.
    """
    row = rig.store.find_by_number("FAC-2026-0003")[0]
    form = form_from_invoice(read_invoice(row.file_path), supplier_id=DEMO_SUPPLIER.id_structure_cpp,
                             bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id)
    outcome = await rig.app.context.deposit_service.deposit(row.id, form)
    assert outcome.chorus_invoice_id is not None, outcome
    return row.id, outcome.chorus_invoice_id


async def test_rejection_shows_toast_and_rings(rig):
    bells = []
    rig.app.bell = lambda: bells.append(True)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        local_id, chorus_id = await deposit_valmorin_invoice(rig)
        rig.simulator.set_status(chorus_id, REJECTED, "Facture en double.")

        await pilot.press("p")
        await settle(pilot)
        row = rig.store.require_invoice(local_id)
        assert row.status_code == REJECTED
        messages = [notification.message for notification in rig.app._notifications]
        assert any("FAC-2026-0003" in text and "Rejetée" in text for text in messages)
        assert any("Facture en double." in text for text in messages)
        assert bells == [True]
        counter = str(rig.app.screen.query_one("#count-rejected").render())
        assert "1" in counter


async def test_no_poll_while_modal_open(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        polls = rig.app.polls_done
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(rig.app.screen, DepositFormScreen)
        rig.app._poll_due()
        await settle(pilot)
        assert rig.app.polls_done == polls

        await pilot.press("escape")
        rig.app._poll_due()
        await settle(pilot)
        assert rig.app.polls_done == polls + 1


async def test_failed_poll_is_shown_and_logged(rig, caplog):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await deposit_valmorin_invoice(rig)
        rig.app.clear_notifications()
        rig.simulator.fail_next("html", count=50)

        await pilot.press("p")
        await settle(pilot)
        errors = [n.message for n in rig.app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert "maintenance" in errors[0]
        failures = [record for record in caplog.records if record.levelname == "ERROR"]
        assert any("poll failed" in record.getMessage() for record in failures)
        # The next poll is scheduled even after a failure.
        assert rig.app._poll_timer is not None
        assert rig.app.poll_failures == 1

        # A second failure in a row is logged but not shown again.
        await pilot.press("p")
        await settle(pilot)
        errors = [n.message for n in rig.app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert rig.app.poll_failures == 2


async def test_connection_screen_comes_first(tmp_path, rig):
    clock = ManualClock(START)
    store = Store(tmp_path / "profile.sqlite3", clock=clock)
    connected = []

    async def connect(setup):
        connected.append(setup)
        attach_client(app.context, rig.app.context.client)

    app = build_app(store=store, source=FolderSource(demo_invoice_folder()), clock=clock, ask_connection=True,
                    connect=connect, profile_label="test")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectionScreen)
        setup = demo_connection_setup()
        app.screen.dismiss(setup)
        await settle(pilot)
        assert connected == [setup]
        # The first connection starts a reconciliation; closing it shows the list.
        assert isinstance(app.screen, ReconcileScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "invoices"
        assert app.screen.query_one(InvoiceTable).row_count == 14


async def test_refused_deposit_opens_error_dialog(rig):
    from chorus_tui.i18n import Message
    from chorus_tui.sync import DepositOutcome, DepositState
    from chorus_tui.ui.screens.error import ErrorScreen

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = Message("ui.amount_not_a_number", {"value": "douze"})
        rig.app.report_deposit("FAC-2026-0003", DepositOutcome(DepositState.REFUSED, 3, message=detail))
        await settle(pilot)
        assert isinstance(rig.app.screen, ErrorScreen)
        assert "FAC-2026-0003" in str(rig.app.screen.query_one("#error-title").render())
        assert "douze" in str(rig.app.screen.query_one("#error-detail").render())
        await pilot.press("escape")
        assert not isinstance(rig.app.screen, ErrorScreen)


async def test_failed_deposit_is_a_toast(rig):
    from chorus_tui.i18n import Message
    from chorus_tui.sync import DepositOutcome, DepositState

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rig.app.clear_notifications()
        detail = Message("ui.amount_not_a_number", {"value": "douze"})
        rig.app.report_deposit("FAC-2026-0003", DepositOutcome(DepositState.FAILED, 3, message=detail))
        await settle(pilot)
        errors = [n.message for n in rig.app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert "FAC-2026-0003" in errors[0]
        assert "douze" in errors[0]


async def test_failed_connection_shows_screen_again(tmp_path):
    clock = ManualClock(START)

    async def connect(setup):
        raise OSError("keyring locked")

    app = build_app(store=Store(tmp_path / "profile.sqlite3", clock=clock),
                    source=FolderSource(demo_invoice_folder()), clock=clock, ask_connection=True, connect=connect)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = app.screen
        assert isinstance(first, ConnectionScreen)
        first.dismiss(object())
        await settle(pilot)
        assert isinstance(app.screen, ConnectionScreen)
        assert app.screen is not first
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1


async def test_polls_repeat_without_key(tmp_path):
    """After each poll the next one is scheduled, so statuses move on with no key pressed."""
    from tests.ui.conftest import make_rig

    rig = make_rig(tmp_path / "invoices.sqlite3")
    rig.app.context.poll_interval = 0.02
    async with rig.app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if rig.app.polls_done >= 4:
                break
        assert rig.app.polls_done >= 4


async def test_refused_credentials_pause_polling(rig):
    """A refused technical account pauses polling with a banner; a successful poll resumes it."""
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await deposit_valmorin_invoice(rig)
        rig.simulator.auth = AuthPolicy(refuse_account=True)
        await pilot.press("p")
        await settle(pilot)
        assert rig.app.credentials_refused is not None
        assert rig.app._poll_timer is None
        banner = rig.app.screen.query_one("#banner")
        assert banner.display
        assert "Suivi suspendu" in str(banner.render())

        polls = rig.app.polls_done
        rig.app.schedule_poll(0)
        rig.app.pause_polling(rig.app.credentials_refused)
        await settle(pilot)
        assert rig.app.polls_done == polls

        rig.simulator.auth = AuthPolicy()
        await pilot.press("p")
        await settle(pilot)
        assert rig.app.credentials_refused is None
        assert not banner.display
        assert rig.app._poll_timer is not None
