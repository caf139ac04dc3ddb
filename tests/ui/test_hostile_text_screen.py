"""The invoice list and the deposit form show an invoice whose PDF text layer is damaged."""

from __future__ import annotations

from chorus_tui.sources import pdf
from chorus_tui.sources.folder import FolderSource
from tests.detection.builders import write_pdf
from tests.detection.test_detect_command import HOSTILE_PAGES
from tests.ui.conftest import make_rig, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

HOSTILE_NUMBER = "FAC-2026-0500"  # the invoice number printed on the first hostile page


async def test_hostile_text_renders_everywhere(tmp_path, monkeypatch, french):
    monkeypatch.setattr(pdf, "_page_texts", lambda document: list(HOSTILE_PAGES))
    folder = tmp_path / "invoices"
    folder.mkdir()
    write_pdf(folder / "hostile.pdf", ["placeholder"])
    rig = make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        list_svg = rig.app.export_screenshot()
        list_svg.encode("utf-8")
        assert HOSTILE_NUMBER in list_svg

        await open_form(pilot, HOSTILE_NUMBER)
        await pilot.press("ctrl+s")  # runs every check and shows the results beside their fields
        await settle(pilot)
        form_svg = rig.app.export_screenshot()
        form_svg.encode("utf-8")
        assert "21170753455688" in form_svg or "211 707 534 55688" in form_svg
