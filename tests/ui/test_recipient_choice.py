"""Choosing among the recipient SIRETs that detection found in an invoice, by keyboard, in the deposit form."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from chorus_tui import i18n
from chorus_tui.domain import SiretCandidate
from chorus_tui.i18n import Message
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.sources.folder import FolderSource
from chorus_tui.ui.widgets.siret_candidates import SiretCandidateList, candidate_reason
from tests.detection.builders import write_pdf
from tests.ui.conftest import make_rig, rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

# The rectorate pays; the high school where the work took place prints its SIRET without a label.
CANDIDATES_INVOICE = "FAC-2026-0014"
RECTORATE = "18594069900019"
HIGH_SCHOOL = "19799229069576"
# One eligible SIRET, plus the supplier's (legal footer) and the mandataire's, which are never offered.
ONE_CANDIDATE_INVOICE = "FAC-2026-0009"

pytestmark = pytest.mark.usefixtures("french")


def candidate_lines(chooser: SiretCandidateList) -> list[str]:
    return [str(chooser.get_option_at_index(index).prompt) for index in range(chooser.option_count)]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_pick_second_candidate_and_deposit(rig, size):
    async with rig.app.run_test(size=size) as pilot:
        await settle(pilot)
        form = await open_form(pilot, CANDIDATES_INVOICE)
        siret_field = form.query_one("#recipient_siret", Input)
        note = form.query_one("#note-recipient_siret", Static)
        chooser = form.query_one("#recipient-candidates", SiretCandidateList)

        # Best first, each with the reason for its rank and its directory name; the best is the default.
        assert form.query_one("#row-recipient-candidates").display
        assert form.query_one("#form-body").region.contains_region(chooser.region)
        assert chooser.region.height == chooser.virtual_size.height  # every line shown, none scrolled away
        lines = candidate_lines(chooser)
        assert len(lines) == 2
        assert lines[0].startswith(f"● {RECTORATE} · Rectorat de l'académie de Montclair")
        assert "Mention « siret » près de « Client »" in lines[0]
        assert lines[1].startswith(f"○ {HIGH_SCHOOL} · Lycée polyvalent des Quatre-Vents")
        assert "Numéro à 14 chiffres sans libellé dans le texte" in lines[1]
        assert DEMO_SUPPLIER.siret not in " ".join(lines)
        assert siret_field.value == RECTORATE
        assert rendered(note) == "Rectorat de l'académie de Montclair"
        assert rendered(form.query_one("#label-service_code", Static)).endswith("¹")
        assert form.query_one("#service_code-select", Select).value == "DAF"

        # Tab from the SIRET field to the list, Down to the second line, Enter picks it.
        assert siret_field.has_focus
        await pilot.press("tab")
        assert chooser.has_focus
        await pilot.press("down", "enter")
        await settle(pilot)

        assert siret_field.value == HIGH_SCHOOL
        assert rendered(note) == "Lycée polyvalent des Quatre-Vents"
        assert form.recipient_name == "Lycée polyvalent des Quatre-Vents"
        lines = candidate_lines(chooser)
        assert lines[0].startswith(f"○ {RECTORATE}")
        assert lines[1].startswith(f"● {HIGH_SCHOOL}")
        # The high school requires nothing and offers no service of its own, so DAF is now unknown there.
        assert rendered(form.query_one("#label-service_code", Static)) == "Service"
        assert not form.query_one("#form-legend", Static).display
        service_field = form.query_one("#service_code", Input)
        assert service_field.display
        assert service_field.value == "DAF"
        service_error = form.query_one("#error-service_code", Static)
        assert service_error.display
        assert service_error.has_class("blocking")
        assert "DAF" in rendered(service_error)
        assert rendered(form.query_one("#form-status", Static)) == f"{HIGH_SCHOOL} choisi : 1 point bloquant."
        assert rig.simulator.invoices() == []

        # Empty the service, then deposit: Chorus Pro receives the chosen SIRET.
        service_field.focus()
        await pilot.press("end", *["backspace"] * 3, "ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert confirmation.summary.recipient_siret == HIGH_SCHOOL
        assert confirmation.summary.recipient_name == "Lycée polyvalent des Quatre-Vents"
        await pilot.press("enter")
        await settle(pilot)
        assert [invoice.recipient_siret for invoice in rig.simulator.invoices()] == [HIGH_SCHOOL]


async def test_typed_siret_marks_its_candidate(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, CANDIDATES_INVOICE)
        chooser = form.query_one("#recipient-candidates", SiretCandidateList)

        # A SIRET typed by hand that is not one of the candidates marks no line.
        await pilot.press("end", *["backspace"] * 14, *"21170753455688")
        await settle(pilot)
        assert form.query_one("#recipient_siret", Input).value == "21170753455688"
        assert all(line.startswith("○") for line in candidate_lines(chooser))
        assert rendered(form.query_one("#note-recipient_siret", Static)) == "Commune de Valmorin"

        # Typing a candidate's SIRET marks its line, as if it had been picked.
        await pilot.press(*["backspace"] * 14, *HIGH_SCHOOL)
        await settle(pilot)
        assert candidate_lines(chooser)[1].startswith(f"● {HIGH_SCHOOL}")
        assert rendered(form.query_one("#note-recipient_siret", Static)) == "Lycée polyvalent des Quatre-Vents"


async def test_one_candidate_shows_no_chooser(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, ONE_CANDIDATE_INVOICE)
        assert not form.query_one("#row-recipient-candidates").display
        assert form.query_one("#recipient-candidates", SiretCandidateList).option_count == 0
        assert form.query_one("#recipient_siret", Input).value == "24491452900015"

        # Tab goes from the SIRET field straight on to the next field.
        await pilot.press("tab")
        assert not form.query_one("#recipient-candidates", SiretCandidateList).has_focus


def test_candidate_reason_names_invalid_check_digit():
    candidate = SiretCandidate("19973091200012", "label", 45, Message("detect.reason_label", {"label": "SIRET "}),
                               checksum_valid=False)
    assert candidate_reason(candidate) == "Mention « SIRET » dans le texte · clé de contrôle invalide"
    i18n.set_language("en")
    try:
        assert candidate_reason(candidate).endswith("· invalid check digit")
    finally:
        i18n.set_language("fr")


UNKNOWN_SIRET = "21313131100051"  # a valid SIRET that no structure of the simulator's directory has


async def test_pick_unknown_candidate_clears_recipient(tmp_path):
    folder = tmp_path / "invoices"
    folder.mkdir()
    write_pdf(folder / "FAC-2026-0950.pdf", [
        "FACTURE N° FAC-2026-0950",
        "Date : 12/03/2026",
        "Client : Commune de Beaurivage-sur-Orne",
        "SIRET du destinataire : 21151884000015",
        "Service : ST",
        f"Livraison : entrepôt communal, SIRET {UNKNOWN_SIRET}",
        "Total HT : 100,00 €",
        "TVA 20 % : 20,00 €",
        "Total TTC : 120,00 €",
    ])
    rig = make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0950")
        chooser = form.query_one("#recipient-candidates", SiretCandidateList)
        lines = candidate_lines(chooser)
        assert lines[0].startswith("● 21151884000015 · Commune de Beaurivage-sur-Orne")
        assert "Mention « SIRET du destinataire » près de « Client »" in lines[0]
        assert lines[1].startswith(f"○ {UNKNOWN_SIRET} · absent de l'annuaire Chorus Pro")
        assert rendered(form.query_one("#label-service_code", Static)).endswith("*")

        chooser.focus()
        await pilot.press("down", "enter")
        await settle(pilot)

        # Nothing of Beaurivage stays: not its name, its required service mark or its service list.
        assert form.query_one("#recipient_siret", Input).value == UNKNOWN_SIRET
        assert rendered(form.query_one("#note-recipient_siret", Static)) == "introuvable dans l'annuaire Chorus Pro"
        assert form.recipient_name is None
        assert rendered(form.query_one("#label-service_code", Static)) == "Service"
        assert not form.query_one("#service_code-select", Select).display
        assert form.query_one("#service_code", Input).value == "ST"
        recipient_error = form.query_one("#error-recipient_siret", Static)
        assert recipient_error.display
        assert recipient_error.has_class("blocking")
        assert UNKNOWN_SIRET in rendered(recipient_error)
