"""Generate the demo invoice PDFs shipped in chorus_tui/sources/demo_invoices/.

Run from the repository root with the development dependencies installed:

    .venv/bin/python scripts/make_demo_invoices.py

Each invoice is addressed to a structure of the simulator's directory
(chorus_tui/sandbox/directory.py) and together they cover the cases the
demo mode shows: service code required, engagement number required, both,
neither, a Factur-X file, a SIRET with a wrong check digit, no Chorus Pro
data at all, a credit note, a mandataire, a VAT exemption, large amounts
and Chorus Pro labels laid out as a table. The PDFs use the Helvetica core
font with the windows-1252 encoding, so no font file is needed.

Plain PDFs come out byte-identical on every run; the Factur-X one does not,
because the factur-x library stamps the current time in its metadata.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import facturx
from fpdf import FPDF
from stdnum.fr import siren as stdnum_siren

from chorus_tui.detection.siret import format_siret
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES_BY_SIRET, Structure
from chorus_tui.sources.cii import CiiInvoice, CiiLine, CiiParty, build_cii_xml
from chorus_tui.sources.folder import demo_invoice_folder

SUPPLIER = DEMO_SUPPLIER
SUPPLIER_SIREN = SUPPLIER.siret[:9]
SUPPLIER_VAT = "FR" + stdnum_siren.to_tva(SUPPLIER_SIREN)
BANK = SUPPLIER.bank_accounts[0]
# A fixed creation date keeps the generated files identical from one run to the next.
CREATION_DATE = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)

# An invented co-contractor of the demo supplier (checksum-valid SIRET).
MANDATAIRE_NAME = "Constructions Armor SAS"
MANDATAIRE_SIRET = "53241877900015"


@dataclass
class Line:
    label: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal = Decimal("20")

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass
class DemoInvoice:
    file_name: str
    number: str
    issue_date: date
    recipient_siret: str  # the SIRET of a directory structure
    lines: list[Line]
    printed_siret: str | None = None  # what the invoice prints, when it differs (typo case)
    chorus_block: list[tuple[str, str]] = field(default_factory=list)  # (label, value) lines
    chorus_table: list[tuple[str, str]] = field(default_factory=list)  # header/value columns
    credit_note_of: str | None = None
    exemption: str | None = None
    facturx: dict | None = None  # buyer_reference, order_reference, contract_reference
    note: str | None = None

    @property
    def structure(self) -> Structure:
        return STRUCTURES_BY_SIRET[self.recipient_siret]


def money(value: Decimal) -> str:
    """Format like French invoices do: "1 234,56 €"."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €"


def percent(rate: Decimal) -> str:
    text = f"{rate.normalize():f}".replace(".", ",")
    return f"{text} %"


def vat_summary(lines: list[Line]) -> list[tuple[Decimal, Decimal, Decimal]]:
    groups: dict[Decimal, Decimal] = {}
    for line in lines:
        groups[line.vat_rate] = groups.get(line.vat_rate, Decimal("0")) + line.total
    return [(rate, base, (base * rate / 100).quantize(Decimal("0.01"))) for rate, base in sorted(groups.items())]


def siret(value: str) -> str:
    return format_siret(value)


def d(text: str) -> Decimal:
    return Decimal(text)


def demo_invoices() -> list[DemoInvoice]:
    """Return the demo set; each entry's comment names the case it shows."""
    return [
        # Service code required (Commune de Beaurivage-sur-Orne).
        DemoInvoice(
            "FAC-2026-0001_beaurivage.pdf", "FAC-2026-0001", date(2026, 1, 14), "21151884000015",
            [Line("Entretien annuel de la chaudière de la salle des fêtes", d("1"), d("480.00")),
             Line("Remplacement du circulateur", d("1"), d("265.50"))],
            chorus_block=[("SIRET", siret("21151884000015")), ("Service", "ST")],
        ),
        # Engagement number required (Commune de Lussac-les-Pins).
        DemoInvoice(
            "FAC-2026-0002_lussac.pdf", "FAC-2026-0002", date(2026, 2, 3), "21716897084691",
            [Line("Vérification des extincteurs (lot de 24)", d("24"), d("18.50"))],
            chorus_block=[("SIRET", siret("21716897084691")), ("N° engagement", "BC-2026-0412")],
        ),
        # Neither service nor engagement required (Commune de Valmorin).
        DemoInvoice(
            "FAC-2026-0003_valmorin.pdf", "FAC-2026-0003", date(2026, 2, 20), "21170753455688",
            [Line("Dépannage de l'éclairage du gymnase", d("3"), d("65.00")),
             Line("Fourniture de tubes LED", d("12"), d("14.90"))],
            chorus_block=[("SIRET", siret("21170753455688"))],
        ),
        # Service code and engagement number both required (Commune d'Aubrac-le-Vieux), with a contract.
        DemoInvoice(
            "FAC-2026-0004_aubrac.pdf", "FAC-2026-0004", date(2026, 3, 12), "21672731377843",
            [Line("Réfection de la toiture du préau - acompte", d("1"), d("3200.00"))],
            chorus_block=[("SIRET", siret("21672731377843")), ("Service", "TRAVAUX"),
                          ("N° engagement", "AUB-2026-017"), ("N° marché", "MAPA-2026-03")],
        ),
        # Factur-X EN16931 (Département du Haut-Vallon): the data comes from the embedded XML.
        DemoInvoice(
            "FAC-2026-0005_haut-vallon_facturx.pdf", "FAC-2026-0005", date(2026, 4, 7), "22778768604576",
            [Line("Maintenance des barrières de péage du pont", d("2"), d("1150.00")),
             Line("Déplacement", d("1"), d("90.00"))],
            chorus_block=[("SIRET", siret("22778768604576")), ("Service", "ROUTES"), ("N° marché", "HV-2025-118")],
            facturx={"buyer_reference": "ROUTES", "contract_reference": "HV-2025-118"},
        ),
        # The SIRET printed has a wrong check digit (Université de Montclair, real SIRET ends in 11).
        DemoInvoice(
            "FAC-2026-0006_universite-montclair.pdf", "FAC-2026-0006", date(2026, 5, 5), "19973091200011",
            [Line("Maintenance de la climatisation de la salle serveurs", d("1"), d("1340.00"))],
            printed_siret="19973091200012",
            chorus_block=[("SIRET", siret("19973091200012")), ("Service", "DSI")],
        ),
        # No Chorus Pro data at all (EHPAD public Les Tilleuls).
        DemoInvoice(
            "FAC-2026-0007_ehpad-tilleuls.pdf", "FAC-2026-0007", date(2026, 5, 28), "26500875575176",
            [Line("Réparation de la porte automatique du hall", d("1"), d("612.00"))],
        ),
        # Credit note cancelling part of FAC-2026-0003 (Commune de Valmorin).
        DemoInvoice(
            "FAC-2026-0008_valmorin_avoir.pdf", "FAC-2026-0008", date(2026, 6, 10), "21170753455688",
            [Line("Tubes LED non posés, repris", d("4"), d("14.90"))],
            chorus_block=[("SIRET", siret("21170753455688"))],
            credit_note_of="FAC-2026-0003",
        ),
        # Co-contracting: a mandataire line (Métropole de Montclair).
        DemoInvoice(
            "FAC-2026-0009_metropole-montclair.pdf", "FAC-2026-0009", date(2026, 7, 2), "24491452900015",
            [Line("Maintenance des feux tricolores - lot 2", d("1"), d("2750.00"))],
            chorus_block=[("SIRET", siret("24491452900015")), ("Service", "VOIRIE"),
                          ("N° marché", "MM-2025-204"),
                          ("Mandataire", f"{MANDATAIRE_NAME} - SIRET {siret(MANDATAIRE_SIRET)}")],
            note="Groupement momentané d'entreprises : paiement sur le compte du mandataire.",
        ),
        # VAT exemption: vocational training (Université de la Côte-d'Ambre).
        DemoInvoice(
            "FAC-2026-0010_universite-cote-ambre.pdf", "FAC-2026-0010", date(2026, 8, 26), "19931860100010",
            [Line("Formation habilitation électrique BR (2 jours, 6 stagiaires)", d("6"), d("390.00"), d("0"))],
            chorus_block=[("SIRET", siret("19931860100010")), ("Code service", "SERVICE_FACTURIER")],
            exemption="Exonération de TVA, article 261-4-4° a du CGI (formation professionnelle continue)",
        ),
        # Large amounts printed as "12 345,60 €" (State ministry, existing engagement).
        DemoInvoice(
            "FAC-2026-0011_ministere.pdf", "FAC-2026-0011", date(2026, 9, 15), "11822264561642",
            [Line("Maintenance préventive des ascenseurs - 2e trimestre", d("1"), d("9200.00")),
             Line("Remplacement des câbles de l'ascenseur B", d("1"), d("5088.00"))],
            chorus_block=[("SIRET", siret("11822264561642")), ("Engagement juridique", "1300045127")],
        ),
        # Chorus Pro labels laid out as a table, in an unusual order (DRFIP: service and engagement).
        DemoInvoice(
            "FAC-2026-0012_drfip.pdf", "FAC-2026-0012", date(2026, 10, 8), "11252477264729",
            [Line("Réfection de la toiture - situation n° 1", d("1"), d("18000.00"))],
            chorus_table=[("N° engagement", "2100093210"), ("Service exécutant", "DRFIP_IMMO"),
                          ("N° marché", "DRFIP-2026-07"), ("SIRET destinataire", siret("11252477264729"))],
        ),
        # Label variants: no colon, SIRET with dots, value on the next line (Préfecture du Haut-Vallon).
        DemoInvoice(
            "FAC-2026-0013_prefecture.pdf", "FAC-2026-0013", date(2026, 11, 3), "11587718541330",
            [Line("Fournitures de bureau (ramettes, classeurs)", d("1"), d("742.80"))],
            chorus_block=[("Siret du destinataire", "115.877.185.41330"), ("Numéro d'engagement juridique", "\n1300067001")],
        ),
        # Service code or engagement accepted (Rectorat): "Nº EJ" and lower-case labels. The high school
        # where the work took place prints its own SIRET without a label, a second recipient candidate.
        DemoInvoice(
            "FAC-2026-0014_rectorat.pdf", "FAC-2026-0014", date(2026, 11, 24), "18594069900019",
            [Line("Intervention sur le réseau informatique du lycée des Quatre-Vents", d("2"), d("450.00"))],
            chorus_block=[("siret", "18594069900019"), ("code service", "DAF"), ("Nº EJ", "1300081234")],
            note="Lieu d'intervention : Lycée polyvalent des Quatre-Vents (19799229069576), Port-Joliet.",
        ),
    ]


class InvoicePdf(FPDF):
    def footer(self) -> None:
        self.set_y(-22)
        self.set_font("Helvetica", size=7)
        self.set_text_color(90, 90, 90)
        self.multi_cell(
            0, 3.5,
            f"{SUPPLIER.designation} au capital de 20 000 € - SIRET {siret(SUPPLIER.siret)} - "
            f"RCS Orléans {SUPPLIER_SIREN[0:3]} {SUPPLIER_SIREN[3:6]} {SUPPLIER_SIREN[6:9]} - APE 3312Z\n"
            f"TVA intracommunautaire {SUPPLIER_VAT} - {SUPPLIER.address}, {SUPPLIER.postal_code} {SUPPLIER.city}",
            align="C",
        )
        self.set_text_color(0, 0, 0)


def render_pdf(invoice: DemoInvoice) -> bytes:
    structure = invoice.structure
    is_credit_note = invoice.credit_note_of is not None
    sign = Decimal("-1") if is_credit_note else Decimal("1")

    pdf = InvoicePdf(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_title(f"{'Avoir' if is_credit_note else 'Facture'} {invoice.number}")
    pdf.set_author(SUPPLIER.designation)
    pdf.set_auto_page_break(True, margin=28)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 7, SUPPLIER.designation, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for text in (SUPPLIER.address, f"{SUPPLIER.postal_code} {SUPPLIER.city}", SUPPLIER.email):
        pdf.cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 16)
    title = "AVOIR" if is_credit_note else "FACTURE"
    pdf.cell(0, 9, f"{title} N° {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 5, f"Date : {invoice.issue_date:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    if is_credit_note:
        pdf.cell(0, 5, f"Facture d'origine : {invoice.credit_note_of}", new_x="LMARGIN", new_y="NEXT")
    else:
        due = invoice.issue_date + timedelta(days=30)
        pdf.cell(0, 5, f"Échéance : {due:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    pdf.set_x(90)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 5, "Client", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for text in (structure.designation, structure.address, f"{structure.postal_code} {structure.city}"):
        pdf.set_x(90)
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    if invoice.chorus_block:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 5, "Références Chorus Pro", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for label, value in invoice.chorus_block:
            if value.startswith("\n"):
                pdf.cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
                pdf.cell(0, 5, value.strip(), new_x="LMARGIN", new_y="NEXT")
            elif label in ("Siret du destinataire",):
                pdf.cell(0, 5, f"{label} {value}", new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.cell(0, 5, f"{label} : {value}", new_x="LMARGIN", new_y="NEXT")
    if invoice.chorus_table:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 9)
        width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(invoice.chorus_table)
        with pdf.table(col_widths=[width] * len(invoice.chorus_table), text_align="LEFT", line_height=6) as table:
            header = table.row()
            for label, _ in invoice.chorus_table:
                header.cell(label)
            values = table.row()
            for _, value in invoice.chorus_table:
                values.cell(value)
        pdf.set_font("Helvetica", size=10)

    pdf.ln(6)
    _lines_table(pdf, invoice, sign)
    _totals(pdf, invoice, sign)

    pdf.ln(6)
    pdf.set_font("Helvetica", size=9)
    if invoice.exemption:
        pdf.multi_cell(0, 4.5, invoice.exemption, new_x="LMARGIN", new_y="NEXT")
    if invoice.note:
        pdf.multi_cell(0, 4.5, invoice.note, new_x="LMARGIN", new_y="NEXT")
    if not is_credit_note:
        pdf.multi_cell(
            0, 4.5,
            "Conditions de paiement : virement à 30 jours. Pas d'escompte pour paiement anticipé. "
            "Pénalités de retard : trois fois le taux d'intérêt légal ; indemnité forfaitaire "
            "pour frais de recouvrement : 40 €.",
            new_x="LMARGIN", new_y="NEXT",
        )
        iban = " ".join(BANK.iban[index : index + 4] for index in range(0, len(BANK.iban), 4))
        pdf.cell(0, 4.5, f"IBAN : {iban} - BIC : {BANK.bic}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _lines_table(pdf: FPDF, invoice: DemoInvoice, sign: Decimal) -> None:
    pdf.set_font("Helvetica", size=9)
    with pdf.table(col_widths=(90, 15, 30, 15, 30), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                   line_height=6) as table:
        header = table.row()
        for title in ("Désignation", "Qté", "Prix unitaire HT", "TVA", "Montant HT"):
            header.cell(title)
        for line in invoice.lines:
            row = table.row()
            row.cell(line.label)
            row.cell(f"{line.quantity.normalize():f}")
            row.cell(money(line.unit_price))
            row.cell(percent(line.vat_rate))
            row.cell(money(sign * line.total))


def _totals(pdf: FPDF, invoice: DemoInvoice, sign: Decimal) -> None:
    summary = vat_summary(invoice.lines)
    total_ht = sum((base for _, base, _ in summary), Decimal("0"))
    total_vat = sum((vat for _, _, vat in summary), Decimal("0"))
    rows: list[tuple[str, Decimal, bool]] = [("Total HT", total_ht, False)]
    for rate, base, vat in summary:
        if rate:
            rows.append((f"TVA {percent(rate)} sur {money(sign * base)}", vat, False))
    rows.append(("Total TVA", total_vat, False))
    rows.append(("Total TTC", total_ht + total_vat, True))
    rows.append(("Montant à déduire" if sign < 0 else "Net à payer", total_ht + total_vat, True))
    pdf.ln(4)
    for label, amount, bold in rows:
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.set_x(95)
        pdf.cell(65, 6, label)
        pdf.cell(35, 6, money(sign * amount), align="R", new_x="LMARGIN", new_y="NEXT")


def facturx_xml(invoice: DemoInvoice) -> bytes:
    structure = invoice.structure
    options = invoice.facturx or {}
    cii = CiiInvoice(
        number=invoice.number,
        issue_date=invoice.issue_date,
        # Chorus Pro finds the supplier of a flow by the SIRET of its structure, not by the SIREN.
        seller=CiiParty(SUPPLIER.designation, SUPPLIER.siret, "0009", postcode=SUPPLIER.postal_code,
                        street=SUPPLIER.address, city=SUPPLIER.city, vat_number=SUPPLIER_VAT),
        buyer=CiiParty(structure.designation, invoice.printed_siret or structure.siret, "0009",
                       postcode=structure.postal_code, street=structure.address, city=structure.city),
        lines=[CiiLine(line.label, line.quantity, line.unit_price, line.vat_rate) for line in invoice.lines],
        buyer_reference=options.get("buyer_reference"),
        order_reference=options.get("order_reference"),
        contract_reference=options.get("contract_reference"),
        due_date=invoice.issue_date + timedelta(days=30),
        iban=BANK.iban,
    )
    return build_cii_xml(cii, "en16931")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the demo invoice PDFs.")
    parser.add_argument("--output", type=Path, default=demo_invoice_folder(), help="output folder")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    for invoice in demo_invoices():
        data = render_pdf(invoice)
        if invoice.facturx is not None:
            data = facturx.generate_from_binary(
                data, facturx_xml(invoice), check_xsd=True, check_schematron=False,
                pdf_metadata={"author": SUPPLIER.designation, "keywords": "Factur-X",
                              "title": f"Facture {invoice.number}", "subject": f"Facture {invoice.number}"},
                lang="fr-FR",
            )
        (args.output / invoice.file_name).write_bytes(data)
        print(args.output / invoice.file_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
