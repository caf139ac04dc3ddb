"""`chorus-tui check` on the four FNFE Factur-X sample invoices.

Their SIRETs are made up and fail the Luhn key, so the recipient blocks in every file, and
the EN16931 sample gives gross prices without an allowance on lines 2 and 3.
"""

from __future__ import annotations

import json

import pytest

from chorus_tui.commands import check
from tests.validation.test_check_command import parse

SAMPLE_TODAY = "2026-03-10"
# File name -> (deposit route, kind, (field, words of the message) of every blocking result, in order).
EXPECTED = {
    "correct_Avoir_FR_type381_BASIC.pdf": ("FLUX", "AVOIR", [("recipient_siret", "clé de contrôle")]),
    "correct_Facture_FR_BASICWL.pdf": ("DEPOT_PDF_API", "FACTURE", [("recipient_siret", "clé de contrôle")]),
    "correct_Facture_FR_MINIMUM.pdf": ("DEPOT_PDF_API", "FACTURE", [("recipient_siret", "clé de contrôle")]),
    "fail_Facture_FR_EN16931.pdf": ("FLUX", "FACTURE", [
        ("attachment_path", "prix brut"),
        ("attachment_path", "prix brut"),
        ("recipient_siret", "clé de contrôle"),
    ]),
}


@pytest.fixture(params=sorted(EXPECTED))
def sample_report(request, shared_dir, capsys):
    path = shared_dir / "samples" / "factur-x" / request.param
    status = check.run(parse("--demo", "--json", "--today", SAMPLE_TODAY, str(path)))
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return request.param, status, report


def test_sample_blocking_results(sample_report):
    name, status, report = sample_report
    route, kind, blocking = EXPECTED[name]
    assert status == check.EXIT_BLOCKING
    assert report["blocking"] is True
    assert report["form"]["route"] == route
    assert report["form"]["kind"] == kind
    found = [(entry["field"], entry["message"]) for entry in report["checks"] if entry["level"] == "blocking"]
    assert [field for field, _ in found] == [field for field, _ in blocking]
    for (_, message), (_, words) in zip(found, blocking):
        assert words in message


def test_sample_messages_name_the_fix(sample_report):
    _, _, report = sample_report
    recipient = [entry for entry in report["checks"] if entry["field"] == "recipient_siret"]
    assert len(recipient) == 1
    assert "78787878400035" in recipient[0]["message"]
    assert "clé de contrôle" in recipient[0]["message"]


def test_sample_supplier_never_recipient(sample_report):
    _, _, report = sample_report
    assert report["form"]["recipient_siret"] == "78787878400035"
    assert report["form"]["validator_siret"] is None
