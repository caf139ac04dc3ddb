"""Layout of the connection screen at usual terminal sizes: what must be in view without scrolling, and the footer."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Select, Static
from textual.widgets._footer import FooterKey

from chorus_tui.clock import ManualClock
from chorus_tui.connection import Step
from chorus_tui.i18n import set_language
from chorus_tui.secrets import SecretStore
import chorus_tui.ui
from chorus_tui.ui.screens.connection import ConnectionScreen, SecretStorageScreen

from .helpers import simulator
from .test_connection_screen import ScreenHost, _fill, _test_connection

SIZES = [(100, 30), (80, 24)]


class StyledHost(ScreenHost):
    """The bare host with the application's stylesheet, whose rules reach every screen."""

    CSS_PATH = Path(chorus_tui.ui.__file__).with_name("app.tcss")


@pytest.fixture(autouse=True)
def french():
    set_language("fr")
    yield
    set_language("fr")


def _host(clock: ManualClock, **auth: object) -> StyledHost:
    screen = ConnectionScreen(profile="default", transport=simulator(clock, **auth).transport(), clock=clock,
                              secret_store=SecretStore("default"))
    return StyledHost(screen)


def _assert_in_view(screen: Screen, *selectors: str) -> None:
    """Check that each widget is shown whole: inside the screen and, for the form's widgets, inside the form."""
    form = screen.query("#connection-form").first() if screen.query("#connection-form") else None
    screen_region = Region(0, 0, *screen.app.size)
    for selector in selectors:
        widget = screen.query_one(selector, Widget)
        region = widget.region
        assert region.area > 0, f"{selector} is not shown"
        assert screen_region.contains_region(region), f"{selector} at {region} is outside the screen"
        if form is not None and form in widget.ancestors:
            assert form.region.contains_region(region), f"{selector} at {region} is outside the form {form.region}"


def _footer_keys(screen: Screen) -> list[FooterKey]:
    return list(screen.query_one(Footer).query(FooterKey))


def _footer_labels(screen: Screen) -> list[str]:
    return [f"{key.key_display} {key.description}" for key in _footer_keys(screen)]


@pytest.mark.parametrize("size", SIZES)
async def test_form_and_actions_in_view(size):
    clock = ManualClock()
    host = _host(clock)

    async with host.run_test(size=size) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        # The environment, what it means and the addresses the test will contact come first.
        _assert_in_view(screen, "#environment", "#environment-note", "#token-url", "#api-url", "#client-id",
                        "#test", "#save", "#cancel")
        if size == (100, 30):
            _assert_in_view(screen, "#technical-password", "#invoice-folder", "#connection-status",
                            "#connection-steps")
        assert screen.query_one("#connection-form").scroll_y == 0


@pytest.mark.parametrize("size", SIZES)
async def test_results_and_choice_in_view(size):
    clock = ManualClock()
    host = _host(clock)

    async with host.run_test(size=size) as pilot:
        await _fill(pilot)
        screen = await _test_connection(pilot)
        await pilot.pause()
        for step in Step:
            assert str(screen.query_one(f"#step-{step}", Static).render()).startswith("✓"), step
        _assert_in_view(screen, "#technical-password", "#connection-status", "#connection-steps",
                        "#supplier", "#bank-account", "#password-expiry", "#test", "#save")
        expiry = screen.query_one("#password-expiry", Static)
        assert expiry.content_size.width >= len(str(expiry.render())), "the expiry note is cut"
        if size == (100, 30):
            assert screen.query_one("#connection-form").max_scroll_y == 0


async def test_failed_step_brought_into_view():
    clock = ManualClock()
    host = _host(clock, refuse_account=True)

    async with host.run_test(size=(80, 24)) as pilot:
        await _fill(pilot)
        screen = await _test_connection(pilot)
        await pilot.pause()
        assert str(screen.query_one(f"#step-{Step.TECHNICAL_ACCOUNT}", Static).render()).startswith("✗")
        # The cause is long at 80 columns, so only its first line is required in view.
        line = screen.query_one(f"#step-{Step.TECHNICAL_ACCOUNT}").region
        form = screen.query_one("#connection-form").region
        assert form.y <= line.y < form.bottom
        _assert_in_view(screen, "#test", "#save")


async def test_inline_error_under_field():
    clock = ManualClock()
    host = _host(clock)

    async with host.run_test(size=(100, 30)) as pilot:
        await _fill(pilot, login="jean.dupont@example.fr")
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = pilot.app.screen
        field = screen.query_one("#technical-login", Input).region
        error = screen.query_one("#technical-login-error", Static).content_region
        assert error.y == field.bottom
        assert error.x == field.x
        assert screen.query_one("#technical-login-row").has_class("-invalid")
        _assert_in_view(screen, "#technical-password", "#test", "#save")


async def test_where_to_find_credentials_shown():
    clock = ManualClock()
    host = _host(clock)

    async with host.run_test(size=(100, 30)) as pilot:
        text = str(pilot.app.screen.query_one("#connection-where", Static).render())
        assert "piste.gouv.fr" in text
        assert "gestionnaire principal" in text
        assert "Raccordements" in text
        _assert_in_view(pilot.app.screen, "#connection-where")


async def test_first_empty_field_focused():
    clock = ManualClock()
    host = _host(clock)

    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert pilot.app.screen.focused is pilot.app.screen.query_one("#client-id", Input)


async def test_footer_french_within_80_columns():
    host = _host(ManualClock())

    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        labels = _footer_labels(pilot.app.screen)
        assert labels == ["Ctrl+T Tester", "Ctrl+R Afficher les secrets", "Ctrl+S Enregistrer", "Échap Annuler"]
        assert max(key.region.right for key in _footer_keys(pilot.app.screen)) <= 80
        footer_text = " ".join(labels)
        for english in ("Quit", "palette", "Show", "Save", "Cancel"):
            assert english not in footer_text


async def test_footer_label_follows_secrets():
    host = _host(ManualClock())

    async with host.run_test(size=(80, 24)) as pilot:
        screen = pilot.app.screen
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not screen.query_one("#technical-password", Input).password
        assert "Ctrl+R Masquer les secrets" in _footer_labels(screen)

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.query_one("#technical-password", Input).password
        assert "Ctrl+R Afficher les secrets" in _footer_labels(screen)


async def test_open_list_footer_in_french():
    host = _host(ManualClock())

    async with host.run_test(size=(80, 24)) as pilot:
        screen = pilot.app.screen
        screen.query_one("#environment", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#environment", Select).expanded
        labels = _footer_labels(screen)
        assert "Échap Fermer la liste" in labels
        assert not any("Dismiss" in label for label in labels)

        await pilot.press("escape")
        await pilot.pause()
        assert not screen.query_one("#environment", Select).expanded
        assert pilot.app.screen is screen
    assert host.results == []


async def test_storage_choice_footer_own_keys():
    host = _host(ManualClock())

    async with host.run_test(size=(80, 24)) as pilot:
        await _fill(pilot)
        await _test_connection(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, SecretStorageScreen)
        assert _footer_labels(dialog) == ["Échap Annuler"]
        _assert_in_view(dialog, "#storage-memory", "#storage-file", "#storage-file-warning")
