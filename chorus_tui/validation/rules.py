"""The recipient's own rules: service code, engagement number, and the service chosen.

A structure's parameters (`structures/v1/consulter`) set whether a deposit needs a service
code, an engagement number (EJ, sent as numeroBonCommande), either one or both; a service's
parameters (`consulter/service`) can require an engagement number for that service alone.
The chosen service must exist and be active, and the pseudo-service FACTURES_PUBLIQUES,
reserved for invoices between public entities, is never accepted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from chorus_tui.chorus.errors import ApiNotSubscribed, ChorusError
from chorus_tui.domain import CheckOption, CheckResult, DepositForm
from chorus_tui.validation.directory import Directory
from chorus_tui.validation.display import Day
from chorus_tui.validation.identifiers import normalise_siret
from chorus_tui.validation.results import blocking, passed, warning

logger = logging.getLogger(__name__)

PUBLIC_INVOICES_SERVICE_CODE = "FACTURES_PUBLIQUES"
SERVICE_FIELD = "service_code"
ENGAGEMENT_FIELD = "engagement_number"


def has_ended(service, today: date | None) -> bool:
    """Return True when the service's end date (dateFinService) is before `today`."""
    end = getattr(service, "end_date", None)
    return today is not None and end is not None and end < today


def offerable_services(services: Sequence, today: date | None = None) -> list:
    """Return the services a supplier may pick, sorted by code.

    Those are the active ones, without FACTURES_PUBLIQUES and, when `today` is given,
    without those whose end date has passed.
    """
    return sorted(
        (service for service in services
         if service.active and service.code != PUBLIC_INVOICES_SERVICE_CODE and not has_ended(service, today)),
        key=lambda service: service.code,
    )


def service_options(services: Sequence, today: date | None = None) -> list[CheckOption]:
    return [CheckOption(service.code, f"{service.code} – {service.label or service.code}")
            for service in offerable_services(services, today)]


def looks_like_state(siret: str) -> bool:
    """Guess whether a SIRET belongs to a State body, whose engagement numbers Chorus Pro checks.

    NOTE: the directory does not say which structures are the State's. INSEE gives State
    bodies SIRENs starting with 1, while universities and schools (19…) are not the State,
    so this is a heuristic: an engagement missing from the search blocks only where the
    recipient also requires one.
    """
    return siret.startswith("1") and not siret.startswith("19")


def _find_service(services: Sequence, code: str):
    for service in services:
        if service.code == code:
            return service
    return None


def _codes(services: Sequence, today: date | None = None) -> str:
    return ", ".join(service.code for service in offerable_services(services, today))


def _service_to_replace(key: str, services: Sequence, today: date | None, **params) -> CheckResult:
    """Block the chosen service with `key`, offering the services the supplier may pick instead.

    When the recipient has none to offer (only inactive or closed services, or only
    FACTURES_PUBLIQUES), the message prompts the user to clear the code instead of listing nothing.
    """
    offerable = offerable_services(services, today)
    if not offerable:
        return blocking(SERVICE_FIELD, "service_none_exist", code=params["code"], name=params["name"])
    result = blocking(SERVICE_FIELD, key, codes=", ".join(service.code for service in offerable), **params)
    result.options = service_options(services, today)
    return result


async def _check_service(form: DepositForm, structure_id: int, name: str, directory: Directory,
                         services: Sequence, today: date | None) -> tuple[list[CheckResult], bool]:
    """Check the chosen service; return the results and whether the service requires an engagement."""
    code = (form.service_code or "").strip()
    if code == PUBLIC_INVOICES_SERVICE_CODE:
        return [_service_to_replace("service_public_invoices", services, today, code=code, name=name)], False
    service = _find_service(services, code)
    if service is None:
        refreshed = directory.services_fetched_at(structure_id)
        same_but_case = [candidate for candidate in offerable_services(services, today)
                         if candidate.code.casefold() == code.casefold()]
        if same_but_case:
            result = blocking(SERVICE_FIELD, "service_case", code=code, name=name, expected=same_but_case[0].code)
            result.options = service_options(same_but_case)
            return [result], False
        return [_service_to_replace("service_unknown", services, today, code=code, name=name,
                                    refreshed=Day(refreshed.date()) if refreshed else "—")], False
    if not service.active:
        return [_service_to_replace("service_inactive", services, today, code=code, name=name)], False
    if has_ended(service, today):
        return [_service_to_replace("service_ended", services, today, code=code, name=name,
                                    end=Day(service.end_date))], False
    results = [passed(SERVICE_FIELD, "service_ok", code=code, label=service.label or code)]
    try:
        details = await directory.service(structure_id, service.service_id)
    except ChorusError as error:
        logger.warning("service %s of structure %s could not be read: %s", service.service_id, structure_id, error)
        results.append(warning(SERVICE_FIELD, "service_lookup_failed", code=code, error=error.message))
        return results, False
    return results, bool(details.parameters.engagement_required)


async def check_recipient_rules(form: DepositForm, structure_id: int, details, directory: Directory, *,
                                supplier_id: int | None, today: date | None = None) -> list[CheckResult]:
    """Check the service code and engagement number against what the recipient requires.

    `today`, when given, also rules out services whose end date has passed.
    """
    rules = details.rules
    name = details.name or form.recipient_siret
    has_service = bool((form.service_code or "").strip())
    has_engagement = bool((form.engagement_number or "").strip())
    results: list[CheckResult] = []

    try:
        services = await directory.services(structure_id)
    except ChorusError as error:
        logger.warning("services of structure %s could not be read: %s", structure_id, error)
        return [warning(SERVICE_FIELD, "services_lookup_failed", name=name, error=error.message)]

    service_needs_engagement = False
    if has_service:
        service_results, service_needs_engagement = await _check_service(form, structure_id, name, directory,
                                                                         services, today)
        results.extend(service_results)
    elif rules.service_required:
        if offerable_services(services, today):
            result = blocking(SERVICE_FIELD, "service_required", name=name, codes=_codes(services, today))
            result.options = service_options(services, today)
        else:
            result = blocking(SERVICE_FIELD, "service_required_none_active", name=name)
        results.append(result)

    if not has_engagement:
        if rules.engagement_required:
            results.append(blocking(ENGAGEMENT_FIELD, "engagement_required", name=name))
        elif service_needs_engagement:
            results.append(blocking(ENGAGEMENT_FIELD, "engagement_required_by_service", name=name,
                                    code=form.service_code))
        elif rules.service_or_engagement and not has_service:
            if offerable_services(services, today):
                result = blocking(SERVICE_FIELD, "service_or_engagement_missing", name=name,
                                  codes=_codes(services, today))
                result.options = service_options(services, today)
            else:
                result = blocking(ENGAGEMENT_FIELD, "engagement_only_way", name=name)
            results.append(result)
    else:
        engagement_required = rules.engagement_required or service_needs_engagement or (
            rules.service_or_engagement and not has_service)
        results.extend(await _check_engagement(form, name, directory, supplier_id=supplier_id,
                                               required=engagement_required))
    if not results:
        results.append(passed(SERVICE_FIELD, "rules_nothing_required", name=name))
    return results


async def _check_engagement(form: DepositForm, name: str, directory: Directory, *, supplier_id: int | None,
                            required: bool) -> list[CheckResult]:
    number = (form.engagement_number or "").strip()
    siret = normalise_siret(form.recipient_siret)
    if not looks_like_state(siret) or supplier_id is None:
        return [passed(ENGAGEMENT_FIELD, "engagement_given", number=number)]
    try:
        engagements = await directory.engagements(supplier_id, number)
    except ApiNotSubscribed:
        return [warning(ENGAGEMENT_FIELD, "engagement_api_missing", number=number)]
    except ChorusError as error:
        logger.warning("engagement %s could not be searched: %s", number, error)
        return [warning(ENGAGEMENT_FIELD, "engagement_lookup_failed", number=number, error=error.message)]
    matching = [engagement for engagement in engagements if engagement.number == number]
    if not matching:
        if required:
            return [blocking(ENGAGEMENT_FIELD, "engagement_not_found", number=number, name=name)]
        return [warning(ENGAGEMENT_FIELD, "engagement_not_found_optional", number=number, name=name)]
    # The search result names the structure that placed the commitment, when it carries that field.
    issuers = {(engagement.model_extra or {}).get("identifiantStructureEmettrice") for engagement in matching}
    issuers.discard(None)
    if issuers and siret not in issuers:
        return [warning(ENGAGEMENT_FIELD, "engagement_other_recipient", number=number, name=name,
                        issuer=", ".join(sorted(issuers)))]
    return [passed(ENGAGEMENT_FIELD, "engagement_found", number=number)]
