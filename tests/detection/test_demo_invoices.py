"""Every demo invoice shipped in the package, with the fields detection must find."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chorus_tui.domain import InvoiceKind
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES_BY_SIRET
from chorus_tui.sources import FolderSource, demo_invoice_folder, read_invoice

# file name: (number, recipient SIRET, service, engagement, contract, mandataire SIRET, TTC, warning keys)
EXPECTED = {
    "FAC-2026-0001_beaurivage.pdf": ("FAC-2026-0001", "21151884000015", "ST", None, None, None, "894.60", []),
    "FAC-2026-0002_lussac.pdf": ("FAC-2026-0002", "21716897084691", None, "BC-2026-0412", None, None, "532.80", []),
    "FAC-2026-0003_valmorin.pdf": ("FAC-2026-0003", "21170753455688", None, None, None, None, "448.56", []),
    "FAC-2026-0004_aubrac.pdf": (
        "FAC-2026-0004", "21672731377843", "TRAVAUX", "AUB-2026-017", "MAPA-2026-03", None, "3840.00", []),
    "FAC-2026-0005_haut-vallon_facturx.pdf": (
        "FAC-2026-0005", "22778768604576", "ROUTES", None, "HV-2025-118", None, "2868.00", []),
    "FAC-2026-0006_universite-montclair.pdf": (
        "FAC-2026-0006", "19973091200012", "DSI", None, None, None, "1608.00", ["detect.siret_checksum"]),
    "FAC-2026-0007_ehpad-tilleuls.pdf": (
        "FAC-2026-0007", None, None, None, None, None, "734.40", ["detect.only_supplier_siret"]),
    "FAC-2026-0008_valmorin_avoir.pdf": ("FAC-2026-0008", "21170753455688", None, None, None, None, "71.52", []),
    "FAC-2026-0009_metropole-montclair.pdf": (
        "FAC-2026-0009", "24491452900015", "VOIRIE", None, "MM-2025-204", "53241877900015", "3300.00", []),
    "FAC-2026-0010_universite-cote-ambre.pdf": (
        "FAC-2026-0010", "19931860100010", "SERVICE_FACTURIER", None, None, None, "2340.00", []),
    "FAC-2026-0011_ministere.pdf": ("FAC-2026-0011", "11822264561642", None, "1300045127", None, None, "17145.60", []),
    "FAC-2026-0012_drfip.pdf": (
        "FAC-2026-0012", "11252477264729", "DRFIP_IMMO", "2100093210", "DRFIP-2026-07", None, "21600.00", []),
    "FAC-2026-0013_prefecture.pdf": ("FAC-2026-0013", "11587718541330", None, "1300067001", None, None, "891.36", []),
    "FAC-2026-0014_rectorat.pdf": ("FAC-2026-0014", "18594069900019", "DAF", "1300081234", None, None, "1080.00", []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_invoice_fields(name):
    number, siret, service, engagement, contract, mandataire, ttc, warnings = EXPECTED[name]
    invoice = read_invoice(demo_invoice_folder() / name, supplier_sirets={DEMO_SUPPLIER.siret})
    detection = invoice.detection
    assert invoice.errors == []
    assert invoice.invoice_number == number
    assert detection.recipient_siret == siret
    assert detection.service_code == service
    assert detection.engagement_number == engagement
    assert detection.contract_number == contract
    assert detection.mandataire_siret == mandataire
    assert invoice.amounts.total_ttc == Decimal(ttc)
    assert [warning.key for warning in detection.warnings] == warnings


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_invoice_without_supplier_param(name):
    """The legal footer alone keeps the supplier's SIRET out of the recipient."""
    detection = read_invoice(demo_invoice_folder() / name).detection
    assert detection.recipient_siret != DEMO_SUPPLIER.siret
    assert detection.recipient_siret == EXPECTED[name][1]


def test_demo_customer_names_match_directory():
    for name, expected in EXPECTED.items():
        invoice = read_invoice(demo_invoice_folder() / name)
        siret = expected[1]
        if siret in STRUCTURES_BY_SIRET:
            assert invoice.customer_name == STRUCTURES_BY_SIRET[siret].designation, name


def test_demo_set_covers_cases():
    invoices = {invoice.source_key: invoice for invoice in FolderSource(demo_invoice_folder()).scan()}
    assert set(invoices) == set(EXPECTED)
    numbers = [invoice.invoice_number for invoice in invoices.values()]
    assert len(numbers) == len(set(numbers))
    assert all(date(2026, 1, 1) <= invoice.invoice_date <= date(2026, 12, 4) for invoice in invoices.values())

    facturx = invoices["FAC-2026-0005_haut-vallon_facturx.pdf"]
    assert facturx.facturx_profile == "en16931"
    assert facturx.detection.sources["service_code"] == "facturx"
    assert sum(invoice.is_facturx for invoice in invoices.values()) == 1

    credit_note = invoices["FAC-2026-0008_valmorin_avoir.pdf"]
    assert credit_note.kind == InvoiceKind.CREDIT_NOTE
    assert credit_note.original_invoice_number == "FAC-2026-0003"

    exempt = invoices["FAC-2026-0010_universite-cote-ambre.pdf"]
    assert exempt.amounts.total_vat == Decimal("0.00")
    assert exempt.amounts.vat_lines[0].exemption_reason.startswith("Exonération de TVA, article 261-4-4°")

    mandataire = invoices["FAC-2026-0009_metropole-montclair.pdf"]
    assert mandataire.detection.mandataire_name == "Constructions Armor SAS"


def test_demo_amounts_parsed():
    invoice = read_invoice(demo_invoice_folder() / "FAC-2026-0011_ministere.pdf")
    assert invoice.amounts.total_ht == Decimal("14288.00")
    assert invoice.amounts.total_vat == Decimal("2857.60")
    assert invoice.amounts.amount_due == Decimal("17145.60")
    assert invoice.invoice_date == date(2026, 9, 15)
    assert [(line.rate, line.base_ht, line.vat) for line in invoice.amounts.vat_lines] == [
        (Decimal("20"), Decimal("14288.00"), Decimal("2857.60"))
    ]


def test_demo_recipients_exist_in_directory():
    for name, expected in EXPECTED.items():
        siret = expected[1]
        if siret is not None and name != "FAC-2026-0006_universite-montclair.pdf":
            assert siret in STRUCTURES_BY_SIRET, name
