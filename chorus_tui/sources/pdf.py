"""Read what detection needs from a PDF: its text, its embedded Factur-X XML, size and SHA-256.

pypdfium2 does both jobs. Measured on the four FNFE Factur-X samples
(about 90 KB, one page each; shared 2-core AMD EPYC machine, best of 5
runs): extracting the XML took about 0.3 ms with pypdfium2 against about
1 ms with `facturx.get_xml_from_pdf(check_xsd=False)`, and pypdf's
`extract_text` was about 5 times slower than PDFium's text page. PDFium is
not thread-safe, so every call into it runs under `_PDFIUM_LOCK`.

The calls go to PDFium's C functions through `pypdfium2.raw`, the same ones
that pypdfium2's `PdfDocument`, `PdfPage` and `PdfTextPage` make. On the
1,000 invoices of benchmarks/detection.py this saved about 0.09 ms per file
(pypdfium2 5.15.2), because the helper objects register a finalizer and a
parent link for every document, page and text page. Every handle opened
here is closed in a `finally` block instead.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from chorus_tui.i18n import Message
from chorus_tui.sources.text import clean_text

log = logging.getLogger(__name__)

_PDFIUM_LOCK = threading.Lock()

# Attachment names used by Factur-X, ZUGFeRD 2 and XRechnung for the invoice XML.
FACTURX_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "zugferd_invoice.xml")
_CII_ROOT_MARKER = b"CrossIndustryInvoice"


class PdfReadError(Exception):
    """Error for a file that cannot be read as a PDF; `message` gives the reason in the user's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


@dataclass
class PdfContent:
    """Text, embedded invoice XML, size and SHA-256 of one PDF file."""

    text: str  # cleaned with clean_text, pages separated by an empty line
    facturx_xml: bytes | None
    facturx_xml_name: str | None
    page_count: int
    file_size: int
    file_sha256: str


def read_pdf(path: Path) -> PdfContent:
    """Read `path` and return its text and embedded invoice XML.

    Raises PdfReadError for a missing, empty, encrypted or non-PDF file.
    """
    return read_pdf_bytes(read_file_bytes(path), name=str(path))


def read_file_bytes(path: Path) -> bytes:
    """Return the content of `path`; raise PdfReadError naming the file if it cannot be read."""
    try:
        return _read_whole_file(path)
    except FileNotFoundError:
        raise PdfReadError(Message("sources.file_not_found", {"file": str(path)})) from None
    except IsADirectoryError:
        raise PdfReadError(Message("sources.not_a_pdf", {"file": str(path)})) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise PdfReadError(Message("sources.file_unreadable", {"file": str(path), "error": reason})) from None


def _read_whole_file(path: Path) -> bytes:
    """Return the bytes of `path`, as `Path.read_bytes()` does, with fewer Python objects.

    `Path.read_bytes()` builds a FileIO and a BufferedReader for each file.
    Reading through the file descriptor took about 6 µs per benchmark invoice
    instead of 12 (41 KiB, Python 3.11). Reading goes on until the end of the
    file, in case it grew since `fstat` or a read returns fewer bytes.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        expected = os.fstat(descriptor).st_size
        chunks = [os.read(descriptor, expected + 1)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, max(expected, 65536)))
    finally:
        os.close(descriptor)
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)


def read_pdf_bytes(data: bytes, *, name: str) -> PdfContent:
    """Read a PDF held in memory; `name` only appears in messages."""
    if not data:
        raise PdfReadError(Message("sources.file_empty", {"file": name}))
    if b"%PDF-" not in data[:1024]:
        raise PdfReadError(Message("sources.not_a_pdf", {"file": name}))
    # Hashed before PDFium reads the file, while `data` is still in the CPU caches after being
    # read from disk: this took about 27 µs per benchmark invoice instead of 44 after PDFium.
    file_sha256 = hashlib.sha256(data).hexdigest()

    import pypdfium2  # initialises PDFium on first import
    import pypdfium2.raw as pdfium_raw

    with _PDFIUM_LOCK:
        # `data` stays referenced until the document is closed, as PDFium reads from it.
        document = pdfium_raw.FPDF_LoadMemDocument64(data, len(data), None)
        try:
            if not document or pdfium_raw.FPDF_GetPageCount(document) < 1:
                raise PdfReadError(_open_error_message(pdfium_raw.FPDF_GetLastError(), name))
            try:
                text = _extract_text(document)
                xml_name, xml = _extract_invoice_xml(document)
                page_count = pdfium_raw.FPDF_GetPageCount(document)
            except pypdfium2.PdfiumError as error:
                log.warning("PDFium failed while reading %s: %s", name, error)
                raise PdfReadError(Message("sources.pdf_damaged", {"file": name})) from None
        finally:
            if document:
                pdfium_raw.FPDF_CloseDocument(document)

    return PdfContent(
        text=text,
        facturx_xml=xml,
        facturx_xml_name=xml_name,
        page_count=page_count,
        file_size=len(data),
        file_sha256=file_sha256,
    )


def _open_error_message(error_code: int, name: str) -> Message:
    import pypdfium2.raw as pdfium_raw

    if error_code in (pdfium_raw.FPDF_ERR_PASSWORD, pdfium_raw.FPDF_ERR_SECURITY):
        return Message("sources.pdf_encrypted", {"file": name})
    return Message("sources.pdf_damaged", {"file": name})


def _extract_text(document) -> str:
    return clean_text("\n\n".join(_page_texts(document)))


def _page_texts(document) -> list[str]:
    """Return the raw text of each page, as PDFium extracts it.

    `document` is a raw FPDF_DOCUMENT handle. Each page's text is read
    within its bounding box and decoded from UTF-16 with undecodable units
    dropped, as `PdfTextPage.get_text_bounded()` does.
    """
    from pypdfium2 import PdfiumError
    import pypdfium2.raw as pdfium_raw

    pages = []
    box = pdfium_raw.FS_RECTF()
    for index in range(pdfium_raw.FPDF_GetPageCount(document)):
        page = pdfium_raw.FPDF_LoadPage(document, index)
        if not page:
            raise PdfiumError(f"Failed to load page {index}.")
        try:
            text_page = pdfium_raw.FPDFText_LoadPage(page)
            if not text_page:
                raise PdfiumError(f"Failed to load the text of page {index}.")
            try:
                if not pdfium_raw.FPDF_GetPageBoundingBox(page, box):
                    raise PdfiumError(f"Failed to get the bounding box of page {index}.")
                pages.append(_bounded_text(text_page, box))
            finally:
                pdfium_raw.FPDFText_ClosePage(text_page)
        finally:
            pdfium_raw.FPDF_ClosePage(page)
    return pages


# Room for the line breaks that bounded text adds between lines, beyond the page's
# character count, and for the terminating NUL.
_TEXT_MARGIN = 256


# ctypes creates a new array type, about 8 µs (Python 3.11), for each length it has not seen,
# and keeps it for the life of the process. Text buffer lengths are rounded up to a multiple of
# this, so reading many files creates a few types only. NOTE: attachment buffers keep their
# exact size, because FPDFAttachment_GetFile (pypdfium2 5.15.2) left a larger buffer empty.
_BUFFER_STEP = 4096


def _rounded_up(length: int) -> int:
    return -(-length // _BUFFER_STEP) * _BUFFER_STEP


def _bounded_text(text_page, box) -> str:
    """Return the text of `text_page` inside `box`, as `PdfTextPage.get_text_bounded()` does.

    pypdfium2 calls FPDFText_GetBoundedText twice, first for the length,
    and PDFium gathers the text on each call. One call into a buffer sized
    from the page's character count gathers it once, and saved about 0.02
    ms per page on the benchmark invoices. PDFium then copies the
    terminating NUL too, which is dropped here. A text that fills the
    buffer may be cut, so it is read again the two-call way.
    """
    import pypdfium2.raw as pdfium_raw

    bounds = (text_page, box.left, box.top, box.right, box.bottom)
    capacity = _rounded_up(pdfium_raw.FPDFText_CountChars(text_page) + _TEXT_MARGIN)
    buffer = (ctypes.c_ushort * capacity)()
    unit_count = pdfium_raw.FPDFText_GetBoundedText(*bounds, buffer, capacity)
    if unit_count >= capacity:
        unit_count = pdfium_raw.FPDFText_GetBoundedText(*bounds, None, 0)
        buffer = (ctypes.c_ushort * unit_count)()
        pdfium_raw.FPDFText_GetBoundedText(*bounds, buffer, unit_count)
    elif unit_count > 0 and buffer[unit_count - 1] == 0:
        unit_count -= 1
    if unit_count <= 0:
        return ""
    return ctypes.string_at(buffer, 2 * unit_count).decode("utf-16-le", errors="ignore")


def _extract_invoice_xml(document) -> tuple[str | None, bytes | None]:
    """Return the name and bytes of the embedded invoice XML, or (None, None).

    A file named as Factur-X prescribes wins; otherwise any XML attachment
    whose root is a CII CrossIndustryInvoice is taken.
    """
    from pypdfium2 import PdfiumError
    import pypdfium2.raw as pdfium_raw

    fallback: tuple[str | None, bytes | None] = (None, None)
    for index in range(pdfium_raw.FPDFDoc_GetAttachmentCount(document)):
        attachment = pdfium_raw.FPDFDoc_GetAttachment(document, index)
        if not attachment:
            raise PdfiumError(f"Failed to get attachment at index {index}.")
        name = _attachment_name(attachment) or ""
        if not name.lower().endswith(".xml"):
            continue
        try:
            content = _attachment_data(attachment)
        except Exception as error:  # PDFium reports a broken stream in several ways
            log.warning("cannot read attachment %r: %s", name, error)
            continue
        if name.lower() in FACTURX_XML_NAMES:
            return name, content
        if fallback[1] is None and _CII_ROOT_MARKER in content[:2048]:
            fallback = (name, content)
    return fallback


def _attachment_name(attachment) -> str:
    from pypdfium2 import PdfiumError
    import pypdfium2.raw as pdfium_raw

    byte_count = pdfium_raw.FPDFAttachment_GetName(attachment, None, 0)
    if not byte_count:
        raise PdfiumError("Failed to get attachment name.")
    unit_count = -(byte_count // -2)  # UTF-16 units, rounded up
    buffer = (pdfium_raw.FPDF_WCHAR * unit_count)()
    pdfium_raw.FPDFAttachment_GetName(attachment, buffer, byte_count)
    return bytes(buffer)[: 2 * (unit_count - 1)].decode("utf-16-le")  # without the final NUL


def _attachment_data(attachment) -> bytes:
    from pypdfium2 import PdfiumError
    import pypdfium2.raw as pdfium_raw

    size = ctypes.c_ulong()
    pdfium_raw.FPDFAttachment_GetFile(attachment, None, 0, size)
    if not size.value:
        raise PdfiumError("Failed to extract attachment (no data).")
    buffer = (ctypes.c_char * size.value)()
    written = ctypes.c_ulong()
    if not pdfium_raw.FPDFAttachment_GetFile(attachment, buffer, size.value, written):
        raise PdfiumError("Failed to extract attachment (error status).")
    if written.value > size.value:
        raise PdfiumError(f"Failed to extract attachment (expected {size.value} bytes, got {written.value}).")
    return bytes(buffer)
