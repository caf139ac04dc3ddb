"""The simulated directory: valid invented SIRETs and the variety of cases others test against."""

from __future__ import annotations

import importlib

from stdnum import iban
from stdnum.fr import siret

from chorus_tui.sandbox import directory
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, PUBLIC_INVOICES_SERVICE_CODE, STRUCTURES


def test_every_siret_passes_checksum():
    assert siret.is_valid(DEMO_SUPPLIER.siret)
    for structure in STRUCTURES:
        assert siret.is_valid(structure.siret), structure.designation


def test_identifiers_unique():
    sirets = [structure.siret for structure in STRUCTURES] + [DEMO_SUPPLIER.siret]
    ids = [structure.id_structure_cpp for structure in STRUCTURES] + [DEMO_SUPPLIER.id_structure_cpp]
    service_ids = [service.id for structure in STRUCTURES for service in structure.services]
    assert len(set(sirets)) == len(sirets)
    assert len(set(ids)) == len(ids)
    assert len(set(service_ids)) == len(service_ids)


def test_supplier_account_and_bank():
    assert DEMO_SUPPLIER.technical_login.startswith("TECH_1_")
    assert DEMO_SUPPLIER.technical_login.endswith("@cpro.fr")
    assert len(DEMO_SUPPLIER.bank_accounts) == 1
    assert iban.is_valid(DEMO_SUPPLIER.bank_accounts[0].iban)
    assert DEMO_SUPPLIER.technical_password_expiry.tzinfo is not None


def test_directory_covers_rule_combinations():
    public = [s for s in STRUCTURES if s.structure_type == "PUBLIQUE"]
    assert len(public) >= 30
    assert any(s.service_required and not s.engagement_required for s in public)
    assert any(s.engagement_required and not s.service_required for s in public)
    assert any(s.service_required and s.engagement_required for s in public)
    assert any(s.service_or_engagement for s in public)
    assert any(not (s.service_required or s.engagement_required or s.service_or_engagement) for s in public)
    assert any(s.payment_status_not_reported for s in public)
    assert any(not s.active for s in public)
    assert sum(s.structure_type == "PRIVEE" for s in STRUCTURES) >= 3


def test_directory_covers_service_cases():
    assert sum(len(s.services) > 10 for s in STRUCTURES) >= 3
    assert sum(s.service_by_code(PUBLIC_INVOICES_SERVICE_CODE) is not None for s in STRUCTURES) >= 3
    assert any(not service.active for s in STRUCTURES for service in s.services)
    assert any(service.engagement_required for s in STRUCTURES for service in s.services)


def test_state_structures_have_engagements():
    state = [s for s in STRUCTURES if s.is_state and s.active]
    assert len(state) >= 3
    for structure in state:
        assert structure.engagements, structure.designation
        for engagement in structure.engagements:
            assert engagement.supplier_id == DEMO_SUPPLIER.id_structure_cpp
            assert len(engagement.number) <= 50


def test_module_reload_is_side_effect_free(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    importlib.reload(directory)
    assert list(tmp_path.iterdir()) == []
