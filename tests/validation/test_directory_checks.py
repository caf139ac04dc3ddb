"""Directory-backed checks against the in-process Chorus Pro simulator, in virtual time."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.domain import Amounts, CheckLevel, DepositForm, DepositRoute, SourceInvoice, VatLine
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES_BY_SIRET
from chorus_tui.sandbox.faults import AuthPolicy
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.validation import Directory, check_deposit, has_blocking, offerable_services
from tests.validation.conftest import TODAY
from tests.validation.simulated import START, simulated_client

D = Decimal
SUPPLIER_ID = DEMO_SUPPLIER.id_structure_cpp
SUPPLIER_SIRETS = frozenset({DEMO_SUPPLIER.siret})

VALMORIN = "21170753455688"  # requires nothing, lists FACTURES_PUBLIQUES
BEAURIVAGE = "21151884000015"  # requires a service code, VOIRIE_OLD inactive
LUSSAC = "21716897084691"  # requires an engagement number, no services
SAINTE_AURORE = "21788093908197"  # requires a service code or an engagement number
AUBRAC = "21672731377843"  # requires both
VAL_DYSERE = "22819331484524"  # service LABO requires an engagement number
RIBEMONT = "21400297475342"  # inactive
TRANSPORTS_AMBROIS = "84645060900017"  # private company
MINISTRY = "11822264561642"  # State, requires an engagement that must exist
LA_POSTE_SIRET = "35600000000048"  # well-formed, absent from the simulated directory


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def simulator(clock) -> Simulator:
    return Simulator(clock)


@pytest.fixture
async def client(simulator, clock):
    async with simulated_client(simulator, clock) as chorus_client:
        yield chorus_client


@pytest.fixture
def directory(client, clock) -> Directory:
    return Directory(client, clock=clock)


def invoice() -> SourceInvoice:
    return SourceInvoice(source_key="FAC-2026-0042.pdf", file_path=None, invoice_number="FAC-2026-0042",
                         invoice_date=TODAY)


def form(recipient: str = VALMORIN, **fields) -> DepositForm:
    values = {
        "invoice_number": "FAC-2026-0042",
        "invoice_date": TODAY,
        "recipient_siret": recipient,
        "amounts": Amounts(D("1000.00"), D("200.00"), D("1200.00"), D("1200.00"),
                           [VatLine(D("20"), D("1000.00"), D("200.00"))]),
        "supplier_id": SUPPLIER_ID,
        "bank_account_id": DEMO_SUPPLIER.bank_accounts[0].id,
        "route": DepositRoute.DATA_ENTRY,  # no document, so that only directory checks can block
    }
    values.update(fields)
    return DepositForm(**values)


async def run(directory: Directory, deposit_form: DepositForm) -> list:
    return await check_deposit(invoice(), deposit_form, directory, today=TODAY, supplier_sirets=SUPPLIER_SIRETS,
                               supplier_id=SUPPLIER_ID)


def of_field(results, field: str) -> list:
    return [result for result in results if result.field == field]


def rendered(results) -> list[str]:
    return [str(result.message) for result in results]


async def test_complete_form_to_simple_recipient_has_no_blocking(directory):
    results = await run(directory, form())
    assert not has_blocking(results), rendered([r for r in results if r.level is CheckLevel.BLOCKING])
    assert "Destinataire trouvé dans Chorus Pro : Commune de Valmorin (21170753455688)." in rendered(results)
    assert "Le numéro FAC-2026-0042 n'a encore jamais été déposé sur Chorus Pro." in rendered(results)
    assert "Coordonnées bancaires : Compte courant Atelier Verdier." in rendered(results)


async def test_unknown_structure_is_blocking(directory):
    results = of_field(await run(directory, form(LA_POSTE_SIRET)), "recipient_siret")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert rendered(results) == [
        "Structure inconnue dans Chorus Pro : aucun destinataire n'a le SIRET 35600000000048. Vérifiez le SIRET "
        "sur le bon de commande, ou demandez à l'acheteur son SIRET de facturation Chorus Pro."
    ]


async def test_mistyped_recipient_siret_is_blocking_without_lookup(directory, client):
    results = of_field(await run(directory, form("21170753455689")), "recipient_siret")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert client.calls["structures/v1/rechercher"] == 0


async def test_inactive_structure_is_blocking(directory):
    results = of_field(await run(directory, form(RIBEMONT)), "recipient_siret")
    assert rendered(results) == [
        "Le destinataire Commune de Ribemont-la-Forêt (ancienne commune) (21400297475342) est inactif dans "
        "Chorus Pro et n'accepte plus de factures. Demandez à l'acheteur le SIRET de la structure qui le remplace."
    ]


async def test_private_structure_is_blocking(directory):
    results = of_field(await run(directory, form(TRANSPORTS_AMBROIS)), "recipient_siret")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert "est une structure privée" in rendered(results)[0]


async def test_supplier_own_siret_rejected_as_recipient(directory):
    results = of_field(await run(directory, form(DEMO_SUPPLIER.siret)), "recipient_siret")
    assert rendered(results) == [
        "Le destinataire 81588139669879 est votre propre structure : saisissez le SIRET de l'entité publique "
        "à facturer."
    ]


async def test_missing_required_service_offers_active_services(directory):
    results = of_field(await run(directory, form(BEAURIVAGE)), "service_code")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert rendered(results) == [
        "Code service manquant : Commune de Beaurivage-sur-Orne exige un code service. Choisissez l'un de ses "
        "services : CCAS, CULTURE, FINANCES, ST."
    ]
    assert [option.value for option in results[0].options] == ["CCAS", "CULTURE", "FINANCES", "ST"]


async def test_inactive_service_is_blocking(directory):
    results = of_field(await run(directory, form(BEAURIVAGE, service_code="VOIRIE_OLD")), "service_code")
    assert rendered(results) == [
        "Le service « VOIRIE_OLD » de Commune de Beaurivage-sur-Orne est inactif dans Chorus Pro et n'accepte "
        "plus de factures. Choisissez l'un des services actifs : CCAS, CULTURE, FINANCES, ST."
    ]


async def test_unknown_service_names_refresh_date(directory):
    results = of_field(await run(directory, form(BEAURIVAGE, service_code="VOIRIE")), "service_code")
    assert rendered(results) == [
        "Code service « VOIRIE » inconnu chez Commune de Beaurivage-sur-Orne (liste lue le 10/03/2026). "
        "Choisissez l'un des services actifs : CCAS, CULTURE, FINANCES, ST."
    ]


async def test_active_service_passes(directory):
    results = of_field(await run(directory, form(BEAURIVAGE, service_code="ST")), "service_code")
    assert rendered(results) == ["Service : ST – Services techniques."]


async def test_public_invoices_service_is_never_accepted(directory):
    results = of_field(await run(directory, form(VALMORIN, service_code="FACTURES_PUBLIQUES")), "service_code")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert rendered(results) == [
        "Le service FACTURES_PUBLIQUES est réservé aux factures entre entités publiques : Chorus Pro rejetterait "
        "cette facture. Choisissez un service de Commune de Valmorin : ECOLES, MAIRIE."
    ]
    assert "FACTURES_PUBLIQUES" not in [option.value for option in results[0].options]


async def test_offerable_services_hide_inactive_and_public_invoices(client):
    services = await client.list_services(STRUCTURES_BY_SIRET["21294055516987"].id_structure_cpp)
    codes = [service.code for service in offerable_services(services)]
    assert len(services) == 14
    assert "FACTURES_PUBLIQUES" not in codes
    assert "ARCHIVES" not in codes
    assert len(codes) == 11


async def test_missing_required_engagement_is_blocking(directory):
    results = of_field(await run(directory, form(LUSSAC)), "engagement_number")
    assert rendered(results) == [
        "N° d'engagement manquant : Commune de Lussac-les-Pins exige le numéro d'engagement juridique (bon de "
        "commande). Recopiez-le depuis le bon de commande."
    ]


async def test_either_service_or_engagement(directory):
    neither = await run(directory, form(SAINTE_AURORE))
    assert rendered(of_field(neither, "service_code")) == [
        "Commune de Sainte-Aurore exige un code service ou un N° d'engagement : saisissez le numéro du bon de "
        "commande, ou choisissez l'un de ses services (ADMIN, ENFANCE, RESTAURATION, TECHNIQUE)."
    ]
    with_service = await run(directory, form(SAINTE_AURORE, service_code="ADMIN"))
    assert not has_blocking(with_service)
    with_engagement = await run(directory, form(SAINTE_AURORE, engagement_number="BC-2026-118"))
    assert not has_blocking(with_engagement)


async def test_both_service_and_engagement_required(directory):
    results = await run(directory, form(AUBRAC))
    blocking_fields = [result.field for result in results if result.level is CheckLevel.BLOCKING]
    assert blocking_fields == ["service_code", "engagement_number"]
    complete = await run(directory, form(AUBRAC, service_code="TRAVAUX", engagement_number="BC-77"))
    assert not has_blocking(complete)


async def test_service_requiring_engagement_is_blocking(directory):
    results = of_field(await run(directory, form(VAL_DYSERE, service_code="LABO")), "engagement_number")
    assert rendered(results) == [
        "N° d'engagement manquant : le service « LABO » de Département du Val-d'Ysère exige le numéro "
        "d'engagement juridique (bon de commande). Recopiez-le depuis le bon de commande."
    ]


async def test_state_engagement_found(directory):
    results = of_field(await run(directory, form(MINISTRY, engagement_number="1300045127")), "engagement_number")
    assert rendered(results) == ["N° d'engagement 1300045127 trouvé dans Chorus Pro."]


async def test_state_engagement_unknown_is_blocking(directory):
    results = of_field(await run(directory, form(MINISTRY, engagement_number="1399999999")), "engagement_number")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert rendered(results) == [
        "N° d'engagement 1399999999 introuvable : Chorus Pro ne connaît aucun engagement de ce numéro passé avec "
        "vous, et Ministère de la Transition numérique - Secrétariat général le vérifie. Recopiez le numéro depuis "
        "le bon de commande ou demandez-le à l'acheteur."
    ]


async def test_state_engagement_of_other_recipient_warns(directory):
    results = of_field(await run(directory, form(MINISTRY, engagement_number="2100093210")), "engagement_number")
    assert [result.level for result in results] == [CheckLevel.WARNING]
    assert "émis par une autre structure (11252477264729)" in rendered(results)[0]


async def test_engagement_api_not_subscribed_warns(clock):
    simulator = Simulator(clock, auth=AuthPolicy(unsubscribed=frozenset({"engagementsJuridiques"})))
    async with simulated_client(simulator, clock) as client:
        results = await run(Directory(client, clock=clock), form(MINISTRY, engagement_number="1300045127"))
    engagement = of_field(results, "engagement_number")
    assert [result.level for result in engagement] == [CheckLevel.WARNING]
    assert engagement[0].message.key == "checks.engagement_api_missing"


async def test_mandataire_validator_found(directory):
    deposit_form = form(billing_frame="A12_FACTURE_COTRAITANT", validator_siret=TRANSPORTS_AMBROIS)
    results = of_field(await run(directory, deposit_form), "validator_siret")
    assert rendered(results)[-1] == "Mandataire trouvé dans Chorus Pro : Transports Ambrois SAS (84645060900017)."


async def test_mandataire_absent_from_directory_warns(directory):
    deposit_form = form(billing_frame="A9_FACTURE_SOUSTRAITANT", validator_siret=LA_POSTE_SIRET)
    results = of_field(await run(directory, deposit_form), "validator_siret")
    assert results[-1].level is CheckLevel.WARNING
    assert results[-1].message.key == "checks.validator_unknown"


async def test_flow_looks_up_no_validator(directory):
    # A flow sends the XML unchanged, so the form's mandataire (greyed out) is not sent or looked up.
    deposit_form = form(billing_frame="A9_FACTURE_SOUSTRAITANT", validator_siret=LA_POSTE_SIRET,
                        route=DepositRoute.FLOW)
    assert of_field(await run(directory, deposit_form), "validator_siret") == []

async def test_bank_account_not_valid_is_blocking(directory):
    results = of_field(await run(directory, form(bank_account_id=9999)), "bank_account_id")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]


async def test_already_deposited_number_is_blocking(directory, simulator):
    invoice_id = simulator.add_existing_invoice("FAC-2026-0042", TODAY, VALMORIN, status="MISE_A_DISPOSITION")
    results = of_field(await run(directory, form()), "invoice_number")
    duplicate = [result for result in results if result.level is CheckLevel.BLOCKING]
    assert rendered(duplicate) == [
        f"La facture FAC-2026-0042 est déjà sur Chorus Pro (n°\u00a0{invoice_id}, déposée le 10/03/2026, statut "
        "« Mise à disposition du destinataire ») : elle ne sera pas déposée une seconde fois. Suivez-la dans la "
        "liste des factures."
    ]


async def test_rejected_number_cannot_be_reused(directory, simulator):
    invoice_id = simulator.add_existing_invoice("FAC-2026-0010", TODAY, VALMORIN, status="REJETEE")
    results = await run(directory, form(invoice_number="FAC-2026-0010"))
    duplicate = [r for r in of_field(results, "invoice_number") if r.level is CheckLevel.BLOCKING]
    assert rendered(duplicate) == [
        f"Le numéro FAC-2026-0010 a déjà servi pour une facture rejetée par le destinataire (n°\u00a0Chorus Pro\u00a0"
        f"{invoice_id}, déposée le 10/03/2026). Un numéro rejeté ne peut plus être réutilisé : émettez un avoir pour "
        "la facture rejetée et une nouvelle facture avec un nouveau numéro."
    ]


async def test_portal_draft_with_same_number_warns(directory, simulator):
    simulator.add_existing_invoice("FAC-2026-0042", TODAY, VALMORIN, draft=True)
    results = of_field(await run(directory, form()), "invoice_number")
    assert CheckLevel.BLOCKING not in [result.level for result in results]
    assert "checks.duplicate_draft" in [result.message.key for result in results]


async def test_lookups_are_cached_until_refresh(directory, client):
    await run(directory, form(BEAURIVAGE, service_code="ST"))
    await run(directory, form(BEAURIVAGE, service_code="CCAS"))
    assert client.calls["structures/v1/rechercher"] == 1
    assert client.calls["structures/v1/consulter"] == 1
    assert client.calls["structures/v1/rechercher/services"] == 1
    assert client.calls["factures/v1/rechercher/fournisseur"] == 2
    directory.refresh(siret=BEAURIVAGE)
    await run(directory, form(BEAURIVAGE, service_code="ST"))
    assert client.calls["structures/v1/rechercher"] == 2
    assert client.calls["structures/v1/consulter"] == 1
    directory.refresh()
    await run(directory, form(BEAURIVAGE, service_code="ST"))
    assert client.calls["structures/v1/consulter"] == 2


async def test_chorus_unavailable_gives_warnings_not_errors(clock):
    simulator = Simulator(clock, auth=AuthPolicy(maintenance=True))
    async with simulated_client(simulator, clock) as client:
        results = await run(Directory(client, clock=clock), form())
    recipient = of_field(results, "recipient_siret")
    assert [result.level for result in recipient] == [CheckLevel.WARNING]
    assert recipient[0].message.key == "checks.recipient_lookup_failed"
    assert of_field(results, "invoice_number")[-1].message.key == "checks.duplicate_lookup_failed"


async def test_without_supplier_id_is_blocking(directory):
    results = await check_deposit(invoice(), replace(form(), supplier_id=None), directory, today=TODAY)
    assert rendered(of_field(results, "supplier_id")) == [
        "Identifiant Chorus Pro de votre structure inconnu : testez et enregistrez la connexion dans l'écran "
        "de connexion (lancez chorus-tui, touche c depuis la liste des factures) pour vérifier les coordonnées "
        "bancaires et les doublons."
    ]


class SeveralHitsClient:
    """The real client, except that every SIRET also matches a second structure."""

    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    async def search_structure(self, siret: str) -> list:
        hits = await self._client.search_structure(siret)
        twin = hits[0].model_copy(update={"structure_id": 25800128, "name": "Ancienne structure dupliquée"})
        return [*hits, twin]


async def test_several_structures_offered_for_choice(client, clock):
    directory = Directory(SeveralHitsClient(client), clock=clock)
    results = of_field(await run(directory, form()), "recipient_siret")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert rendered(results) == [
        "Le SIRET 21170753455688 correspond à 2 structures dans Chorus Pro : Commune de Valmorin (25800101), "
        "Ancienne structure dupliquée (25800128). Choisissez la bonne structure."
    ]
    assert [option.value for option in results[0].options] == ["25800101", "25800128"]
    chosen = of_field(await run(directory, form(recipient_structure_id=25800101)), "recipient_siret")
    assert [result.level for result in chosen] == [CheckLevel.PASS]


async def test_service_code_in_wrong_case_names_the_right_one(directory):
    results = of_field(await run(directory, form(BEAURIVAGE, service_code="st")), "service_code")
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert rendered(results) == [
        "Code service « st » inconnu chez Commune de Beaurivage-sur-Orne : le code exact est « ST ». Saisissez-le "
        "tel quel, majuscules comprises."
    ]
    assert [option.value for option in results[0].options] == ["ST"]


async def test_rectorate_engagement_is_looked_up(directory, client):
    rectorate = "18594069900019"  # State, service code or engagement number
    results = of_field(await run(directory, form(rectorate, engagement_number="1300081234")), "engagement_number")
    assert rendered(results) == ["N° d'engagement 1300081234 trouvé dans Chorus Pro."]
    assert client.calls["engagementsJuridiques/v1/rechercher"] == 1


async def test_university_engagement_is_not_looked_up(directory, client):
    school = "19208073702837"  # university-type body (19…), requires an engagement number, not the State
    results = of_field(await run(directory, form(school, engagement_number="BC-2026-77")), "engagement_number")
    assert rendered(results) == ["N° d'engagement : BC-2026-77."]
    assert client.calls["engagementsJuridiques/v1/rechercher"] == 0


def test_state_heuristic_by_siren_prefix():
    from chorus_tui.validation.rules import looks_like_state

    assert looks_like_state("11822264561642")
    assert looks_like_state("18594069900019")
    assert not looks_like_state("19973091200011")
    assert not looks_like_state("21170753455688")


async def test_foreign_customer_explains_missing_siret(directory, client):
    from chorus_tui.domain import Detection

    source = SourceInvoice(source_key="FAC-2026-0042.pdf", file_path=None, invoice_number="FAC-2026-0042",
                           invoice_date=TODAY, customer_name="Stadt Freiburg",
                           detection=Detection(recipient_kind="foreign"))
    results = await check_deposit(source, form(""), directory, today=TODAY, supplier_id=SUPPLIER_ID)
    recipient = of_field(results, "recipient_siret")
    assert rendered(recipient) == [
        "La facture semble adressée à un client étranger (Stadt Freiburg) : Chorus Pro ne reçoit que les factures "
        "des entités publiques françaises. Si le client est bien une entité publique française, saisissez son SIRET."
    ]
    assert client.calls["structures/v1/rechercher"] == 0


def test_service_past_end_date_is_not_offered():
    from datetime import date as day

    from chorus_tui.chorus.models.structures import Service

    services = [Service(service_id=1, code="OPEN", active=True),
                Service(service_id=2, code="CLOSED", active=True, end_date=day(2026, 3, 9)),
                Service(service_id=3, code="CLOSING", active=True, end_date=day(2026, 3, 10))]
    assert [service.code for service in offerable_services(services, TODAY)] == ["CLOSING", "OPEN"]
    assert [service.code for service in offerable_services(services)] == ["CLOSED", "CLOSING", "OPEN"]


class ClosedServiceClient(SeveralHitsClient):
    """The real client, except that the service ST closed the day before the check."""

    async def search_structure(self, siret: str) -> list:
        return await self._client.search_structure(siret)

    async def list_services(self, structure_id: int) -> list:
        from datetime import timedelta

        services = await self._client.list_services(structure_id)
        closed = TODAY - timedelta(days=1)
        return [service.model_copy(update={"end_date": closed}) if service.code == "ST" else service
                for service in services]


async def test_service_past_end_date_is_blocking(client, clock):
    directory = Directory(ClosedServiceClient(client), clock=clock)
    results = of_field(await run(directory, form(BEAURIVAGE, service_code="ST")), "service_code")
    assert rendered(results) == [
        "Le service « ST » de Commune de Beaurivage-sur-Orne est fermé depuis le 09/03/2026 et n'accepte plus de "
        "factures. Choisissez l'un des services ouverts : CCAS, CULTURE, FINANCES."
    ]


LYCEE = "19799229069576"  # requires nothing; its only service is FACTURES_PUBLIQUES


@pytest.mark.parametrize("code", ["DAF", "FACTURES_PUBLIQUES"])
async def test_no_offerable_service_clears_code(directory, code):
    results = of_field(await run(directory, form(LYCEE, service_code=code)), "service_code")
    assert rendered(results) == [
        f"Le destinataire Lycée polyvalent des Quatre-Vents n'a aucun service actif dans Chorus Pro : "
        f"videz le code service « {code} »."
    ]
    assert results[0].level is CheckLevel.BLOCKING
    assert not results[0].options


async def test_either_rule_no_service_requires_engagement(directory, monkeypatch):
    lycee_id = STRUCTURES_BY_SIRET[LYCEE].id_structure_cpp
    only_public_invoices = await directory.services(lycee_id)
    real_services = directory.services

    async def services(structure_id: int):
        if structure_id == STRUCTURES_BY_SIRET[SAINTE_AURORE].id_structure_cpp:
            return only_public_invoices
        return await real_services(structure_id)

    monkeypatch.setattr(directory, "services", services)
    results = await run(directory, form(SAINTE_AURORE))
    name = STRUCTURES_BY_SIRET[SAINTE_AURORE].designation
    assert rendered(of_field(results, "engagement_number")) == [
        f"{name} exige un code service ou un N° d'engagement, et n'a aucun service actif dans Chorus Pro : "
        "saisissez le N° d'engagement (numéro du bon de commande)."
    ]
    assert of_field(results, "service_code") == []
