"""Every message key the checks use exists in both catalogues, and reports render in English too."""

from __future__ import annotations

import json
import re
from pathlib import Path

from chorus_tui import i18n
from chorus_tui.commands import check
from tests.validation.test_check_command import TODAY, parse

VALIDATION_DIR = Path(__file__).resolve().parents[2] / "chorus_tui" / "validation"
# passed(field, "key", …), warning(…), blocking(…) and message("key", …) calls.
KEY_CALL = re.compile(r"\b(?:passed|warning|blocking)\(\s*[\w.\"]+,\s*\"(\w+)\"|\bmessage\(\s*\"(\w+)\"")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in VALIDATION_DIR.glob("*.py"):
        for match in KEY_CALL.finditer(path.read_text(encoding="utf-8")):
            keys.add(match.group(1) or match.group(2))
    return keys


def test_every_used_key_is_in_both_catalogues():
    keys = used_keys()
    assert len(keys) > 80
    for lang in i18n.LANGUAGES:
        catalogue = i18n.catalogue(lang)
        missing = sorted(key for key in keys if f"checks.{key}" not in catalogue)
        assert missing == [], lang


def test_demo_report_renders_in_english(capsys):
    i18n.set_language("en")
    status = check.run(parse("--json", "--demo", "--today", TODAY))
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status in (0, 1)
    messages = [entry["message"] for report in reports for entry in report.get("checks", [])]
    assert any(message.startswith("Recipient found in Chorus Pro:") for message in messages)
    assert not any("Destinataire" in message for message in messages)
