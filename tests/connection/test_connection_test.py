"""Connection test against the simulator: success and each failure kind with its cause and fix."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from chorus_tui.chorus.errors import ApiNotSubscribed, ApplicationRefused, ChorusUnavailable, TechnicalAccountRefused
from chorus_tui.chorus.wire import CHORUS_TIMEZONE
from chorus_tui.clock import ManualClock
from chorus_tui.connection import (
    Outcome,
    Step,
    collect_connection_test,
    password_expiry_warning,
    run_connection_test,
)
from chorus_tui.i18n import set_language
from chorus_tui.sandbox.directory import DEMO_SUPPLIER

from .helpers import TECH_LOGIN, credentials, settings, simulator


@pytest.fixture(autouse=True)
def french():
    set_language("fr")
    yield
    set_language("fr")


async def _run(clock: ManualClock, sim, **options):
    return await collect_connection_test(settings(), credentials(), transport=sim.transport(), clock=clock, **options)


async def test_success_runs_every_step():
    clock = ManualClock()
    report = await _run(clock, simulator(clock))

    assert [result.step for result in report.steps] == list(Step)
    assert all(result.outcome is Outcome.SUCCESS for result in report.steps)
    assert report.ok
    assert str(report.steps[0].message) == "Jeton PISTE obtenu (Qualification)."
    assert str(report.steps[1].message) == f"Compte technique {TECH_LOGIN} accepté."


async def test_success_lists_supplier_accounts_and_expiry():
    clock = ManualClock()
    report = await _run(clock, simulator(clock))

    [supplier] = report.suppliers
    assert supplier.structure_id == DEMO_SUPPLIER.id_structure_cpp
    assert supplier.siret == DEMO_SUPPLIER.siret
    assert [account.account_id for account in supplier.bank_accounts] == [
        account.id for account in DEMO_SUPPLIER.bank_accounts]
    assert supplier.password_expiry == DEMO_SUPPLIER.technical_password_expiry.astimezone(CHORUS_TIMEZONE).date()


async def test_steps_arrive_one_by_one():
    clock = ManualClock()
    sim = simulator(clock)
    seen = []
    async for result in run_connection_test(settings(), credentials(), transport=sim.transport(), clock=clock):
        seen.append(result.step)
        if result.step is Step.TOKEN:
            # Only the token endpoint has been called when the first result arrives.
            assert [path for _, path, _ in sim.request_log] == ["/api/oauth/token"]
    assert seen == list(Step)


async def test_factures_check_asks_one_result():
    clock = ManualClock()
    sim = simulator(clock)
    await _run(clock, sim)
    assert ("POST", "/cpro/factures/v1/rechercher/fournisseur", 200) in sim.request_log


async def test_refused_application_names_cause():
    clock = ManualClock()
    report = await _run(clock, simulator(clock, refuse_application=True))

    token = report.steps[0]
    assert token.outcome is Outcome.FAILURE
    assert isinstance(token.error, ApplicationRefused)
    assert str(token.cause) == (
        "L'identifiant client ou le secret client de l'application PISTE est faux, ou l'application "
        "n'existe pas pour l'environnement Qualification (la qualification utilise l'application SANDBOX, "
        "la production une application de production). Vérifiez-les dans PISTE, onglet Applications."
    )
    assert [result.outcome for result in report.steps[1:]] == [Outcome.SKIPPED] * 6


async def test_refused_account_names_cause():
    clock = ManualClock()
    report = await _run(clock, simulator(clock, refuse_account=True))

    account = report.steps[1]
    assert report.steps[0].ok
    assert account.outcome is Outcome.FAILURE
    assert isinstance(account.error, TechnicalAccountRefused)
    assert str(account.cause) == (
        f"Le compte technique {TECH_LOGIN} est refusé (Qualification) : mot de passe erroné, réinitialisé "
        "sur le portail Chorus Pro ou expiré (il expire tous les 424 jours). Si le compte a été créé il y a "
        "moins de 15 minutes, attendez avant de réessayer. Sinon, demandez au gestionnaire principal de la "
        "structure de vérifier le compte (Raccordements → Compte technique) et saisissez le mot de passe à nouveau."
    )
    assert all(result.outcome is Outcome.SKIPPED for result in report.steps[2:])


async def test_refusal_explained_once_with_server_words():
    clock = ManualClock()
    report = await _run(clock, simulator(clock, refuse_account=True))

    account = report.steps[1]
    assert account.explanation == account.cause
    assert account.detail is not None
    assert account.detail.key in ("chorus.server_detail", "chorus.no_server_detail")
    # The detail quotes the server only: the cause's advice is not repeated in another wording.
    assert "424" not in str(account.detail)
    assert "Raccordements" not in str(account.detail)


async def test_refused_account_near_expiry_suggests_expiry():
    clock = ManualClock()  # 2026-03-02
    report = await _run(clock, simulator(clock, refuse_account=True), stored_password_expiry=date(2026, 3, 1))

    cause = str(report.steps[1].cause)
    assert cause.startswith(f"Le compte technique {TECH_LOGIN} est refusé (Qualification). Son mot de passe "
                            "expire ou a expiré le 01/03/2026 : c'est la cause la plus probable.")


@pytest.mark.parametrize(("family", "step", "name"), [
    ("factures", Step.FACTURES, "Factures"),
    ("structures", Step.STRUCTURES, "Structures"),
    ("transverses", Step.TRANSVERSES, "Transverses"),
    ("utilisateurs", Step.UTILISATEURS, "Utilisateurs"),
])
async def test_unsubscribed_family_is_named(family, step, name):
    clock = ManualClock()
    report = await _run(clock, simulator(clock, unsubscribed={family}))

    by_step = {result.step: result for result in report.steps}
    failed = [result.step for result in report.steps if result.outcome is Outcome.FAILURE]
    assert failed == [step]
    assert isinstance(by_step[step].error, ApiNotSubscribed)
    assert str(by_step[step].cause) == (
        f"L'application PISTE n'a pas accès à l'API {name} (Qualification). Dans PISTE, acceptez les "
        f"conditions générales d'utilisation de l'API {name} et abonnez-y l'application, pour cet "
        "environnement. Si toutes les API sont refusées, le raccordement API de l'application n'est pas "
        "déclaré sur le portail Chorus Pro."
    )
    assert by_step[Step.TECHNICAL_ACCOUNT].ok
    assert by_step[Step.SUPPLIER].outcome is Outcome.SKIPPED


async def test_every_family_refused_suggests_raccordement():
    clock = ManualClock()
    sim = simulator(clock, unsubscribed={"factures", "structures", "transverses", "utilisateurs"})
    report = await _run(clock, sim)

    account = report.steps[1]
    assert account.outcome is Outcome.FAILURE
    assert str(account.cause).startswith("Aucune API n'accepte cette application (Qualification) : le "
                                         "raccordement API n'est probablement pas déclaré")


async def test_maintenance_is_not_credentials():
    clock = ManualClock()
    report = await _run(clock, simulator(clock, maintenance=True))

    account = report.steps[1]
    assert isinstance(account.error, ChorusUnavailable)
    assert account.cause == account.error.message
    assert "Chorus Pro est en maintenance" in str(account.explanation)
    assert "identifiants ne sont pas en cause" in str(account.explanation)
    assert account.detail is None
    assert all(result.outcome is Outcome.SKIPPED for result in report.steps[2:])


@pytest.mark.parametrize("kind", ["503", "html"])
async def test_token_endpoint_down_is_unavailable(kind):
    clock = ManualClock()
    sim = simulator(clock)
    sim.fail_next(kind, path_contains="oauth", count=5)
    report = await _run(clock, sim)

    token = report.steps[0]
    assert isinstance(token.error, ChorusUnavailable)
    assert token.cause.key.startswith("chorus.unavailable_")


async def test_refused_connection_points_to_addresses():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    report = await collect_connection_test(settings(), credentials(), transport=httpx.MockTransport(refuse),
                                           clock=ManualClock())

    token = report.steps[0]
    assert isinstance(token.error, ChorusUnavailable)
    assert token.error.reason == "connection"
    assert str(token.cause) == (
        "Impossible de joindre http://127.0.0.1:9/api/oauth/token (api/oauth/token) : la connexion a été refusée "
        "ou n'a pas abouti. Vérifiez les adresses affichées sur l'écran de connexion (ou « chorus-tui config "
        "show ») et la connexion réseau ; si elles sont justes, le serveur est peut-être arrêté : réessayez plus "
        "tard. Vos identifiants ne sont pas en cause."
    )


async def test_timeout_keeps_try_later_cause():
    clock = ManualClock()
    sim = simulator(clock)
    sim.fail_next("connect_timeout", path_contains="oauth", count=5)
    report = await _run(clock, sim)

    token = report.steps[0]
    assert token.error.reason == "timeout"
    assert token.cause.key == "chorus.unavailable_timeout"
    assert "Réessayez plus tard" in str(token.cause)


async def test_unavailable_during_families_stops_run():
    clock = ManualClock()
    sim = simulator(clock)
    sim.fail_next("503", path_contains="factures", count=5)
    report = await _run(clock, sim)

    by_step = {result.step: result for result in report.steps}
    assert isinstance(by_step[Step.FACTURES].error, ChorusUnavailable)
    assert by_step[Step.STRUCTURES].outcome is Outcome.SKIPPED
    assert by_step[Step.SUPPLIER].outcome is Outcome.SKIPPED


async def test_expiry_warning_on_success():
    clock = ManualClock()
    clock.advance((DEMO_SUPPLIER.technical_password_expiry - clock.now()).total_seconds() - 5 * 86_400)
    report = await _run(clock, simulator(clock))

    supplier = report.steps[-1]
    assert supplier.ok
    assert supplier.warning is not None
    assert supplier.warning.key == "connection.password_expires_urgent"


@pytest.mark.parametrize(("days", "key"), [
    (60, None),
    (31, None),
    (30, "connection.password_expires_soon"),
    (8, "connection.password_expires_soon"),
    (7, "connection.password_expires_urgent"),
    (1, "connection.password_expires_urgent"),
    (0, "connection.password_expires_today"),
    (-1, "connection.password_expired"),
])
def test_password_expiry_warning_thresholds(days, key):
    today = date(2026, 3, 2)
    expiry = date.fromordinal(today.toordinal() + days)
    warning = password_expiry_warning(expiry, today)
    assert (warning.key if warning else None) == key


def test_password_expiry_warning_text():
    warning = password_expiry_warning(date(2026, 3, 9), date(2026, 3, 2))
    assert str(warning) == ("Le mot de passe du compte technique expire dans 7 jours, le 09/03/2026. "
                            "Faites-le réinitialiser sans attendre sur le portail Chorus Pro.")
    assert str(password_expiry_warning(date(2026, 2, 20), date(2026, 3, 2))).startswith(
        "Le mot de passe du compte technique a expiré le 20/02/2026 (il y a 10 jours).")


def test_password_expiry_warning_date_in_english():
    warning = password_expiry_warning(date(2026, 3, 9), date(2026, 3, 2))
    assert "on 2026-03-09" in warning.render("en")
    assert "le 09/03/2026" in warning.render("fr")


def test_password_expiry_warning_without_date():
    assert password_expiry_warning(None, date(2026, 3, 2)) is None
