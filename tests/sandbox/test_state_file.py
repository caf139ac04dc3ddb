"""Persistence of the simulated Chorus Pro across runs (demo mode)."""

from __future__ import annotations

import base64
import json
from datetime import date

from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.simulator import Simulator

from .conftest import Api, pdf_body


def test_state_survives_restart(tmp_path):
    state_file = tmp_path / "chorus.json"
    clock = ManualClock()
    first = Api(Simulator(clock, seed=2, state_file=state_file, failure_shares=(0, 0, 0)))
    answer = first.call("/cpro/factures/v1/soumettre", pdf_body(first, number="KEEP-1"))
    assert answer["codeRetour"] == 0
    assert state_file.exists()

    clock.advance(25)
    second = Api(Simulator(clock, seed=2, state_file=state_file, failure_shares=(0, 0, 0)))
    rows = second.call("/cpro/factures/v1/rechercher/fournisseur", {})["listeFactures"]
    assert [row["numeroFacture"] for row in rows] == ["KEEP-1"]
    assert rows[0]["statut"] in ("EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION")
    assert second.call("/cpro/factures/v1/soumettre", pdf_body(second, number="KEEP-1"))["codeRetour"] == 20111
    clock.advance(600)
    assert second.simulator.invoice(answer["identifiantFactureCPP"]).status == "MISE_EN_PAIEMENT"
    next_answer = second.call("/cpro/factures/v1/soumettre", pdf_body(second, number="KEEP-2"))
    assert next_answer["identifiantFactureCPP"] == answer["identifiantFactureCPP"] + 1


def test_state_file_keeps_no_file_bytes(tmp_path):
    state_file = tmp_path / "chorus.json"
    api = Api(Simulator(ManualClock(), state_file=state_file))
    secret_bytes = b"%PDF-1.4 CONTENU-CONFIDENTIEL-DE-LA-FACTURE"
    api.upload(secret_bytes, "confidentiel.pdf")
    text = state_file.read_text(encoding="utf-8")
    assert "CONTENU-CONFIDENTIEL" not in text
    assert base64.b64encode(secret_bytes).decode() not in text
    stored = json.loads(text)["files"][0]
    assert stored["size"] == len(secret_bytes)
    assert len(stored["sha256"]) == 64


def test_state_keeps_flows_and_existing_invoices(tmp_path):
    state_file = tmp_path / "chorus.json"
    clock = ManualClock()
    sim = Simulator(clock, state_file=state_file)
    invoice_id = sim.add_existing_invoice("OLD-1", date(2025, 5, 5), "21170753455688", status="REJETEE",
                                          comment="Facture en double.")
    reloaded = Simulator(clock, state_file=state_file)
    invoice = reloaded.invoice(invoice_id)
    assert invoice.status == "REJETEE"
    assert invoice.status_comment == "Facture en double."
    assert invoice.invoice_date == date(2025, 5, 5)
    assert [entry.code for entry in invoice.history] == ["DEPOSEE", "REJETEE"]


def test_unreadable_state_file_moved_aside(tmp_path):
    state_file = tmp_path / "chorus.json"
    state_file.write_text(json.dumps({"version": 99}), encoding="utf-8")
    sim = Simulator(ManualClock(), state_file=state_file)
    assert sim.invoices() == []
    kept = list(tmp_path.glob("chorus.json.unreadable-*"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text(encoding="utf-8")) == {"version": 99}


def test_truncated_state_file_moved_aside(tmp_path):
    state_file = tmp_path / "chorus.json"
    state_file.write_text('{"version": 1, "invoi', encoding="utf-8")
    sim = Simulator(ManualClock(), state_file=state_file)
    sim.add_existing_invoice("NEW-1", date(2026, 1, 1), "21170753455688")
    assert json.loads(state_file.read_text(encoding="utf-8"))["invoices"][0]["number"] == "NEW-1"
    assert len(list(tmp_path.glob("chorus.json.unreadable-*"))) == 1


def test_two_simulators_share_state_file(tmp_path):
    state_file = tmp_path / "chorus.json"
    clock = ManualClock()
    tui = Api(Simulator(clock, state_file=state_file))
    cron = Api(Simulator(clock, state_file=state_file))
    assert tui.call("/cpro/factures/v1/soumettre", pdf_body(tui, number="SHARED-1"))["codeRetour"] == 0
    assert cron.call("/cpro/factures/v1/soumettre", pdf_body(cron, number="SHARED-2"))["codeRetour"] == 0
    numbers = sorted(row["numeroFacture"]
                     for row in tui.call("/cpro/factures/v1/rechercher/fournisseur", {})["listeFactures"])
    assert numbers == ["SHARED-1", "SHARED-2"]
    assert cron.call("/cpro/factures/v1/soumettre", pdf_body(cron, number="SHARED-1"))["codeRetour"] == 20111
