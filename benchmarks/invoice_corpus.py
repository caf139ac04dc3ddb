"""Generate a folder of invoice PDFs shaped like the ones suppliers' invoicing tools produce.

Each file has a logo image and a header set in an embedded TrueType font
(DejaVu Sans when the system has it, else the Helvetica core font). Then come
a customer block and Chorus Pro references in one of the label variants the
demo invoices use. The lines table, totals and payment terms are set in
Helvetica, and the table runs over two or three pages for one file in ten.
One file in five is a Factur-X EN16931 PDF. The invoice data and the
Factur-X XML come from scripts/make_demo_invoices.py.
"""

from __future__ import annotations

import io
import os
import random
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import facturx
from fpdf import FPDF

from chorus_tui.sandbox.directory import STRUCTURES
from scripts.make_demo_invoices import (
    BANK,
    SUPPLIER,
    SUPPLIER_SIREN,
    SUPPLIER_VAT,
    DemoInvoice,
    Line,
    _lines_table,
    _totals,
    facturx_xml,
    siret,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LINE_LABELS = (
    "Maintenance préventive de la chaudière", "Remplacement du circulateur", "Fourniture de tubes LED",
    "Vérification des extincteurs", "Déplacement du technicien", "Main-d'œuvre (heure)",
    "Réfection de l'étanchéité de la toiture", "Contrôle annuel des ascenseurs", "Pièces détachées",
    "Nettoyage des gouttières", "Dépannage de l'éclairage public", "Installation d'un tableau électrique",
)
VAT_RATES = (Decimal("20"), Decimal("20"), Decimal("20"), Decimal("10"), Decimal("5.5"))


def logo_png(seed: int = 0) -> bytes:
    """Return a 600×180 PNG logo (about 30 KB) drawn with Pillow."""
    from PIL import Image, ImageDraw

    generator = random.Random(seed)
    image = Image.new("RGB", (600, 180), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for x in range(600):
        shade = 80 + x * 150 // 600
        draw.line([(x, 0), (x, 40)], fill=(20, shade // 2, shade))
    for _ in range(60):
        x, y = generator.randrange(600), generator.randrange(40, 180)
        radius = generator.randrange(4, 30)
        colour = (generator.randrange(256), generator.randrange(256), generator.randrange(256))
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=colour, width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def random_invoice(index: int, generator: random.Random) -> DemoInvoice:
    """Return invoice number `index` addressed to a random directory structure."""
    structure = generator.choice([s for s in STRUCTURES if s.active])

    if generator.random() < 0.1:
        line_count = generator.randint(25, 70)
    else:
        line_count = generator.randint(1, 8)
    lines = [
        Line(generator.choice(LINE_LABELS), Decimal(generator.randint(1, 30)),
             Decimal(generator.randint(500, 250000)) / 100, generator.choice(VAT_RATES))
        for _ in range(line_count)
    ]

    block: list[tuple[str, str]] = []
    if generator.random() < 0.9:
        block.append((generator.choice(("SIRET", "SIRET destinataire", "Siret du client")), siret(structure.siret)))
    active_services = [service for service in structure.services if service.active]
    if active_services and generator.random() < 0.8:
        block.append((generator.choice(("Service", "Code service", "Service exécutant")),
                      generator.choice(active_services).code))
    if structure.engagements and generator.random() < 0.8:
        block.append((generator.choice(("N° engagement", "Engagement juridique", "N° EJ")),
                      generator.choice(structure.engagements).number))
    elif generator.random() < 0.3:
        block.append(("N° bon de commande", f"BC-2026-{generator.randint(100, 999)}"))

    issue_date = date(2026, 1, 1) + timedelta(days=generator.randrange(330))
    facturx_options = None
    if generator.random() < 0.2:
        service = next((value for label, value in block if "ervice" in label), None)
        facturx_options = {"buyer_reference": service}
    return DemoInvoice(
        f"FAC-2026-{index:05d}.pdf", f"FAC-2026-{index:05d}", issue_date, structure.siret, lines,
        chorus_block=block, facturx=facturx_options,
    )


class _CorpusPdf(FPDF):
    font_family_name = "Helvetica"

    def footer(self) -> None:
        self.set_y(-20)
        self.set_font(self.font_family_name, size=7)
        self.multi_cell(
            0, 3.5,
            f"{SUPPLIER.designation} - SIRET {siret(SUPPLIER.siret)} - TVA {SUPPLIER_VAT} - "
            f"RCS Orléans {SUPPLIER_SIREN} - Page {self.page_no()}/{{nb}}",
            align="C",
        )


def render_invoice(invoice: DemoInvoice, logo: bytes) -> bytes:
    """Render `invoice` as PDF bytes, Factur-X when `invoice.facturx` is set."""
    pdf = _CorpusPdf(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    if (FONT_DIR / "DejaVuSans.ttf").exists():
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.font_family_name = "DejaVu"
    font = pdf.font_family_name
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.image(io.BytesIO(logo), x=10, y=8, w=60)
    pdf.set_xy(110, 10)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 6, SUPPLIER.designation, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=9)
    for text in (SUPPLIER.address, f"{SUPPLIER.postal_code} {SUPPLIER.city}", SUPPLIER.email):
        pdf.set_x(110)
        pdf.cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")

    structure = invoice.structure
    pdf.set_y(45)
    pdf.set_font(font, "B", 16)
    pdf.cell(0, 9, f"FACTURE N° {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    pdf.cell(0, 5, f"Date : {invoice.issue_date:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Échéance : {invoice.issue_date + timedelta(days=30):%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=9)
    for text in ("Client", structure.designation, structure.address, f"{structure.postal_code} {structure.city}"):
        pdf.set_x(110)
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    if invoice.chorus_block:
        pdf.ln(3)
        pdf.set_font(font, "B", 10)
        pdf.cell(0, 5, "Références Chorus Pro", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=10)
        for label, value in invoice.chorus_block:
            pdf.cell(0, 5, f"{label} : {value}", new_x="LMARGIN", new_y="NEXT")

    # The lines table and totals use the demo invoices' helpers, so they are set in Helvetica.
    pdf.ln(5)
    _lines_table(pdf, invoice, Decimal("1"))
    _totals(pdf, invoice, Decimal("1"))
    pdf.set_font(font, size=9)
    pdf.ln(5)
    pdf.multi_cell(
        0, 4.5,
        "Conditions de paiement : virement à 30 jours. Pénalités de retard : trois fois le taux d'intérêt "
        "légal ; indemnité forfaitaire pour frais de recouvrement : 40 €.",
        new_x="LMARGIN", new_y="NEXT",
    )
    pdf.cell(0, 4.5, f"IBAN : {BANK.iban} - BIC : {BANK.bic}", new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    if invoice.facturx is not None:
        data = facturx.generate_from_binary(data, facturx_xml(invoice), check_xsd=False, lang="fr-FR")
    return data


def write_corpus(folder: Path, count: int, *, seed: int = 1, workers: int | None = None) -> list[Path]:
    """Write `count` invoice PDFs into `folder` and return their paths.

    fpdf2 spends most of about 0.1 s per file subsetting the TrueType font,
    so the files are rendered by one process per CPU.
    """
    generator = random.Random(seed)
    invoices = [random_invoice(index, generator) for index in range(1, count + 1)]
    logo = logo_png(seed)
    workers = workers or os.cpu_count() or 1
    chunks = [invoices[start::workers] for start in range(workers)]
    if workers == 1 or count < 20:
        _write_invoices(folder, invoices, logo)
    else:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_write_invoices, [folder] * workers, chunks, [logo] * workers))
    return [folder / invoice.file_name for invoice in invoices]


def _write_invoices(folder: Path, invoices: list[DemoInvoice], logo: bytes) -> None:
    for invoice in invoices:
        (folder / invoice.file_name).write_bytes(render_invoice(invoice, logo))
