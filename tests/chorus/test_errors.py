"""Each error kind, provoked through the simulator's refusals and faults, with the French message shown."""

from __future__ import annotations

import httpx
import pytest

from chorus_tui.chorus.errors import (
    ApiNotSubscribed,
    ApplicationRefused,
    BusinessError,
    ChorusUnavailable,
    FileTooLarge,
    OutcomeUnknown,
    TechnicalAccountRefused,
    UnexpectedResponse,
)
from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.faults import AuthPolicy
from chorus_tui.sandbox.simulator import Simulator

from tests.chorus.cases import open_structure, pdf_request, pick


def simulator_with(clock, **auth) -> Simulator:
    return Simulator(clock, seed=7, auth=AuthPolicy(**auth))


async def test_application_refused_message(clock, make_client):
    simulator = simulator_with(clock, refuse_application=True)
    async with make_client(simulator.transport()) as client:
        with pytest.raises(ApplicationRefused) as caught:
            await client.supplier_structures()
    assert str(caught.value) == (
        "L'application PISTE a été refusée par le serveur d'authentification en démo. "
        "Vérifiez l'identifiant client (client_id) et le "
        "secret client (client_secret) de l'application PISTE, et que cette application a bien été créée "
        "dans l'environnement démo : une application de bac à sable ne fonctionne pas en production, et inversement. "
        "Détail du serveur : invalid_client, Client authentication failed"
    )
    assert client.calls["api/oauth/token"] == 1


async def test_technical_account_refused_message(clock, make_client):
    simulator = simulator_with(clock, refuse_account=True)
    async with make_client(simulator.transport()) as client:
        with pytest.raises(TechnicalAccountRefused) as caught:
            await client.user_attachments()
    error = caught.value
    assert error.description == "login or password incorrects"
    assert str(error) == (
        f"Le compte technique {DEMO_SUPPLIER.technical_login} a été refusé par Chorus Pro en démo. "
        "Son mot de passe est peut-être erroné, expiré (il expire tous les "
        "424 jours), réinitialisé sur le portail Chorus Pro, ou le compte a été créé il y a moins de 15 minutes. "
        "Ressaisissez le mot de passe du compte technique ; s'il a expiré, le gestionnaire principal de la "
        "structure doit le réinitialiser sur le portail (Raccordements → Compte technique). "
        "Détail du serveur : login or password incorrects"
    )
    # One renewal of the token after the first 401, then the account is blamed.
    assert client.calls["utilisateurs/v1/monCompte/recuperer/rattachements"] == 2
    assert client.calls["api/oauth/token"] == 2


async def test_technical_account_wrong_password(clock, make_client, credentials):
    simulator = simulator_with(clock, accounts={DEMO_SUPPLIER.technical_login: "le-bon-mot-de-passe"})
    async with make_client(simulator.transport()) as client:
        with pytest.raises(TechnicalAccountRefused):
            await client.supplier_structures()


@pytest.mark.parametrize(
    ("family", "name", "call"),
    [
        ("structures", "Structures", lambda client: client.search_structure("21170753455688")),
        ("factures", "Factures", lambda client: client.get_invoice(1)),
        ("transverses", "Transverses", lambda client: client.vat_rates()),
        ("utilisateurs", "Utilisateurs", lambda client: client.user_attachments()),
        ("engagementsJuridiques", "Engagements juridiques", lambda client: client.search_engagements(1, "13")),
    ],
)
async def test_api_not_subscribed_names_family(clock, make_client, family, name, call):
    simulator = simulator_with(clock, unsubscribed=frozenset({family}))
    async with make_client(simulator.transport()) as client:
        with pytest.raises(ApiNotSubscribed) as caught:
            await call(client)
    assert caught.value.api_family == family
    assert str(caught.value) == (
        f"L'accès à l'API Chorus Pro « {name} » est refusé en démo (HTTP 403). Dans PISTE, acceptez les "
        "conditions d'utilisation de cette API et abonnez-y l'application ; sur le portail Chorus Pro, vérifiez "
        "qu'un raccordement API au nom de cette application existe pour la structure du compte technique."
    )


async def test_duplicate_number_message(client):
    structure = open_structure()
    await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0042"))
    with pytest.raises(BusinessError) as caught:
        await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0042"))
    error = caught.value
    assert error.kind == "duplicate_number"
    assert str(error) == (
        "Chorus Pro a refusé la facture : ce numéro de facture a déjà été déposé cette année pour ce "
        "destinataire. Une facture déjà déposée ne peut pas l'être une seconde fois ; vérifiez dans le suivi si "
        "elle existe déjà, sinon donnez-lui un nouveau numéro. (Chorus Pro : Une demande de paiement portant le "
        "numéro FAC-2026-0042 a déjà été déposée cette année par ce fournisseur pour cette structure.)"
    )


async def test_unknown_recipient_message(client):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-2026-0043", recipient_siret="21170753455696")
    with pytest.raises(BusinessError) as caught:
        await client.submit_invoice(request)
    assert caught.value.kind == "unknown_structure"
    assert str(caught.value) == (
        "Chorus Pro ne connaît pas ce destinataire : le SIRET n'est pas une structure de l'annuaire Chorus Pro. "
        "Vérifiez le SIRET du destinataire sur la facture ou dans l'annuaire Chorus Pro. (Chorus Pro : Le "
        "destinataire 21170753455696 n'existe pas dans l'annuaire Chorus Pro.)"
    )


@pytest.mark.parametrize(
    ("predicate", "kind", "start"),
    [
        (lambda s: s.active and s.service_required and not s.engagement_required, "service_missing",
         "Ce destinataire exige un code service."),
        (lambda s: s.active and s.engagement_required and not s.service_required and not s.is_state,
         "engagement_missing", "Ce destinataire exige un numéro d'engagement"),
        (lambda s: s.active and s.service_or_engagement and not s.is_state, "service_or_engagement_missing",
         "Ce destinataire exige un code service ou un numéro d'engagement."),
    ],
)
async def test_missing_routing_messages(client, predicate, kind, start):
    structure = pick(predicate)
    request = await pdf_request(client, structure, f"FAC-{kind[:10]}")
    with pytest.raises(BusinessError) as caught:
        await client.submit_invoice(request)
    assert caught.value.kind == kind
    assert str(caught.value).startswith(start)
    assert f"(Chorus Pro : {caught.value.libelle})" in str(caught.value)


async def test_attachment_too_large(client):
    with pytest.raises(FileTooLarge) as caught:
        await client.upload_attachment("gros.pdf", b"%" * (10 * 1024 * 1024 + 1), "application/pdf")
    assert caught.value.code == 20003
    assert str(caught.value).startswith(
        "Chorus Pro a refusé le fichier parce qu'il est trop volumineux (10 Mo au plus par fichier)"
    )


async def test_flow_too_large(client):
    with pytest.raises(FileTooLarge) as caught:
        await client.deposit_flow("gros.xml", b"<" * (10 * 1024 * 1024 + 1), "IN_DP_E1_CII_16B")
    assert caught.value.code == 20001


async def test_http_413_is_file_too_large(make_client):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx.Response(413, content=b"")

    async with make_client(httpx.MockTransport(handler)) as client:
        with pytest.raises(FileTooLarge):
            await client.upload_attachment("x.pdf", b"%PDF", "application/pdf")


async def test_maintenance_page_is_unavailable(clock, make_client):
    simulator = simulator_with(clock, maintenance=True)
    async with make_client(simulator.transport(), RetryPolicy(max_attempts=2, base_delay=1)) as client:
        with pytest.raises(ChorusUnavailable) as caught:
            await client.search_structure("21170753455688")
    assert caught.value.reason == "maintenance"
    assert str(caught.value) == (
        "Chorus Pro est en maintenance (structures/v1/rechercher) : une page d'information a été reçue au lieu "
        "d'une réponse de l'API. Vos identifiants ne sont pas en cause. Réessayez plus tard ; les interruptions "
        "sont annoncées sur le site de la communauté Chorus Pro."
    )
    assert client.calls["structures/v1/rechercher"] == 2


@pytest.mark.parametrize(
    ("fault", "reason", "message"),
    [
        ("500", "server", "Chorus Pro a rencontré une erreur interne (transverses/v1/recuperer/tauxtva, HTTP 500). "
         "Le service est momentanément indisponible ; vos identifiants ne sont pas en cause. Réessayez plus tard."),
        ("timeout", "timeout", "Chorus Pro ne répond pas (transverses/v1/recuperer/tauxtva, délai dépassé). Le "
         "service est peut-être surchargé ou en maintenance ; vos identifiants ne sont pas en cause. Réessayez plus tard."),
        ("429", "rate_limited", "Chorus Pro limite le nombre de requêtes (transverses/v1/recuperer/tauxtva, HTTP 429) "
         "et demande d'attendre. Réessayez dans quelques minutes."),
        ("not_json", "bad_response", "Chorus Pro a envoyé une réponse illisible (transverses/v1/recuperer/tauxtva). Le "
         "service a peut-être un incident ; vos identifiants ne sont pas en cause. Réessayez plus tard."),
    ],
)
async def test_persistent_fault_messages(client, simulator, fault, reason, message):
    simulator.fail_next(fault, path_contains="tauxtva", count=50)
    with pytest.raises(ChorusUnavailable) as caught:
        await client.vat_rates()
    assert caught.value.reason == reason
    assert str(caught.value) == message


async def test_connect_failure_message(client, simulator):
    simulator.fail_next("connect_timeout", path_contains="tauxtva", count=50)
    with pytest.raises(ChorusUnavailable) as caught:
        await client.vat_rates()
    assert caught.value.reason == "timeout"


async def test_connection_refused_message(make_client):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with make_client(httpx.MockTransport(handler), RetryPolicy(max_attempts=2)) as client:
        with pytest.raises(ChorusUnavailable) as caught:
            await client.vat_rates()
    assert str(caught.value) == (
        "Impossible de joindre http://simulator.invalid/api/oauth/token (api/oauth/token) : la connexion a échoué. "
        "Vérifiez cette adresse dans la configuration (« chorus-tui config show »), puis la connexion réseau ; "
        "vos identifiants ne sont pas en cause."
    )


async def test_connection_refused_names_api_url(make_client):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "jeton", "expires_in": 3600})
        raise httpx.ConnectError("connection refused", request=request)

    async with make_client(httpx.MockTransport(handler), RetryPolicy(max_attempts=2)) as client:
        with pytest.raises(ChorusUnavailable) as caught:
            await client.vat_rates()
    assert caught.value.url == "http://simulator.invalid/cpro/transverses/v1/recuperer/tauxtva"
    assert "Impossible de joindre http://simulator.invalid/cpro/" in str(caught.value)


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:secret@api.example.test:8443/cpro?key=secret#x", "https://api.example.test:8443/cpro"),
    ("http://127.0.0.1:1/api/oauth/token", "http://127.0.0.1:1/api/oauth/token"),
    ("http://[::1]:8790/", "http://[::1]:8790/"),
])
def test_unreachable_url_hides_secrets(url, shown):
    error = ChorusUnavailable("connection", "api/oauth/token", url=url)
    assert error.url == shown
    assert "secret" not in str(error)


@pytest.mark.parametrize(("fault", "cause_text"), [
    ("timeout_after", "délai de réponse dépassé"),
    ("truncated", "réponse incomplète"),
    ("not_json", "réponse incomplète"),
])
async def test_lost_deposit_response_unknown(client, simulator, fault, cause_text):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-2026-0050")
    simulator.fail_next(fault, path_contains="soumettre")
    with pytest.raises(OutcomeUnknown) as caught:
        await client.submit_invoice(request)
    assert str(caught.value) == (
        f"La demande factures/v1/soumettre a été envoyée à Chorus Pro mais sa réponse a été perdue ({cause_text}) : "
        "on ne sait pas si Chorus Pro l'a enregistrée. Ne la renvoyez pas telle quelle : recherchez d'abord la "
        "facture dans Chorus Pro pour éviter un doublon."
    )
    # Chorus Pro did record it, and the client sent it only once.
    assert [invoice.number for invoice in simulator.invoices()] == ["FAC-2026-0050"]
    assert client.calls["factures/v1/soumettre"] == 1


async def test_deposit_500_is_outcome_unknown(client, simulator):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-2026-0051")
    simulator.fail_next("500", path_contains="soumettre")
    with pytest.raises(OutcomeUnknown) as caught:
        await client.submit_invoice(request)
    assert caught.value.cause == "server"
    assert "erreur serveur HTTP 500" in str(caught.value)
    assert client.calls["factures/v1/soumettre"] == 1


@pytest.mark.parametrize("fault", ["timeout_after", "truncated"])
async def test_lost_flow_response_unknown(client, simulator, fault):
    simulator.fail_next(fault, path_contains="deposer/flux")
    with pytest.raises(OutcomeUnknown):
        await client.deposit_flow("f.xml", b"<x/>", "IN_DP_E1_CII_16B")
    assert client.calls["factures/v1/deposer/flux"] == 1


async def test_recycle_and_complete_not_retried(client, simulator):
    structure = open_structure()
    result = await client.submit_invoice(await pdf_request(client, structure, "FAC-2026-0052"))
    simulator.set_status(result.invoice_id, "A_RECYCLER")
    simulator.fail_next("502", path_contains="recycler")
    with pytest.raises(OutcomeUnknown):
        await client.recycle_invoice(result.invoice_id, recipient_siret=structure.siret)
    simulator.set_status(result.invoice_id, "SUSPENDUE")
    simulator.fail_next("timeout", path_contains="completer")
    with pytest.raises(OutcomeUnknown):
        await client.complete_invoice(result.invoice_id, comment="Pièce jointe")
    assert client.calls["factures/v1/recycler"] == 1
    assert client.calls["factures/v1/completer"] == 1


async def test_unexpected_status_names_api_url(make_client):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx.Response(404, json={"error": "not_found"})

    async with make_client(httpx.MockTransport(handler)) as client:
        with pytest.raises(UnexpectedResponse) as caught:
            await client.vat_rates()
    assert "http://simulator.invalid" in str(caught.value)
    assert "HTTP 404" in str(caught.value)


async def test_messages_render_in_english(client):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-2026-0060", recipient_siret="21170753455696")
    with pytest.raises(BusinessError) as caught:
        await client.submit_invoice(request)
    assert caught.value.message.render("en").startswith("Chorus Pro does not know this recipient")



async def test_nested_parts_render_in_english(clock, make_client, client, simulator):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-2026-0061")
    simulator.fail_next("timeout_after", path_contains="soumettre")
    with pytest.raises(OutcomeUnknown) as caught:
        await client.submit_invoice(request)
    assert "(timed out waiting for the response)" in caught.value.message.render("en")
    refused = simulator_with(clock, refuse_application=True)
    async with make_client(refused.transport()) as other:
        with pytest.raises(ApplicationRefused) as refusal:
            await other.authenticate()
    english = refusal.value.message.render("en")
    assert "rejected the PISTE application in demo. Check" in english
    assert english.endswith("Server detail: invalid_client, Client authentication failed")
