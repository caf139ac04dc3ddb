"""The screenshot export runs and each SVG shows its screen."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO_ROOT

EXPECTED = {
    "invoices.svg": "FAC-2026-0014",
    "to-do.svg": "FAC-2026-0004",
    "deposit-form.svg": "Code&#160;service&#160;manquant",
    "deposit-confirm.svg": "FAC-2026-0010&#160;sur&#160;Chorus&#160;Pro",
    "deposit-recipients.svg": "Lycée&#160;polyvalent&#160;des&#160;Quatre-Vents",
    "timeline.svg": "Rejet",
    "help.svg": "Filtrer",
    "connection.svg": "PISTE",
}


def load_script():
    spec = importlib.util.spec_from_file_location("export_screenshots", REPO_ROOT / "scripts" / "export_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_export_writes_every_screen(tmp_path):
    script = load_script()
    saved = await script.export(tmp_path)
    assert sorted(path.name for path in saved) == sorted(EXPECTED)
    for name, text in EXPECTED.items():
        content = (tmp_path / name).read_text(encoding="utf-8")
        assert text in content, name
