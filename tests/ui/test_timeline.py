"""The timeline: one line per step of a deposit, and a long history opened at its top."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from chorus_tui.ui.screens.timeline import TimelineScreen
from tests.ui.conftest import select_invoice, settle
from tests.ui.test_integration import french  # noqa: F401 (a fixture)
from tests.ui.test_polling import deposit_valmorin_invoice


def event_texts(screen: TimelineScreen) -> list[str]:
    return [str(widget.render()) for widget in screen.query(".event")]


async def test_deposit_listed_once(rig, french):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        local_id, chorus_id = await deposit_valmorin_invoice(rig)
        await pilot.press("p")
        await settle(pilot)
        await select_invoice(pilot, "FAC-2026-0003")
        await pilot.press("enter")
        await settle(pilot)

        texts = event_texts(rig.app.screen)
        assert len(texts) == 3, texts
        assert "Importée" in texts[0]
        assert f"Envoyée à Chorus Pro (Dépôt PDF), n°\u00a0{chorus_id}" in texts[1]
        assert texts[2].endswith("Déposée")
        assert not any("Envoi à Chorus Pro" in text for text in texts)


async def test_long_timeline_opens_at_top(rig, french):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        local_id, _ = await deposit_valmorin_invoice(rig)
        start = rig.clock.now()
        history = [(code, start + timedelta(hours=hour), f"Étape {hour} : " + "pièce à fournir " * 8, None)
                   for hour, code in enumerate(["MISE_A_DISPOSITION", "SUSPENDUE", "COMPLETEE"] * 8, 1)]
        rig.store.record_status(local_id, "MANDATEE", at=start + timedelta(days=3), history=history)
        rig.app.invoices_changed()
        await settle(pilot)
        await select_invoice(pilot, "FAC-2026-0003")
        await pilot.press("enter")
        await settle(pilot)

        screen = rig.app.screen
        summary = screen.query_one("#timeline-summary", Static)
        assert summary.region.y >= 0
        assert summary.region.height > 0
        assert screen.scroll_y == 0
        assert screen.query_one("#timeline-dialog").scroll_y == 0
        assert screen.query_one("#timeline-events").scroll_y == 0
        # The list scrolls inside the dialog, whose footer stays on screen.
        dialog = screen.query_one("#timeline-dialog")
        events = screen.query_one("#timeline-events")
        assert dialog.region.bottom <= 24
        assert events.region.bottom < dialog.region.bottom - 1
        assert events.max_scroll_y > 0
