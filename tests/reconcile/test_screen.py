"""Pilot tests of the reconciliation dialog, in the application built by the factory over the simulator."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, ProgressBar, Static

from chorus_tui.chorus.errors import ChorusUnavailable
from chorus_tui.sources.folder import FolderSource
from chorus_tui.store import Store
from chorus_tui.sync.reconcile import Reconciler
from chorus_tui.ui.screens import reconcile as reconcile_screen
from chorus_tui.ui.screens.reconcile import ReconcileScreen, parse_day
from tests.reconcile.conftest import RECIPIENT_SIRET, add_local, deposited_on
from tests.ui.conftest import make_rig, settle

SEARCH = "factures/v1/rechercher/fournisseur"


@pytest.fixture
def rig(tmp_path):
    source_folder = tmp_path / "source"
    source_folder.mkdir()
    return make_rig(tmp_path / "invoices.sqlite3", FolderSource(source_folder))


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def open_dialog(pilot, **options) -> ReconcileScreen:
    await settle(pilot)
    screen = ReconcileScreen(**options)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


@pytest.mark.parametrize(("text", "expected"), [("05/10/2026", date(2026, 10, 5)), ("2026-10-05", date(2026, 10, 5)),
                                                 (" 5/10/2026 ", date(2026, 10, 5))])
def test_parse_day_accepts_both_forms(text, expected):
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026/10/05", "hier", ""])
def test_parse_day_rejects_text(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_day(text)


async def test_exact_applied_near_confirmed_with_space(rig, files):
    exact_id = add_local(rig.store, files, "FAC-2026-0501", invoice_date=date(2026, 10, 5))
    near_id = add_local(rig.store, files, "FAC-2026-0502", invoice_date=date(2026, 10, 6))
    exact_chorus = rig.simulator.add_existing_invoice("FAC-2026-0501", date(2026, 10, 5), RECIPIENT_SIRET,
                                                      deposited_at=deposited_on(date(2026, 10, 7)))
    near_chorus = rig.simulator.add_existing_invoice("fac 2026-502", date(2026, 10, 6), RECIPIENT_SIRET,
                                                     deposited_at=deposited_on(date(2026, 10, 8)))
    rig.simulator.add_existing_invoice("FAC-2026-0503", date(2026, 11, 2), RECIPIENT_SIRET, draft=True,
                                       deposited_at=deposited_on(date(2026, 11, 3)))

    async with rig.app.run_test(size=(120, 45)) as pilot:
        screen = await open_dialog(pilot)
        assert screen.query_one("#date-from", Input).value == "05/10/2026"
        assert screen.query_one("#date-to", Input).value == "01/12/2026"

        await pilot.press("ctrl+s")
        await settle(pilot)

        assert rig.store.get_invoice(exact_id).chorus_invoice_id == exact_chorus
        assert rig.store.get_invoice(near_id).chorus_invoice_id is None
        proposals = screen.query_one("#proposals", DataTable)
        assert proposals.row_count == 1
        assert proposals.get_row_at(0)[1:3] == ["FAC-2026-0502", "fac 2026-502"]
        drafts = screen.query_one("#drafts", DataTable)
        assert drafts.row_count == 1
        assert drafts.get_row_at(0)[0] == "FAC-2026-0503"
        assert not screen.query_one("#not-linked", DataTable).display
        assert screen.query_one("#reconcile-progress", ProgressBar).percentage == 1.0
        summary = next(text for text in notifications(rig.app) if "rattachée" in text)
        assert "1 facture rattachée" in summary
        assert "1 rapprochement à confirmer" in summary
        assert "1 brouillon jamais envoyé" in summary

        await pilot.press("space")
        await settle(pilot)

        row = rig.store.get_invoice(near_id)
        assert row.chorus_invoice_id == near_chorus
        assert row.status_code == "MISE_A_DISPOSITION"
        assert proposals.get_row_at(0)[0] == "✓"
        assert any(f"(n° {near_chorus})" in text for text in notifications(rig.app))


async def test_near_match_left_unconfirmed(rig, files):
    near_id = add_local(rig.store, files, "FAC-2026-0600", invoice_date=date(2026, 11, 5))
    rig.simulator.add_existing_invoice("FAC-2026-600", date(2026, 11, 5), RECIPIENT_SIRET,
                                       deposited_at=deposited_on(date(2026, 11, 6)))

    async with rig.app.run_test(size=(120, 45)) as pilot:
        await open_dialog(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)

        assert not isinstance(rig.app.screen, ReconcileScreen)
        assert rig.store.get_invoice(near_id).chorus_invoice_id is None


async def test_progress_counts_pages(rig, files):
    numbers = [f"FAC-2026-{index:04d}" for index in range(701, 713)]
    for index, number in enumerate(numbers):
        add_local(rig.store, files, number, invoice_date=date(2026, 11, 2))
        rig.simulator.add_existing_invoice(number, date(2026, 11, 2), RECIPIENT_SIRET,
                                           deposited_at=deposited_on(date(2026, 11, 3 + index)))
    steps = []

    class RecordingScreen(ReconcileScreen):
        CSS_PATH = Path(reconcile_screen.__file__).with_name("reconcile.tcss")

        def on_reconcile_screen_progressed(self, message: ReconcileScreen.Progressed) -> None:
            steps.append((message.step.month, message.step.page, message.step.pages, message.step.linked))

    async with rig.app.run_test(size=(120, 45)) as pilot:
        await settle(pilot)
        screen = RecordingScreen(page_size=5)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        searches = rig.app.context.client.calls[SEARCH]
        await pilot.press("ctrl+s")
        await settle(pilot)

        # November: three pages of five; December (up to the 1st): one empty page.
        assert rig.app.context.client.calls[SEARCH] - searches == 4
        assert steps == [(1, 1, 3, 5), (1, 2, 3, 10), (1, 3, 3, 12), (2, 1, 0, 12)]
        status = str(screen.query_one("#reconcile-status", Static).render())
        assert "12 factures rattachées" in status
    assert all(rig.store.find_by_number(number)[0].chorus_invoice_id is not None for number in numbers)


async def test_invalid_date_shows_error(rig):
    async with rig.app.run_test(size=(120, 45)) as pilot:
        screen = await open_dialog(pilot)
        field = screen.query_one("#date-from", Input)
        field.value = "31/02/2026"
        searches = rig.app.context.client.calls[SEARCH]
        await pilot.press("ctrl+s")
        await settle(pilot)

        error = screen.query_one("#reconcile-error", Static)
        assert error.display
        assert "31/02/2026" in str(error.render())
        assert rig.app.context.client.calls[SEARCH] == searches

        field.value = "01/12/2026"
        screen.query_one("#date-to", Input).value = "01/11/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "inversez-les" in str(error.render())


async def test_closing_interrupts_then_resumes(rig, files):
    october_id = add_local(rig.store, files, "FAC-2026-0801", invoice_date=date(2026, 10, 5))
    november_id = add_local(rig.store, files, "FAC-2026-0802", invoice_date=date(2026, 11, 5))
    rig.simulator.add_existing_invoice("FAC-2026-0801", date(2026, 10, 5), RECIPIENT_SIRET,
                                       deposited_at=deposited_on(date(2026, 10, 6)))
    rig.simulator.add_existing_invoice("FAC-2026-0802", date(2026, 11, 5), RECIPIENT_SIRET,
                                       deposited_at=deposited_on(date(2026, 11, 6)))
    client = rig.app.context.client
    original = client.search_invoice_page
    never = asyncio.Event()

    async def hang_in_november(search, page=1):
        if search.deposited_from == date(2026, 11, 1) and not never.is_set():
            await never.wait()
        return await original(search, page)

    client.search_invoice_page = hang_in_november

    async with rig.app.run_test(size=(120, 45)) as pilot:
        await open_dialog(pilot)
        await pilot.press("ctrl+s")
        for _ in range(5):
            await pilot.pause()
        assert rig.store.get_invoice(october_id).chorus_invoice_id is not None

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(rig.app.screen, ReconcileScreen)
        assert any("reprendra au 01/11/2026" in text for text in notifications(rig.app))
        pending = Reconciler(client, rig.store, rig.app.context.clock).pending_run()
        assert pending is not None
        assert pending.resume_from == date(2026, 11, 1)

        never.set()
        screen = await open_dialog(pilot)
        note = str(screen.query_one("#reconcile-note", Static).render())
        assert "reprendra au 01/11/2026" in note
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert rig.store.get_invoice(november_id).chorus_invoice_id is not None
        status = str(screen.query_one("#reconcile-status", Static).render())
        assert "2 factures rattachées" in status


async def test_failed_search_shown_with_resume_point(rig, files):
    add_local(rig.store, files, "FAC-2026-0901", invoice_date=date(2026, 11, 5))
    client = rig.app.context.client

    async def unavailable(search, page=1):
        raise ChorusUnavailable("server", SEARCH, 503)

    client.search_invoice_page = unavailable

    async with rig.app.run_test(size=(120, 45)) as pilot:
        screen = await open_dialog(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        status = str(screen.query_one("#reconcile-status", Static).render())
        assert "reprendra au 05/11/2026" in status
        assert any(notification.severity == "error" for notification in rig.app._notifications)
        assert not screen.running


async def test_reissue_under_rejected_number_listed(rig, files):
    old_id = add_local(rig.store, files, "FAC-2026-0010", invoice_date=date(2026, 10, 5))
    new_id = add_local(rig.store, files, "FAC-2026-0015", invoice_date=date(2026, 10, 20))
    rig.store.link_replacement(old_id, new_id)
    rejected = rig.simulator.add_existing_invoice("FAC-2026-0010", date(2026, 10, 5), RECIPIENT_SIRET,
                                                  status="REJETEE", deposited_at=deposited_on(date(2026, 10, 6)))
    reissue = rig.simulator.add_existing_invoice("FAC-2026-0010", date(2026, 10, 5), RECIPIENT_SIRET,
                                                 deposited_at=deposited_on(date(2026, 10, 21)))

    async with rig.app.run_test(size=(120, 45)) as pilot:
        screen = await open_dialog(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert rig.store.get_invoice(old_id).chorus_invoice_id == rejected
        assert rig.store.get_invoice(new_id).chorus_invoice_id is None
        not_linked = screen.query_one("#not-linked", DataTable)
        assert not_linked.display
        assert not_linked.row_count == 1
        assert not_linked.get_row_at(0)[:3] == ["FAC-2026-0010", "FAC-2026-0010", str(reissue)]
        assert "facture rejetée" in not_linked.get_row_at(0)[3]
        assert "1 facture déposée de nouveau" in str(screen.query_one("#reconcile-status", Static).render())



async def test_autostart_imports_folder_first(tmp_path):
    rig = make_rig(tmp_path / "invoices.sqlite3")
    async with rig.app.run_test(size=(120, 45)) as pilot:
        await settle(pilot)
        local = rig.store.find_by_number("FAC-2026-0003")[0]
        chorus_id = rig.simulator.add_existing_invoice("FAC-2026-0003", local.invoice_date, local.recipient_siret,
                                                       deposited_at=deposited_on(local.invoice_date))
        oldest = min(row.invoice_date for row in rig.store.page_invoices(0, 100) if row.invoice_date)
        # As on a first connection: the list has not imported the folder yet.
        rig.store.close()
        (tmp_path / "invoices.sqlite3").unlink()
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"invoices.sqlite3{suffix}").unlink(missing_ok=True)
        store = Store(tmp_path / "invoices.sqlite3", clock=rig.clock)
        rig.app.context.store = store

        screen = ReconcileScreen(autostart=True)
        await pilot.app.push_screen(screen)
        await settle(pilot)

        assert screen.query_one("#date-from", Input).value == oldest.strftime("%d/%m/%Y")
        linked = store.find_by_number("FAC-2026-0003")[0]
        assert linked.chorus_invoice_id == chorus_id
        assert any("1 facture rattachée" in text for text in notifications(rig.app))


async def test_without_client_says_unavailable(tmp_path, files):
    from chorus_tui.clock import ManualClock
    from chorus_tui.factory import build_app
    from tests.ui.conftest import START

    clock = ManualClock(START)
    store = Store(tmp_path / "offline.sqlite3", clock=clock)
    add_local(store, files, "FAC-2026-0001", invoice_date=date(2026, 11, 5))
    (files.parent / "source").mkdir()
    app = build_app(store=store, source=FolderSource(files.parent / "source"), clock=clock)
    async with app.run_test(size=(120, 45)) as pilot:
        screen = await open_dialog(pilot)
        assert "Pas de connexion à Chorus Pro" in str(screen.query_one("#reconcile-status", Static).render())

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("Pas de connexion" in text for text in notifications(app))
        assert store.get_invoice(1).chorus_invoice_id is None
        assert Reconciler(None, store, clock).pending_run() is None


def test_summary_names_incomplete_months():
    from chorus_tui.sync.reconcile import ReconcileReport

    report = ReconcileReport(date(2026, 1, 1), date(2026, 2, 28), incomplete_months=[date(2026, 2, 1)])
    text = ReconcileScreen.summary_text(report)
    assert "moins de factures qu'annoncé" in text
    assert "01/02/2026" in text


async def test_last_report_proposals_confirmed_later(rig, files):
    near_id = add_local(rig.store, files, "FAC-2026-0650", invoice_date=date(2026, 11, 5))
    near_chorus = rig.simulator.add_existing_invoice("FAC 2026 650", date(2026, 11, 5), RECIPIENT_SIRET,
                                                     deposited_at=deposited_on(date(2026, 11, 6)))
    rig.simulator.add_existing_invoice("FAC-2026-0651", date(2026, 11, 5), RECIPIENT_SIRET, draft=True,
                                       deposited_at=deposited_on(date(2026, 11, 6)))
    # A run without the dialog, as `chorus-tui sync --reconcile` makes from cron.
    await Reconciler(rig.app.context.client, rig.store, rig.clock).reconcile(date(2026, 11, 1), date(2026, 12, 1))

    async with rig.app.run_test(size=(120, 45)) as pilot:
        screen = await open_dialog(pilot)
        proposals = screen.query_one("#proposals", DataTable)
        assert proposals.row_count == 1
        assert screen.query_one("#drafts", DataTable).row_count == 1
        assert "1 rapprochement à confirmer" in str(screen.query_one("#reconcile-status", Static).render())

        await pilot.press("space")
        await settle(pilot)
        assert rig.store.get_invoice(near_id).chorus_invoice_id == near_chorus

        await pilot.press("escape")
        await settle(pilot)
        screen = await open_dialog(pilot)
        assert not screen.query_one("#proposals", DataTable).display
