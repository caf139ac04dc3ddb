"""Attachment rules of Chorus Pro's `transverses/v1/ajouter/fichier`.

A name of at most 50 characters including a mandatory extension, an extension from a
fixed list, at most 10 MB per file, at most 120 MB for the invoice and its attachments
together, and no empty file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from chorus_tui.domain import CheckResult, DepositRoute
from chorus_tui.i18n import Message
from chorus_tui.validation.display import FileSize
from chorus_tui.validation.results import blocking, passed

NAME_MAX_LENGTH = 50
# NOTE: the published limits are "10 MB" and "120 MB", with no byte count. The decimal reading
# (10^6 bytes) is the stricter one, so it is the one enforced here.
FILE_MAX_BYTES = 10 * 1000 * 1000
TOTAL_MAX_BYTES = 120 * 1000 * 1000

# Extensions Chorus Pro accepts for attachments (its published list, plus XSD and XSL that
# some clients also send), compared in upper case.
ALLOWED_EXTENSIONS = frozenset({
    "BMP", "BZ2", "CSV", "DOC", "DOCX", "FAX", "GIF", "GZ", "GZIP", "HTM", "HTML", "JPEG", "JPG",
    "ODP", "ODS", "ODT", "P7S", "PDF", "PNG", "PPS", "PPT", "PPTX", "RTF", "SVG", "TGZ", "TIF",
    "TIFF", "TXT", "XHTML", "XLC", "XLM", "XLS", "XLSX", "XML", "XSD", "XSL", "ZIP",
})

FIELD = "attachment_path"


def shorten_file_name(name: str, max_length: int = NAME_MAX_LENGTH) -> str:
    """Cut the stem of `name` so that the whole name fits `max_length`, keeping the extension."""
    if len(name) <= max_length:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return name[:max_length]
    room = max_length - len(extension) - 1
    return f"{stem[:room].rstrip(' ._-')}.{extension}"


def check_attachment_name(name: str) -> list[CheckResult]:
    results: list[CheckResult] = []
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension:
        results.append(blocking(FIELD, "attachment_no_extension", name=name))
    elif extension.upper() not in ALLOWED_EXTENSIONS:
        results.append(blocking(FIELD, "attachment_extension", name=name, extension=extension,
                                allowed=", ".join(sorted(ALLOWED_EXTENSIONS))))
    if len(name) > NAME_MAX_LENGTH:
        results.append(blocking(FIELD, "attachment_name_too_long", name=name, length=len(name),
                                maximum=NAME_MAX_LENGTH, proposal=shorten_file_name(name)))
    return results


def check_attachments(paths: Sequence[Path], *, check_names: bool = True) -> list[CheckResult]:
    """Check each file's name, extension and size, then the total size.

    `check_names=False` skips the name rules, which belong to the attachment upload and
    not to a flow deposit (`deposer/flux`), whose file name limit is not documented.
    """
    results: list[CheckResult] = []
    total = 0
    for path in paths:
        file_results = check_attachment_name(path.name) if check_names else []
        try:
            size = path.stat().st_size
        except OSError as error:
            results.extend(file_results)
            results.append(blocking(FIELD, "attachment_unreadable", name=path.name, error=_os_error_reason(error)))
            continue
        total += size
        if size == 0:
            file_results.append(blocking(FIELD, "attachment_empty", name=path.name))
        elif size > FILE_MAX_BYTES:
            file_results.append(blocking(FIELD, "attachment_too_large", name=path.name, size=FileSize(size),
                                         maximum=FileSize(FILE_MAX_BYTES)))
        if not file_results:
            file_results.append(passed(FIELD, "attachment_ok", name=path.name, size=FileSize(size)))
        results.extend(file_results)
    if total > TOTAL_MAX_BYTES:
        results.append(blocking(FIELD, "attachments_total_too_large", size=FileSize(total),
                                maximum=FileSize(TOTAL_MAX_BYTES)))
    return results


def check_main_attachment(path: Path | None, route: DepositRoute) -> list[CheckResult]:
    """Check the invoice document itself: a PDF deposit needs a PDF, a flow needs its file."""
    if route is DepositRoute.DATA_ENTRY and path is None:
        return []
    if path is None:
        return [blocking(FIELD, "attachment_missing")]
    if route is DepositRoute.PDF and path.suffix.lower() != ".pdf":
        return [blocking(FIELD, "attachment_not_pdf", name=path.name)]
    return check_attachments([path], check_names=route is not DepositRoute.FLOW)


def _os_error_reason(error: OSError) -> Message:
    """Name why a file could not be read in the user's language; the OS's own text is English."""
    if isinstance(error, FileNotFoundError):
        return Message("checks.file_not_found")
    if isinstance(error, PermissionError):
        return Message("checks.file_permission_denied")
    if isinstance(error, IsADirectoryError):
        return Message("checks.file_is_directory")
    return Message("checks.file_os_error", {"errno": error.errno})
