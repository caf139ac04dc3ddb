"""`chorus-tui check` on the demo invoices, against the in-process simulator."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from chorus_tui import paths
from chorus_tui.clock import ManualClock
from chorus_tui.commands import check
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.sources import demo_invoice_folder

# Later than every demo invoice's date, so that none is dated in the future.
TODAY = "2026-12-31"


def parse(*argv: str) -> argparse.Namespace:
    """Parse like `chorus-tui check`, with the options the top-level parser adds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--profile", default=None)
    check.add_arguments(parser)
    return parser.parse_args(list(argv))


def demo_file(prefix: str) -> Path:
    matches = sorted(demo_invoice_folder().glob(f"{prefix}*.pdf"))
    if not matches:
        pytest.skip(f"demo invoice {prefix} is not shipped")
    return matches[0]


def run_json(capsys, *argv: str) -> tuple[int, list[dict]]:
    status = check.run(parse("--json", "--today", TODAY, *argv))
    lines = capsys.readouterr().out.splitlines()
    return status, [json.loads(line) for line in lines]


def test_demo_invoices_give_one_object_per_file(capsys):
    pdfs = sorted(demo_invoice_folder().glob("*.pdf"))
    if not pdfs:
        pytest.skip("no demo invoice is shipped")
    status, reports = run_json(capsys, "--demo")
    assert len(reports) == len(pdfs)
    for report in reports:
        assert report["checks"], report["file"]
        for entry in report["checks"]:
            assert set(entry) >= {"field", "level", "message"}
            assert entry["level"] in {"pass", "warning", "blocking"}
            assert entry["message"]
    blocked = {Path(report["file"]).name for report in reports if report["blocking"]}
    expected_status = 1 if blocked else 0
    assert status == expected_status


def test_clean_invoice_exits_zero(capsys):
    status, reports = run_json(capsys, "--demo", str(demo_file("FAC-2026-0001")))
    assert status == 0
    report = reports[0]
    assert report["blocking"] is False
    assert report["form"]["recipient_siret"] == "21151884000015"
    assert report["form"]["service_code"] == "ST"
    assert report["form"]["bank_account_id"] == 4107
    messages = [entry["message"] for entry in report["checks"]]
    assert "Destinataire trouvé dans Chorus Pro : Commune de Beaurivage-sur-Orne (21151884000015)." in messages
    assert "Service : ST – Services techniques." in messages


def test_mistyped_recipient_siret_exits_one(capsys):
    status, reports = run_json(capsys, "--demo", str(demo_file("FAC-2026-0006")))
    assert status == 1
    blocking = [entry for entry in reports[0]["checks"] if entry["level"] == "blocking"]
    assert [entry["field"] for entry in blocking] == ["recipient_siret"]
    assert blocking[0]["message"].startswith("SIRET du destinataire invalide")


def test_credit_note_form_has_no_payment_mode(capsys):
    status, reports = run_json(capsys, "--demo", str(demo_file("FAC-2026-0008")))
    form = reports[0]["form"]
    assert form["kind"] == "AVOIR"
    assert form["payment_mode"] is None
    assert form["original_invoice_number"]
    assert status == 0


def test_mandataire_invoice_gets_a12_and_validator(capsys):
    _status, reports = run_json(capsys, "--demo", str(demo_file("FAC-2026-0009")))
    report = reports[0]
    assert report["form"]["billing_frame"] == "A12_FACTURE_COTRAITANT"
    assert report["form"]["validator_siret"] == report["mandataire_siret"]
    assert report["billing_frame_reason"].startswith("La facture mentionne un mandataire")


def test_number_rejected_in_demo_state_blocks(capsys):
    data_dir = paths.demo_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    simulator = Simulator(ManualClock(datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)),
                          state_file=data_dir / "simulator.json")
    simulator.add_existing_invoice("FAC-2026-0001", date(2026, 1, 14), "21151884000015", status="REJETEE",
                                   amount="894.60")
    status, reports = run_json(capsys, "--demo", str(demo_file("FAC-2026-0001")))
    assert status == 1
    blocking = [entry for entry in reports[0]["checks"] if entry["level"] == "blocking"]
    assert len(blocking) == 1
    assert "Un numéro rejeté ne peut plus être réutilisé" in blocking[0]["message"]


def test_unreadable_file_blocks_and_exits_one(capsys, tmp_path):
    broken = tmp_path / "pas-un-pdf.pdf"
    broken.write_text("ceci n'est pas un PDF")
    status, reports = run_json(capsys, "--demo", str(broken), str(demo_file("FAC-2026-0001")))
    assert status == 1
    assert [report["blocking"] for report in reports] == [True, False]
    assert reports[0]["error"]
    assert reports[0]["checks"] == [{"field": "file", "level": "blocking", "message": reports[0]["error"]}]


def test_text_report_is_french(capsys):
    status = check.run(parse("--demo", "--today", TODAY, str(demo_file("FAC-2026-0006"))))
    out = capsys.readouterr().out
    assert status == 1
    assert "Contrôles avant dépôt :" in out
    assert "[BLOQUANT] SIRET du destinataire invalide" in out
    # The detection warning about the SIRET's checksum is printed above, so it is counted.
    assert "Dépôt impossible en l'état : 1 point bloquant, 1 avertissement." in out


def test_offline_checks_without_credentials(capsys):
    status, reports = run_json(capsys, str(demo_file("FAC-2026-0001")), str(demo_file("FAC-2026-0008")))
    assert status == 0
    assert len(reports) == 2
    for report in reports:
        assert report["blocking"] is False
        skipped = [entry for entry in report["checks"] if entry["field"] == "directory"]
        assert len(skipped) == 1
        assert skipped[0]["level"] == "warning"
        assert "Montants cohérents (TTC" in " ".join(entry["message"] for entry in report["checks"])


def test_offline_warning_names_parts_once(capsys):
    status, reports = run_json(capsys, str(demo_file("FAC-2026-0001")))
    err = capsys.readouterr().err
    message = next(entry["message"] for entry in reports[0]["checks"] if entry["field"] == "directory")
    assert status == 0
    assert err == ""
    assert "n'est pas joignable" not in message
    assert "Secret manquant" not in message
    assert message.count("secret client de l'application PISTE") == 1
    assert message.count("identifiant du compte technique") == 1
    assert "chorus-tui config test" in message
    assert "« chorus-tui config »" not in message


def test_offline_check_blocks(capsys):
    status, reports = run_json(capsys, str(demo_file("FAC-2026-0006")))
    blocking = [entry["field"] for entry in reports[0]["checks"] if entry["level"] == "blocking"]
    assert status == 1
    assert blocking == ["recipient_siret"]


def test_offline_text_report(capsys):
    status = check.run(parse("--today", TODAY, str(demo_file("FAC-2026-0001"))))
    out = capsys.readouterr().out
    assert status == 0
    assert "[ATTENTION] Contrôles dans l'annuaire Chorus Pro non faits" in out
    assert "Prête à déposer" not in out
    assert "Aucun point bloquant dans les contrôles hors ligne (1 avertissement)" in out


def test_no_file_without_demo_exits_two(capsys):
    assert check.run(parse()) == 2
    assert "Aucune facture à contrôler" in capsys.readouterr().err


def test_cli_entry_runs_check(capsys):
    from chorus_tui.cli import main

    status = main(["check", "--demo", "--json", "--today", TODAY, str(demo_file("FAC-2026-0001"))])
    report = json.loads(capsys.readouterr().out.splitlines()[0])
    assert status == 0
    assert report["invoice_number"] == "FAC-2026-0001"
    assert report["blocking"] is False


@pytest.fixture
def sandbox_server():
    """The simulator served over HTTP on 127.0.0.1, as `chorus-tui sandbox serve` does."""
    from chorus_tui.clock import SystemClock
    from chorus_tui.sandbox.server import serve

    server = serve(0, simulator=Simulator(SystemClock()), background=True)
    yield server
    server.shutdown()
    server.server_close()


def test_configured_profile_checks_against_its_environment(capsys, monkeypatch, sandbox_server):
    from chorus_tui.config import AppConfig, EnvironmentUrls, ProfileConfig, save_config
    from chorus_tui.chorus.settings import Environment
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER

    urls = EnvironmentUrls(token_url=sandbox_server.token_url, api_url=sandbox_server.base_url)
    profile = ProfileConfig(environment=Environment.QUALIFICATION, urls={Environment.QUALIFICATION: urls},
                            client_id="piste-app", technical_login=DEMO_SUPPLIER.technical_login,
                            supplier_structure_id=DEMO_SUPPLIER.id_structure_cpp, supplier_siret=DEMO_SUPPLIER.siret,
                            bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id)
    save_config(AppConfig(profiles={"default": profile}))
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_SECRET", "piste-secret")
    monkeypatch.setenv("CHORUS_TUI_TECH_PASSWORD", "tech-password")

    status, reports = run_json(capsys, str(demo_file("FAC-2026-0001")))
    assert status == 0
    messages = [entry["message"] for entry in reports[0]["checks"]]
    assert "Destinataire trouvé dans Chorus Pro : Commune de Beaurivage-sur-Orne (21151884000015)." in messages
    assert "Coordonnées bancaires : Compte courant Atelier Verdier." in messages
