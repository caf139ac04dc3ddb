"""The PDF reader's direct PDFium and file calls give what pypdfium2's helper objects and pathlib give."""

from __future__ import annotations

import random
from pathlib import Path

import pypdfium2
import pytest

from chorus_tui.sources import pdf
from chorus_tui.sources.text import clean_text

from .builders import make_pdf, sample_cii, write_facturx

DEMO_INVOICES = sorted((Path(pdf.__file__).parent / "demo_invoices").glob("*.pdf"))


def helper_page_texts(data: bytes) -> list[str]:
    """Extract each page's text through pypdfium2's PdfDocument, PdfPage and PdfTextPage."""
    document = pypdfium2.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            texts.append(text_page.get_text_bounded())
            text_page.close()
            page.close()
        return texts
    finally:
        document.close()


def helper_attachments(data: bytes) -> list[tuple[str, bytes]]:
    document = pypdfium2.PdfDocument(data)
    try:
        attachments = []
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            attachments.append((attachment.get_name(), bytes(attachment.get_data())))
        return attachments
    finally:
        document.close()


@pytest.mark.parametrize("path", DEMO_INVOICES, ids=lambda path: path.name)
def test_demo_invoice_text_matches_helpers(path):
    data = path.read_bytes()
    content = pdf.read_pdf_bytes(data, name=path.name)
    assert content.text == clean_text("\n\n".join(helper_page_texts(data)))
    assert content.page_count == len(helper_page_texts(data))


def test_three_pages_match_helpers():
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.set_font("Helvetica", size=10)
    for number in range(1, 4):
        document.add_page()
        document.cell(0, 6, f"Page {number} - SIRET 217 507 534 5568{number}")
    data = bytes(document.output())
    content = pdf.read_pdf_bytes(data, name="three.pdf")
    assert content.page_count == 3
    assert content.text == clean_text("\n\n".join(helper_page_texts(data)))
    assert "5568" + "3" in content.text


def test_page_without_text_gives_empty_text():
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_page()
    data = bytes(document.output())
    content = pdf.read_pdf_bytes(data, name="blank.pdf")
    assert content.page_count == 1
    assert content.text == ""


def test_facturx_attachment_matches_helpers(tmp_path):
    path = write_facturx(tmp_path / "fx.pdf", sample_cii(), "en16931")
    data = path.read_bytes()
    content = pdf.read_pdf_bytes(data, name=path.name)
    [(name, xml)] = [item for item in helper_attachments(data) if item[0].endswith(".xml")]
    assert content.facturx_xml_name == name
    assert content.facturx_xml == xml


def test_shared_samples_match_helpers(shared_dir):
    for path in sorted((shared_dir / "samples" / "factur-x").glob("*.pdf")):
        data = path.read_bytes()
        content = pdf.read_pdf_bytes(data, name=path.name)
        assert content.text == clean_text("\n\n".join(helper_page_texts(data))), path.name
        xml_attachments = [item for item in helper_attachments(data) if item[0].lower().endswith(".xml")]
        assert (content.facturx_xml_name, content.facturx_xml) == xml_attachments[0], path.name


def test_next_file_read_after_damaged_one():
    data = make_pdf(["Facture FAC-2026-0001"])
    with pytest.raises(pdf.PdfReadError) as raised:
        pdf.read_pdf_bytes(data[:300], name="cut.pdf")
    assert raised.value.message.key == "sources.pdf_damaged"
    # PDFium still reads the next file after the failure.
    assert "FAC-2026-0001" in pdf.read_pdf_bytes(data, name="whole.pdf").text


def reader_page_texts(data: bytes) -> list[str]:
    """Extract each page's raw text with the reader's own PDFium calls."""
    import pypdfium2.raw as pdfium_raw

    document = pdfium_raw.FPDF_LoadMemDocument64(data, len(data), None)
    try:
        return pdf._page_texts(document)
    finally:
        pdfium_raw.FPDF_CloseDocument(document)


def astral_pdf() -> bytes:
    """Return a PDF whose first line has three characters outside the Basic Multilingual Plane."""
    from fpdf import FPDF

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip(f"{font} is missing; it has the Old Italic letters this test prints")
    document = FPDF(format="A4")
    document.add_page()
    document.add_font("DejaVu", "", str(font))
    document.set_font("DejaVu", size=12)
    document.cell(0, 8, "Facture \U00010300\U00010301\U00010302 N° F-1", new_x="LMARGIN", new_y="NEXT")
    document.cell(0, 8, "SIRET 815 881 396 69879", new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


@pytest.mark.parametrize("path", DEMO_INVOICES[:4], ids=lambda path: path.name)
def test_raw_page_text_matches_helpers(path):
    data = path.read_bytes()

    assert reader_page_texts(data) == helper_page_texts(data)


def test_text_outside_basic_plane_read_whole():
    data = astral_pdf()

    texts = reader_page_texts(data)

    assert texts == helper_page_texts(data)
    assert texts[0].endswith("69879")
    assert "\U00010300\U00010301\U00010302" in texts[0]


def test_text_longer_than_buffer_read_again(monkeypatch):
    # Without its margin, the buffer cannot hold the line breaks and the NUL, so the text fills it.
    monkeypatch.setattr(pdf, "_TEXT_MARGIN", 0)
    for data in (astral_pdf(), DEMO_INVOICES[0].read_bytes()):
        assert reader_page_texts(data) == helper_page_texts(data)


@pytest.mark.parametrize("size", [0, 1, 4095, 65536, 65537, 300_000])
def test_whole_file_read_matches_read_bytes(tmp_path, size):
    path = tmp_path / "file.pdf"
    path.write_bytes(random.Random(size).randbytes(size))

    assert pdf._read_whole_file(path) == path.read_bytes()


def test_text_buffer_lengths_rounded_up():
    assert [pdf._rounded_up(length) for length in (1, 4096, 4097, 9000)] == [4096, 4096, 8192, 12288]
