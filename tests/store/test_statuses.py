"""Status table: every Chorus Pro code has a label, a colour and a category."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from chorus_tui import i18n
from chorus_tui.statuses import (
    CHORUS_STATUS_CODES,
    STATUSES,
    Category,
    category_of,
    codes_matching_label,
    is_polled,
    status_info,
    status_label,
)

THEME_VARIABLES = {"$success", "$warning", "$error", "$accent", "$secondary", "$primary", "$text-muted"}


def test_every_swagger_status_is_known(shared_dir):
    swagger = json.loads((shared_dir / "openapi" / "api-chorus-pro-factures.json").read_text(encoding="utf-8"))
    codes = swagger["definitions"]["WsRetourConsulterHistoriqueFacture"]["properties"]["statutCourantCode"]["enum"]
    assert len(codes) == 56
    assert sorted(set(codes) - CHORUS_STATUS_CODES) == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_status_has_a_label(lang):
    messages = i18n.catalogue(lang)
    missing = [code for code in STATUSES if f"statuses.code.{code}" not in messages]
    assert missing == []


def test_colours_are_theme_variables():
    assert {info.colour for info in STATUSES.values()} <= THEME_VARIABLES


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("A_DEPOSER", Category.TO_DEPOSIT),
        ("ENVOI_EN_COURS", Category.IN_PROGRESS),
        ("DEPOSEE", Category.IN_PROGRESS),
        ("MISE_A_DISPOSITION", Category.IN_PROGRESS),
        ("A_RECYCLER", Category.ACTION_REQUIRED),
        ("SUSPENDUE", Category.ACTION_REQUIRED),
        ("IN_REJETE", Category.ACTION_REQUIRED),
        ("IN_INCIDENTE", Category.ACTION_REQUIRED),
        ("MISE_EN_PAIEMENT", Category.PAID),
        ("REJETEE", Category.REJECTED),
        ("SUPPRIMEE", Category.FINISHED),
        ("ABANDONNEE", Category.FINISHED),
    ],
)
def test_category_of_main_statuses(code, category):
    assert category_of(code) is category


def test_french_labels_from_the_portal():
    assert status_label("DEPOSEE", "fr") == "Déposée"
    assert status_label("A_RECYCLER", "fr") == "À recycler"
    assert status_label("MISE_A_DISPOSITION", "fr") == "Mise à disposition du destinataire"
    assert status_label("A_DEPOSER", "fr") == "À déposer"
    assert status_label("DEPOSEE", "en") == "Deposited"


def test_unknown_code_shown_as_is():
    assert status_label("NOUVEAU_STATUT_2027") == "NOUVEAU_STATUT_2027"
    assert status_info("NOUVEAU_STATUT_2027").category is Category.IN_PROGRESS


def test_payment_not_reported_final_after_60_days():
    changed = datetime(2026, 1, 1, tzinfo=timezone.utc)
    early = changed + timedelta(days=59)
    late = changed + timedelta(days=60)
    assert category_of("MANDATEE", payment_not_reported=True, status_changed_at=changed, now=early) \
        is Category.IN_PROGRESS
    assert category_of("MANDATEE", payment_not_reported=True, status_changed_at=changed, now=late) \
        is Category.FINISHED
    assert category_of("MANDATEE", payment_not_reported=False, status_changed_at=changed, now=late) \
        is Category.IN_PROGRESS
    assert category_of("SERVICE_FAIT", payment_not_reported=True, status_changed_at=changed, now=late) \
        is Category.IN_PROGRESS


def test_is_polled_follows_action_statuses():
    assert is_polled("A_RECYCLER")
    assert is_polled("SUSPENDUE")
    assert is_polled("IN_RECU")
    assert is_polled("MANDATEE")
    assert not is_polled("MISE_EN_PAIEMENT")
    assert not is_polled("SUPPRIMEE")
    assert not is_polled("A_DEPOSER")
    assert not is_polled("IN_REJETE")


def test_is_polled_rejected_until_handled_and_replaced():
    assert is_polled("REJETEE")
    assert is_polled("REJETEE", rejection_handled=True)
    assert not is_polled("REJETEE", rejection_handled=True, replaced=True)


def test_label_search_ignores_accents_and_case():
    assert "A_RECYCLER" in codes_matching_label("a RECYCLER")
    assert "DEPOSEE" in codes_matching_label("déposée")
    assert codes_matching_label("   ") == set()
