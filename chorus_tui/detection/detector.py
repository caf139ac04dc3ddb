"""Combine the Factur-X XML, a source's structured fields and the free text into one Detection.

Trust order: Factur-X XML, then structured source fields (Pennylane's
`purchase_order_reference`, for instance), then free text. When two sources
give different values, the more trusted one is kept and a warning names
both values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chorus_tui.detection import freetext
from chorus_tui.detection.siret import is_valid_siret, normalise_siren, normalise_siret
from chorus_tui.domain import Detection, SiretCandidate
from chorus_tui.i18n import Message
from chorus_tui.sources.facturx import FacturxData

FACTURX = "facturx"
SOURCE = "source"
TEXT = "text"
LABEL = "label"

# The pseudo-service Chorus Pro keeps for invoices between public entities;
# a supplier invoice sent to it is not routed to any real service.
GENERIC_SERVICE_CODE = "FACTURES_PUBLIQUES"

# ISO 6523 schemes under which a buyer's SIRET appears in Factur-X: 0009 is
# SIRET, 0002 is SIREN (many generators put a SIRET there anyway), 0224 is
# the Chorus Pro routing code that carries the service code.
SIRET_SCHEMES = frozenset({"0009", "0002", None})
SERVICE_SCHEME = "0224"

_SCORE_FACTURX = 100
_SCORE_SOURCE = 90
_SCORE_LABEL_RECIPIENT = 80
_SCORE_LABEL = 70
_SCORE_UNLABELLED = 30
# A SIRET in the customer block or on the customer's line gets the larger bonus, one in the
# few lines above a customer label the smaller one, so either beats a SIRET printed elsewhere.
_BONUS_CUSTOMER_BLOCK = 10
_BONUS_ABOVE_CUSTOMER_LABEL = 5
# The reason of a SIRET found in the text, and the one it takes when it sits by the customer.
_NEAR_CUSTOMER_REASONS = {
    "detect.reason_label_recipient": "detect.reason_label_near_customer",
    "detect.reason_label": "detect.reason_label_near_customer",
    "detect.reason_unlabelled": "detect.reason_unlabelled_near_customer",
}
_PENALTY_CHECKSUM = 25
_SCORE_EXCLUDED = -100

_PRIVATE_PERSON_PREFIXES = ("m. ", "mr ", "mme ", "mlle ", "monsieur ", "madame ", "mademoiselle ")


@dataclass
class ChorusFields:
    """Chorus Pro data a source gives in structured fields (trusted more than free text)."""

    recipient_siret: str | None = None
    service_code: str | None = None
    engagement_number: str | None = None
    contract_number: str | None = None


def detect_chorus_data(
    text: str,
    *,
    facturx: FacturxData | None = None,
    structured: ChorusFields | None = None,
    supplier_sirets: Iterable[str] = (),
    customer_name: str | None = None,
) -> Detection:
    """Find the recipient SIRET, service code, engagement and contract numbers and the mandataire.

    `text` must already be cleaned (`chorus_tui.sources.text.clean_text`).
    `supplier_sirets` are the user's own SIRETs or SIRENs: they are never
    proposed as the recipient.
    """
    detection = Detection()
    labelled = freetext.find_labelled_values(text)
    party_reasons = _detect_parties(detection, labelled)

    excluded = _ExcludedIdentifiers.build(text, facturx, supplier_sirets, party_reasons)
    candidates, printed_at = _collect_candidates(detection, text, labelled, facturx, structured)
    _score_candidates(candidates, excluded, text, printed_at, customer_name)
    _rank_candidates(detection, candidates)
    _detect_recipient_kind(detection, text, facturx, customer_name)

    by_field: dict[str, list[tuple[str, str]]] = {
        freetext.SERVICE_CODE: [],
        freetext.ENGAGEMENT_NUMBER: [],
        freetext.CONTRACT_NUMBER: [],
    }
    if facturx is not None:
        _append(by_field[freetext.SERVICE_CODE], FACTURX, facturx.buyer_reference)
        for identifier in facturx.buyer_identifiers:
            if identifier.scheme == SERVICE_SCHEME:
                _append(by_field[freetext.SERVICE_CODE], FACTURX, identifier.value)
        _append(by_field[freetext.ENGAGEMENT_NUMBER], FACTURX, facturx.order_reference)
        _append(by_field[freetext.CONTRACT_NUMBER], FACTURX, facturx.contract_reference)
    if structured is not None:
        _append(by_field[freetext.SERVICE_CODE], SOURCE, structured.service_code)
        _append(by_field[freetext.ENGAGEMENT_NUMBER], SOURCE, structured.engagement_number)
        _append(by_field[freetext.CONTRACT_NUMBER], SOURCE, structured.contract_number)
    for item in labelled:
        if item.field in by_field:
            _append(by_field[item.field], TEXT, item.value)

    for field, values in by_field.items():
        _choose_value(detection, field, values)
    return detection


def _append(values: list[tuple[str, str]], source: str, value: str | None) -> None:
    if value and value.strip():
        values.append((source, value.strip()))


def _choose_value(detection: Detection, field: str, values: list[tuple[str, str]]) -> None:
    if field == freetext.SERVICE_CODE:
        generic = [value for _, value in values if value.upper() == GENERIC_SERVICE_CODE]
        if generic:
            detection.warnings.append(Message("detect.generic_service", {"code": generic[0]}))
        values = [(source, value) for source, value in values if value.upper() != GENERIC_SERVICE_CODE]
    if not values:
        return
    source, kept = values[0]
    setattr(detection, field, kept)
    detection.sources[field] = source
    reported: set[str] = set()
    for _, other in values[1:]:
        if other.casefold() == kept.casefold() or other.casefold() in reported:
            continue
        reported.add(other.casefold())
        detection.warnings.append(
            Message(f"detect.disagree_{field}", {"kept": kept, "other": other})
        )


def _detect_parties(detection: Detection, labelled: list[freetext.LabelledValue]) -> dict[str, str]:
    """Set the subcontracting flag and the mandataire, and return the SIRETs of the parties that are not the recipient.

    The returned dict maps each mandataire's or main contractor's SIRET to
    the key of the reason that sets it aside as a recipient. A main
    contractor ("Titulaire du marché") becomes the mandataire only on a
    subcontractor's invoice, because on other invoices it is usually the
    supplier itself. "Sous-traitant" alone does not set the flag, because a
    main contractor's invoice may name its own subcontractors.
    """
    phrases: set[str] = set()
    mandataire = main_contractor = None
    for item in labelled:
        if item.field in freetext.PHRASE_FIELDS:
            phrases.add(item.field)
        elif item.field == freetext.MANDATAIRE and mandataire is None:
            mandataire = item
        elif item.field == freetext.MAIN_CONTRACTOR and main_contractor is None:
            main_contractor = item
    detection.subcontracting = freetext.SUBCONTRACTING in phrases or {
        freetext.SUBCONTRACTOR,
        freetext.DIRECT_PAYMENT,
    } <= phrases

    party = main_contractor if detection.subcontracting and main_contractor is not None else mandataire
    if party is not None:
        _set_mandataire(detection, party)

    reasons: dict[str, str] = {}
    for item, reason in ((main_contractor, "detect.reason_main_contractor"), (mandataire, "detect.reason_mandataire")):
        siret = normalise_siret(item.value) if item is not None and item.value else None
        if siret:
            reasons[siret] = reason
    return reasons


def _set_mandataire(detection: Detection, item: freetext.LabelledValue) -> None:
    detection.mandataire_name = item.name
    if not item.value:
        return
    siret = normalise_siret(item.value)
    if siret is None:
        detection.warnings.append(Message("detect.mandataire_siret_length", {"value": item.value}))
        return
    detection.mandataire_siret = siret
    if not is_valid_siret(siret):
        detection.warnings.append(Message("detect.mandataire_siret_checksum", {"siret": siret}))


@dataclass
class _ExcludedIdentifiers:
    """SIRETs and SIRENs that belong to the supplier, with where each was learnt."""

    param_sirets: set[str]
    param_sirens: set[str]
    xml_sirens: set[str]
    footer_sirens: set[str]
    letterhead_sirens: set[str]
    party_reasons: dict[str, str]  # SIRET of a mandataire or main contractor -> reason key

    @classmethod
    def build(
        cls, text: str, facturx: FacturxData | None, supplier_sirets: Iterable[str], party_reasons: dict[str, str]
    ) -> _ExcludedIdentifiers:
        param_sirets: set[str] = set()
        param_sirens: set[str] = set()
        for value in supplier_sirets:
            siret = normalise_siret(value)
            if siret:
                param_sirets.add(siret)
                param_sirens.add(siret[:9])
            siren = normalise_siren(value)
            if siren:
                param_sirens.add(siren)
        xml_sirens: set[str] = set()
        if facturx is not None:
            for identifier in facturx.seller_identifiers:
                siret = normalise_siret(identifier.value)
                siren = normalise_siren(identifier.value)
                if siret or siren:
                    xml_sirens.add((siret or siren)[:9])
        return cls(
            param_sirets,
            param_sirens,
            xml_sirens,
            freetext.find_legal_sirens(text),
            freetext.find_letterhead_sirens(text),
            party_reasons,
        )

    def reason_for(self, candidate: SiretCandidate) -> Message | None:
        siren = candidate.siret[:9]
        if candidate.siret in self.param_sirets or siren in self.param_sirens:
            return Message("detect.reason_supplier", {"siret": candidate.siret})
        if siren in self.xml_sirens:
            return Message("detect.reason_supplier_xml", {"siret": candidate.siret})
        if candidate.siret in self.party_reasons:
            return Message(self.party_reasons[candidate.siret], {"siret": candidate.siret})
        # The XML and the source's fields state the buyer explicitly; a layout guess must not overrule them.
        if candidate.source in (FACTURX, SOURCE):
            return None
        if siren in self.footer_sirens:
            return Message("detect.reason_supplier_footer", {"siret": candidate.siret})
        # The letterhead is only a guess at the supplier's identity. When the supplier's own
        # SIRETs are known and this one is not among them, a header SIRET can be the customer's.
        if siren in self.letterhead_sirens and not self.param_sirens:
            return Message("detect.reason_supplier_letterhead", {"siret": candidate.siret})
        return None


def _collect_candidates(
    detection: Detection,
    text: str,
    labelled: list[freetext.LabelledValue],
    facturx: FacturxData | None,
    structured: ChorusFields | None,
) -> tuple[list[SiretCandidate], dict[str, int]]:
    """Return the candidates in order of discovery, and the offset in `text` of each one read from the text."""
    candidates: list[SiretCandidate] = []
    printed_at: dict[str, int] = {}
    seen: set[str] = set()

    def add(siret: str, source: str, score: int, reason: Message) -> None:
        if siret in seen:
            return
        seen.add(siret)
        candidates.append(SiretCandidate(siret, source, score, reason, checksum_valid=is_valid_siret(siret)))

    def add_from_text(siret: str, source: str, score: int, reason: Message, position: int) -> None:
        if siret not in seen:
            printed_at[siret] = position
        add(siret, source, score, reason)

    if facturx is not None:
        for identifier in facturx.buyer_identifiers:
            if identifier.scheme not in SIRET_SCHEMES:
                continue
            siret = normalise_siret(identifier.value)
            if siret:
                add(siret, FACTURX, _SCORE_FACTURX, Message("detect.reason_facturx", {"scheme": identifier.scheme or "-"}))
            elif normalise_siren(identifier.value):
                detection.warnings.append(Message("detect.buyer_siren_only", {"siren": identifier.value}))
    if structured is not None and structured.recipient_siret:
        siret = normalise_siret(structured.recipient_siret)
        if siret:
            add(siret, SOURCE, _SCORE_SOURCE, Message("detect.reason_source"))
        else:
            detection.warnings.append(Message("detect.siret_length", {"value": structured.recipient_siret}))
    for item in labelled:
        if item.field != freetext.SIRET:
            continue
        siret = normalise_siret(item.value)
        if siret is None:
            detection.warnings.append(Message("detect.siret_length", {"value": item.value}))
        elif item.recipient_qualified:
            reason = Message("detect.reason_label_recipient", {"label": item.label})
            add_from_text(siret, LABEL, _SCORE_LABEL_RECIPIENT, reason, item.start)
        else:
            add_from_text(siret, LABEL, _SCORE_LABEL, Message("detect.reason_label", {"label": item.label}), item.start)
    for mention in freetext.find_siret_mentions(text):
        if mention.siret in seen or freetext.is_bank_line(mention.line):
            continue
        if is_valid_siret(mention.siret) or freetext.is_legal_line(mention.line):
            add_from_text(mention.siret, TEXT, _SCORE_UNLABELLED, Message("detect.reason_unlabelled"), mention.start)
    return candidates, printed_at


def _score_candidates(
    candidates: list[SiretCandidate],
    excluded: _ExcludedIdentifiers,
    text: str,
    printed_at: dict[str, int],
    customer_name: str | None,
) -> None:
    """Set aside the supplier's and the parties' SIRETs, and raise those printed by the customer's label or name.

    The customer's side is looked for only for the SIRETs that stay, because
    the supplier's own SIRET is on most invoices.
    """
    for candidate in candidates:
        exclusion = excluded.reason_for(candidate)
        if exclusion is not None:
            candidate.score = _SCORE_EXCLUDED
            candidate.reason = exclusion
            continue
        position = printed_at.get(candidate.siret)
        near = freetext.find_customer_mention(text, position, customer_name) if position is not None else None
        if near is not None:
            candidate.score += _BONUS_CUSTOMER_BLOCK if near.in_block else _BONUS_ABOVE_CUSTOMER_LABEL
            reason = candidate.reason
            candidate.reason = Message(_NEAR_CUSTOMER_REASONS[reason.key], {**reason.params, "near": near.text})
        if not candidate.checksum_valid:
            candidate.score -= _PENALTY_CHECKSUM


def _rank_candidates(detection: Detection, candidates: list[SiretCandidate]) -> None:
    candidates.sort(key=lambda candidate: candidate.score, reverse=True)
    detection.candidates = candidates

    eligible = [candidate for candidate in candidates if candidate.score > 0]
    if not eligible:
        if candidates:
            detection.warnings.append(Message("detect.only_supplier_siret"))
        return
    chosen = eligible[0]
    detection.recipient_siret = chosen.siret
    # Detection.sources names three origins; a labelled and an unlabelled SIRET both come from the text.
    detection.sources["recipient_siret"] = chosen.source if chosen.source in (FACTURX, SOURCE) else TEXT
    if not chosen.checksum_valid:
        detection.warnings.append(Message("detect.siret_checksum", {"siret": chosen.siret}))
    for other in eligible[1:]:
        if other.source in (FACTURX, SOURCE, LABEL) and other.siret != chosen.siret:
            detection.warnings.append(
                Message("detect.disagree_recipient_siret", {"kept": chosen.siret, "other": other.siret})
            )


def _detect_recipient_kind(
    detection: Detection, text: str, facturx: FacturxData | None, customer_name: str | None
) -> None:
    country = None
    if facturx is not None and facturx.buyer_country and facturx.buyer_country.upper() != "FR":
        country = facturx.buyer_country.upper()
    vat_number = (facturx.buyer_vat_number if facturx is not None else None) or freetext.find_customer_vat_number(text)
    if country is None and vat_number and not vat_number.upper().startswith("FR"):
        country = vat_number[:2].upper()
    if country is None and (facturx is None or not facturx.buyer_country):
        country = freetext.find_customer_country(text)
    if country is not None:
        detection.recipient_kind = "foreign"
        detection.warnings.append(Message("detect.recipient_foreign", {"country": country}))
        if detection.sources.get("recipient_siret") == TEXT and detection.candidates[0].source == TEXT:
            detection.recipient_siret = None  # an unlabelled number is no reason to force a SIRET
            detection.sources.pop("recipient_siret", None)
        return
    name = (customer_name or (facturx.buyer_name if facturx is not None else None) or "").strip().lower()
    if detection.recipient_siret is None and name.startswith(_PRIVATE_PERSON_PREFIXES):
        detection.recipient_kind = "private"
        detection.warnings.append(Message("detect.recipient_private", {"name": customer_name or name}))
        return
    if detection.recipient_siret is None and not any(
        warning.key == "detect.only_supplier_siret" for warning in detection.warnings
    ):
        detection.warnings.append(Message("detect.no_recipient_siret"))
