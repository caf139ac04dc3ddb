from chorus_tui.domain import CheckLevel
from chorus_tui.validation.attachments import (
    FILE_MAX_BYTES,
    TOTAL_MAX_BYTES,
    check_attachment_name,
    check_attachments,
    shorten_file_name,
)

LONG_NAME = "Bon_de_livraison_signe_Mairie_Exempleville_mars_2026.pdf"


def test_long_name_gets_shortened_proposal_keeping_extension():
    proposal = shorten_file_name(LONG_NAME)
    assert len(proposal) <= 50
    assert proposal.endswith(".pdf")
    assert proposal == "Bon_de_livraison_signe_Mairie_Exempleville_mar.pdf"


def test_name_of_56_characters_is_blocking_with_proposal():
    results = check_attachment_name(LONG_NAME)
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        f"Nom de pièce jointe trop long : « {LONG_NAME} » compte 56 caractères, extension comprise, pour 50 au plus. "
        "Renommez-la, par exemple « Bon_de_livraison_signe_Mairie_Exempleville_mar.pdf »."
    )


def test_heic_photo_is_blocking():
    results = check_attachment_name("photo_chantier.heic")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert str(results[0].message).startswith(
        "Pièce jointe « photo_chantier.heic » refusée : Chorus Pro n'accepte pas l'extension « heic »."
    )


def test_name_without_extension_is_blocking():
    results = check_attachment_name("devis")
    assert str(results[0].message) == (
        "Pièce jointe « devis » sans extension : Chorus Pro exige une extension (.pdf, .jpg…). Renommez le fichier."
    )


def test_upper_case_extension_is_accepted():
    assert check_attachment_name("FACTURE.PDF") == []


def test_empty_file_is_blocking(tmp_path):
    path = tmp_path / "vide.pdf"
    path.write_bytes(b"")
    results = check_attachments([path])
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Pièce jointe « vide.pdf » vide (0 octet) : Chorus Pro la refuserait. Choisissez le bon fichier."
    )


def test_file_of_10_mb_passes_and_one_byte_more_blocks(tmp_path):
    fits = tmp_path / "fits.pdf"
    with fits.open("wb") as handle:
        handle.truncate(FILE_MAX_BYTES)
    too_large = tmp_path / "large.pdf"
    with too_large.open("wb") as handle:
        handle.truncate(FILE_MAX_BYTES + 1)
    assert check_attachments([fits])[0].level is CheckLevel.PASS
    results = check_attachments([too_large])
    assert results[0].level is CheckLevel.BLOCKING
    assert str(results[0].message) == (
        "Pièce jointe « large.pdf » trop lourde : 10,00\u00a0Mo pour 10,00\u00a0Mo au plus par fichier. Compressez-la ou scindez-la."
    )


def test_total_above_120_mb_is_blocking(tmp_path):
    paths = []
    for index in range(13):
        path = tmp_path / f"annexe_{index}.pdf"
        with path.open("wb") as handle:
            handle.truncate(FILE_MAX_BYTES)
        paths.append(path)
    results = check_attachments(paths)
    assert 13 * FILE_MAX_BYTES > TOTAL_MAX_BYTES
    assert results[-1].level is CheckLevel.BLOCKING
    assert results[-1].field == "attachment_path"
    assert "130,00\u00a0Mo au total pour 120,00\u00a0Mo au plus" in str(results[-1].message)


def test_missing_file_is_blocking(tmp_path):
    results = check_attachments([tmp_path / "absente.pdf"])
    assert results[0].level is CheckLevel.BLOCKING
    assert "Pièce jointe « absente.pdf » illisible (fichier introuvable)" in str(results[0].message)
    assert "No such file" not in str(results[0].message)


def test_pdf_deposit_without_document_is_blocking():
    from chorus_tui.domain import DepositRoute
    from chorus_tui.validation.attachments import check_main_attachment

    results = check_main_attachment(None, DepositRoute.PDF)
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Facture sans document : un dépôt PDF ou en flux exige le fichier de la facture. Choisissez le fichier PDF, "
        "ou le dépôt par saisie."
    )
    assert check_main_attachment(None, DepositRoute.DATA_ENTRY) == []


def test_pdf_deposit_of_image_is_blocking(tmp_path):
    from chorus_tui.domain import DepositRoute
    from chorus_tui.validation.attachments import check_main_attachment

    scan = tmp_path / "facture.jpg"
    scan.write_bytes(b"\xff\xd8\xff")
    results = check_main_attachment(scan, DepositRoute.PDF)
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert results[0].message.key == "checks.attachment_not_pdf"


def test_flow_file_name_is_not_limited_to_50(tmp_path):
    from chorus_tui.domain import DepositRoute
    from chorus_tui.validation.attachments import check_main_attachment

    flow_file = tmp_path / ("F" * 60 + ".pdf")
    flow_file.write_bytes(b"%PDF-1.7")
    assert [result.level for result in check_main_attachment(flow_file, DepositRoute.FLOW)] == [CheckLevel.PASS]
    assert CheckLevel.BLOCKING in [result.level for result in check_main_attachment(flow_file, DepositRoute.PDF)]
