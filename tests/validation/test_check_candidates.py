"""`chorus-tui check --json` lists every SIRET candidate, ranked, with the reason of its rank."""

from __future__ import annotations

import json

from chorus_tui.commands import check
from tests.detection.builders import write_pdf
from tests.validation.test_check_command import TODAY, parse

VALMORIN = "21170753455688"
BEAURIVAGE = "21151884000015"
SUPPLIER = "81588139669879"


def test_candidates_ranked_with_reasons(tmp_path, capsys):
    path = write_pdf(tmp_path / "candidates.pdf", [
        "Facture N° FAC-2026-0730",
        f"SIRET du destinataire : {VALMORIN}",
        f"Autre établissement {BEAURIVAGE}",
        "Atelier Verdier Maintenance SARL - SIRET 815 881 396 69879",
    ])

    check.run(parse("--json", "--today", TODAY, str(path)))
    (report,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    candidates = report["candidates"]
    assert [candidate["siret"] for candidate in candidates] == [VALMORIN, BEAURIVAGE, SUPPLIER]
    scores = [candidate["score"] for candidate in candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(candidate["reason"] for candidate in candidates)
    assert "SIRET du destinataire" in candidates[0]["reason"]
    assert candidates[2]["score"] < 0
    assert all(candidate["checksum_valid"] is True for candidate in candidates)
    assert {candidate["source"] for candidate in candidates} <= {"facturx", "label", "text"}
