"""`chorus-tui check` judges "the future" by the calendar day in Paris, as Chorus Pro does."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from chorus_tui import clock as clock_module
from chorus_tui.commands import check
from tests.detection.builders import write_pdf
from tests.validation.test_check_command import parse


def invoice_dated(tmp_path, day: str):
    return write_pdf(tmp_path / "dated.pdf", ["Facture N° FAC-2026-0710", f"Date de facture : {day}",
                                              "SIRET : 21170753455688", "Total TTC 120,00 €"])


def date_results(capsys, path) -> list[dict]:
    check.run(parse("--demo", "--json", str(path)))
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [entry for entry in report["checks"] if entry["field"] == "invoice_date"]


@pytest.mark.parametrize(("utc_now", "level"), [
    # 23:30 in Paris on 10 March (UTC+1): an invoice dated 11 March is still in the future.
    (datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc), "blocking"),
    # 00:30 in Paris on 11 March, while UTC is still on the 10th: 11 March is today.
    (datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc), "pass"),
])
def test_check_today_is_paris_date(tmp_path, capsys, monkeypatch, utc_now, level):
    monkeypatch.setattr(clock_module.SystemClock, "now", lambda self: utc_now)

    (result,) = date_results(capsys, invoice_dated(tmp_path, "11/03/2026"))

    assert result["level"] == level


def test_today_option_wins_over_clock(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(clock_module.SystemClock, "now",
                        lambda self: datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    path = invoice_dated(tmp_path, "11/03/2026")

    check.run(parse("--demo", "--json", "--today", "2026-03-11", str(path)))
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    (result,) = [entry for entry in report["checks"] if entry["field"] == "invoice_date"]
    assert result["level"] == "pass"
