"""Connection screen: enter the PISTE application and the technical account, test them, choose the supplier, save.

The screen shows the environment with what it means and the two addresses the
test will contact, and requests the invoice folder. It delegates the work to
the core: `chorus_tui.connection` runs the test and saves the setup,
`chorus_tui.secrets` stores the secrets. It dismisses with a `ConnectionSetup`
(None when cancelled) and posts `ConnectionScreen.Configured` after a save,
so the app can build its client. Every dependency is injectable, so tests run
it against the simulator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import SecretStr, ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message as TextualMessage
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import Clock
from chorus_tui.config import AppConfig, ConfigError, EnvironmentUrls, load_config
from chorus_tui.connection import (
    ConnectionSetup,
    Outcome,
    Step,
    StepResult,
    SupplierOption,
    is_technical_login,
    run_connection_test,
    save_connection_setup,
)
from chorus_tui.i18n import t
from chorus_tui.secrets import KeyringStatus, SecretName, SecretsError, SecretStorage, SecretStore
from chorus_tui.ui.formatting import format_date

logger = logging.getLogger(__name__)

__all__ = ["ConnectionScreen", "ConnectionSetup", "QuitConfirmScreen", "SecretStorageScreen"]

STEP_MARKS = {Outcome.SUCCESS: "✓", Outcome.FAILURE: "✗", Outcome.SKIPPED: "–"}

CREDENTIAL_FIELDS = ("client-id", "client-secret", "technical-login", "technical-password")
URL_FIELDS = ("token-url", "api-url")
FOLDER_FIELD = "invoice-folder"


class TranslatedSelectOverlay(SelectOverlay):
    """Textual's drop-down list of a Select, with its Escape key described in the catalogue language."""

    # Replaces the parent's English "esc Dismiss menu", which the footer shows while the list is open.
    BINDINGS = [
        Binding("escape", "dismiss", t("connection.binding_close_menu"), key_display=t("ui.keyname_escape")),
    ]


class TranslatedSelect(Select):
    """A Select whose open list shows its footer key in the catalogue language."""

    def compose(self) -> ComposeResult:
        # NOTE: copies the children of Select.compose in Textual 8.2.8 (a private module), overlay swapped;
        # check it when Textual is upgraded.
        yield SelectCurrent(self.prompt)
        yield TranslatedSelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class SecretStorageScreen(ModalScreen[SecretStorage | None]):
    """Asks where to keep the secrets when the system keyring cannot: this session, or a 0600 file."""

    CSS_PATH = "connection.tcss"

    BINDINGS = [
        Binding("escape", "cancel", t("connection.binding_cancel"), key_display=t("ui.keyname_escape"),
                id="storage_cancel"),
    ]

    def __init__(self, status: KeyringStatus, file_path: Path) -> None:
        super().__init__(id="secret-storage")
        self.status = status
        self.file_path = file_path

    def compose(self) -> ComposeResult:
        with Vertical(id="storage-dialog"):
            yield Static(t("connection.storage_title"), id="storage-title")
            yield Static(str(self.status.detail), id="storage-reason")
            yield Static(t("connection.storage_question"))
            yield Button(t("connection.storage_memory"), id="storage-memory", variant="primary", compact=True)
            yield Button(t("connection.storage_file"), id="storage-file", variant="warning", compact=True)
            yield Static(t("secrets.file_warning", path=str(self.file_path)), id="storage-file-warning")
        # Without its own footer the modal would show the connection screen's keys, which do not reach it.
        yield Footer(compact=True, show_command_palette=False)

    @on(Button.Pressed, "#storage-memory")
    def _choose_memory(self) -> None:
        self.dismiss(SecretStorage.MEMORY)

    @on(Button.Pressed, "#storage-file")
    def _choose_file(self) -> None:
        self.dismiss(SecretStorage.FILE)

    def action_cancel(self) -> None:
        self.dismiss(None)


class QuitConfirmScreen(ModalScreen[bool]):
    """Asks before Escape leaves the connection screen that opened the application, which then closes."""

    CSS_PATH = "connection.tcss"

    BINDINGS = [
        Binding("escape", "stay", t("connection.quit_stay"), key_display=t("ui.keyname_escape"), id="quit_stay"),
    ]

    def __init__(self) -> None:
        super().__init__(id="quit-confirm")

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog"):
            yield Static(t("connection.quit_title"), id="quit-title")
            yield Static(t("connection.quit_detail"), id="quit-detail")
            with Horizontal(id="quit-buttons"):
                yield Button(t("connection.quit_stay"), id="quit-stay", variant="primary", compact=True)
                yield Button(t("connection.quit_leave"), id="quit-leave", variant="error", compact=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#quit-stay", Button).focus()

    @on(Button.Pressed, "#quit-leave")
    def _leave(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#quit-stay")
    def _stay_pressed(self) -> None:
        self.dismiss(False)

    def action_stay(self) -> None:
        self.dismiss(False)


class ConnectionScreen(Screen[ConnectionSetup | None]):
    """Form of the connection settings with a step-by-step connection test."""

    CSS_PATH = "connection.tcss"

    # The footer has to fit in 80 columns. So Ctrl+R appears once, as "show" or "hide" after the state of
    # the secret inputs (see `check_action`), and the application's ? and q keys work without a footer entry.
    BINDINGS = [
        Binding("ctrl+t", "test_connection", t("connection.binding_test"), key_display="Ctrl+T",
                id="connection_test", priority=True),
        Binding("ctrl+r", "show_secrets", t("connection.binding_show_secrets"), key_display="Ctrl+R",
                id="connection_show_secrets", priority=True),
        Binding("ctrl+r", "hide_secrets", t("connection.binding_hide_secrets"), key_display="Ctrl+R",
                id="connection_hide_secrets", priority=True),
        Binding("ctrl+s", "save", t("connection.binding_save"), key_display="Ctrl+S", id="connection_save",
                priority=True),
        Binding("escape", "cancel", t("connection.binding_cancel"), key_display=t("ui.keyname_escape"),
                id="connection_cancel"),
        Binding("question_mark", "app.help", show=False),
        Binding("q", "app.quit", show=False),
    ]

    class Configured(TextualMessage):
        """Posted once a tested setup has been saved."""

        def __init__(self, setup: ConnectionSetup) -> None:
            super().__init__()
            self.setup = setup

    def __init__(
        self,
        *,
        profile: str | None = None,
        config_loader: Callable[[], AppConfig] = load_config,
        secret_store: SecretStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        config_file: Path | None = None,
    ) -> None:
        super().__init__(id="connection")
        self._config_loader = config_loader
        self._requested_profile = profile
        self._secret_store = secret_store
        self._transport = transport
        self._clock = clock
        self._config_file = config_file
        self.profile = profile or "default"
        self.config = AppConfig()
        self.config_error: ConfigError | None = None
        self.results: list[StepResult] = []
        self.suppliers: tuple[SupplierOption, ...] = ()
        self.tested_credentials: Credentials | None = None
        self.tested_environment: Environment | None = None
        self.tested_settings: ConnectionSettings | None = None
        self.setup: ConnectionSetup | None = None
        self.secrets_masked = True
        # The addresses typed for each environment, kept when the user switches environments back and forth.
        self.typed_urls: dict[Environment, tuple[str, str]] = {}
        self.shown_environment: Environment | None = None

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._load_config()
        profile = self.config.profile(self.profile)
        environments = [(t(f"connection.environment_{environment}"), environment) for environment in Environment]

        yield Header()
        with VerticalScroll(id="connection-form"):
            yield Static(t("connection.where_to_find"), id="connection-where")
            if self.config_error is not None:
                yield Static(str(self.config_error.message), id="config-error", classes="setting-error")

            yield from self._choice("environment", t("connection.label_environment"), environments,
                                    value=profile.environment, allow_blank=False)
            yield Static("", id="environment-note", classes="setting-note")
            settings = profile.connection_settings()
            yield from self._field("token-url", t("connection.label_token_url"), settings.token_url)
            yield from self._field("api-url", t("connection.label_api_url"), settings.api_url)
            yield from self._field("client-id", t("connection.label_client_id"), profile.client_id or "")
            yield from self._field("client-secret", t("connection.label_client_secret"),
                                   self._stored_secret(SecretName.CLIENT_SECRET), password=True)
            yield from self._field("technical-login", t("connection.label_technical_login"),
                                   profile.technical_login or "", placeholder=t("connection.placeholder_login"))
            yield from self._field("technical-password", t("connection.label_technical_password"),
                                   self._stored_secret(SecretName.TECHNICAL_PASSWORD), password=True)
            folder = str(profile.invoice_folder) if profile.invoice_folder else ""
            yield from self._field(FOLDER_FIELD, t("connection.label_invoice_folder"), folder,
                                   placeholder=t("connection.placeholder_invoice_folder"))
            yield Static("", id="invoice-folder-note", classes="setting-note")

            yield Static(t("connection.not_tested"), id="connection-status")
            with Vertical(id="connection-steps"):
                for step in Step:
                    yield Static("", id=f"step-{step}", classes="step")

            with Vertical(id="supplier-choice"):
                yield from self._choice("supplier", t("connection.label_supplier"), [])
                yield from self._choice("bank-account", t("connection.label_bank_account"), [])
                yield Static("", id="bank-account-note", classes="setting-note")
                yield Static("", id="password-expiry", classes="setting-note")

        # Outside the scrolled form, so the actions stay in view whatever the size of the results.
        with Horizontal(id="connection-buttons"):
            yield Button(t("connection.button_test"), id="test", variant="primary", compact=True)
            yield Button(t("connection.button_save"), id="save", variant="success", compact=True)
            yield Button(t("connection.button_cancel"), id="cancel", compact=True)
        yield Footer(compact=True, show_command_palette=False)

    def _choice(self, select_id: str, label: str, options: list[tuple[str, object]],
                **select_options: object) -> ComposeResult:
        with Horizontal(classes="setting-row"):
            yield Label(label, classes="setting-label")
            yield TranslatedSelect(options, id=select_id, compact=True, classes="setting-input", **select_options)

    def _field(self, field_id: str, label: str, value: str, *, password: bool = False,
               placeholder: str = "") -> ComposeResult:
        with Horizontal(classes="setting-row", id=f"{field_id}-row"):
            yield Label(label, classes="setting-label")
            yield Input(value, id=field_id, password=password, placeholder=placeholder, compact=True,
                        classes="setting-input")
        yield Static("", id=f"{field_id}-error", classes="setting-error")

    def on_mount(self) -> None:
        self.sub_title = t("connection.label_profile", profile=self.profile)
        for error_label in self.query(".setting-error").exclude("#config-error"):
            error_label.display = False
        self.query_one("#supplier-choice").display = False
        self._show_pending_steps()
        self._show_environment(self.environment)
        self._describe_folder()
        # Start where typing is needed: the first empty field, else the test button.
        empty = [field for field in self.query(".setting-input").results(Input) if not field.value and not field.disabled]
        (empty[0] if empty else self.query_one("#test", Button)).focus()

    # -- environment and addresses --------------------------------------------------------------------

    @on(Select.Changed, "#environment")
    def _environment_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._show_environment(Environment(event.value))

    def _show_environment(self, environment: Environment) -> None:
        """Show what the environment is, put it in the title, and fill in the addresses the test will contact."""
        previous = self.shown_environment
        if previous is not None and previous is not environment:
            self.typed_urls[previous] = (self._value("token-url"), self._value("api-url"))
        if previous is not environment:
            settings = self.config.profile(self.profile).connection_settings(environment)
            token_url, api_url = self.typed_urls.get(environment, (settings.token_url, settings.api_url))
            self.query_one("#token-url", Input).value = token_url
            self.query_one("#api-url", Input).value = api_url
        self.shown_environment = environment
        name = t(f"connection.environment_{environment}")
        self.title = t("connection.title_environment", environment=name)
        self._set_note("#environment-note", t(f"connection.environment_note_{environment}"))
        # The demo's simulator runs in-process and its addresses are never contacted, so they are not editable.
        for field_id in URL_FIELDS:
            self.query_one(f"#{field_id}", Input).disabled = environment is Environment.DEMO

    def _settings(self, environment: Environment) -> ConnectionSettings | None:
        """Return the addresses typed for `environment`, or None after showing an error under an invalid one."""
        if environment is Environment.DEMO:
            return ConnectionSettings.for_environment(environment)
        errors: dict[str, str] = {}
        values = {field_id: self._value(field_id) for field_id in URL_FIELDS}
        for field_id, value in values.items():
            try:
                EnvironmentUrls(token_url=value or None)
            except ValidationError:
                errors[field_id] = t("connection.url_invalid", value=value)
            if not value:
                errors[field_id] = t("connection.required")
        self._show_errors(URL_FIELDS, errors)
        if errors:
            return None
        return ConnectionSettings(environment, values["token-url"].rstrip("/"), values["api-url"].rstrip("/"))

    # -- invoice folder -----------------------------------------------------------------------------

    @on(Input.Changed, "#invoice-folder")
    def _folder_changed(self) -> None:
        self._describe_folder()

    def _folder_path(self) -> Path | None:
        value = self._value(FOLDER_FIELD)
        return Path(value).expanduser() if value else None

    def _folder_problem(self, folder: Path | None) -> str | None:
        """Return why `folder` cannot be the invoice folder, or None when it is an existing folder."""
        if folder is None:
            return t("connection.folder_required")
        if not folder.exists():
            return t("connection.folder_missing", folder=str(folder))
        if not folder.is_dir():
            return t("connection.folder_not_directory", folder=str(folder))
        return None

    def _describe_folder(self) -> None:
        """Show under the folder field how many PDF files it contains, or why it cannot be used."""
        from chorus_tui.sources.folder import FolderSource

        folder = self._folder_path()
        if folder is None or self._folder_problem(folder) is not None:
            self._set_note("#invoice-folder-note", "")
            return
        count = len(FolderSource(folder).pdf_paths())
        self._set_note("#invoice-folder-note", t("connection.folder_pdf_count", count=count))

    def _load_config(self) -> None:
        try:
            self.config = self._config_loader()
        except ConfigError as error:
            # The form still opens with defaults; saving will report the same error.
            self.config_error = error
            self.config = AppConfig()
        if self._requested_profile is None:
            self.profile = self.config.default_profile

    @property
    def secret_store(self) -> SecretStore:
        if self._secret_store is None:
            self._secret_store = SecretStore(self.profile)
        return self._secret_store

    def _stored_secret(self, name: SecretName) -> str:
        try:
            found = self.secret_store.get(name)
        except SecretsError as error:
            logger.warning("stored secret unreadable for profile %s: %s", self.profile, error.message.key)
            return ""
        return found.get_secret_value() if found else ""

    # -- form values --------------------------------------------------------------------------------

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def _validate(self) -> Credentials | None:
        """Check every credential field, show one inline error per invalid field, and return the credentials if all pass."""
        errors: dict[str, str] = {}
        for field_id in CREDENTIAL_FIELDS:
            if not self._value(field_id):
                errors[field_id] = t("connection.required")
        login = self._value("technical-login")
        if login and not is_technical_login(login):
            errors["technical-login"] = t("connection.login_invalid", value=login)

        self._show_errors(CREDENTIAL_FIELDS, errors)
        if errors:
            return None
        return Credentials(
            client_id=self._value("client-id"),
            client_secret=SecretStr(self._value("client-secret")),
            technical_login=login,
            technical_password=SecretStr(self._value("technical-password")),
        )

    def _show_errors(self, field_ids: tuple[str, ...], errors: dict[str, str]) -> None:
        """Show each error under its field, clear the others, and put the cursor in the first invalid field."""
        for field_id in field_ids:
            error_label = self.query_one(f"#{field_id}-error", Static)
            error_label.update(errors.get(field_id, ""))
            error_label.display = field_id in errors
            self.query_one(f"#{field_id}", Input).set_class(field_id in errors, "-invalid")
            self.query_one(f"#{field_id}-row").set_class(field_id in errors, "-invalid")
        if errors:
            first = self.query_one(f"#{next(iter(errors))}", Input)
            first.focus()
            self.call_after_refresh(first.scroll_visible)

    @property
    def environment(self) -> Environment:
        return Environment(self.query_one("#environment", Select).value)

    # -- actions --------------------------------------------------------------------------------------

    @on(Button.Pressed, "#test")
    def _test_pressed(self) -> None:
        self.action_test_connection()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Both Ctrl+R bindings lead to the same toggle; only the one that matches the inputs is active.
        if action == "show_secrets":
            return self.secrets_masked
        if action == "hide_secrets":
            return not self.secrets_masked
        return True

    def action_show_secrets(self) -> None:
        self.action_toggle_secrets()

    def action_hide_secrets(self) -> None:
        self.action_toggle_secrets()

    def action_toggle_secrets(self) -> None:
        self.secrets_masked = not self.secrets_masked
        for field_id in ("client-secret", "technical-password"):
            self.query_one(f"#{field_id}", Input).password = self.secrets_masked
        self.refresh_bindings()

    @property
    def opened_the_app(self) -> bool:
        """Tell whether this screen is the application's first, so that leaving it closes the application."""
        return len(self.app.screen_stack) <= 2 and self.app.screen_stack[-1] is self

    def action_cancel(self) -> None:
        if self.opened_the_app:
            self.app.push_screen(QuitConfirmScreen(), self._quit_answered)
            return
        self._leave()

    def _quit_answered(self, leave: bool | None) -> None:
        if leave:
            self._leave()

    def _leave(self) -> None:
        self.workers.cancel_group(self, "connection")
        self.dismiss(None)

    def action_test_connection(self) -> None:
        # The addresses are checked last, so that the cursor lands in the invalid field highest in the form.
        credentials = self._validate()
        settings = self._settings(self.environment)
        if settings is None or credentials is None:
            return
        self._reset_results()
        self.run_worker(self._run_test(settings, credentials), name="connection-test",
                        group="connection", exclusive=True, exit_on_error=False)

    def _reset_results(self) -> None:
        self.results = []
        self.suppliers = ()
        self.tested_credentials = None
        self.tested_environment = None
        self.tested_settings = None
        self.query_one("#supplier-choice").display = False
        self._show_pending_steps()
        self._set_status(t("connection.testing"), "")
        self.query_one("#test", Button).disabled = True

    def _show_pending_steps(self) -> None:
        for step in Step:
            line = self.query_one(f"#step-{step}", Static)
            line.update(f"· {t(f'connection.step_{step}')}")
            line.set_classes("step -pending")

    async def _run_test(self, settings: ConnectionSettings, credentials: Credentials) -> None:
        profile = self.config.profile(self.profile)
        environment = settings.environment
        try:
            async for result in run_connection_test(
                settings, credentials,
                transport=self._transport_for(environment),
                clock=self._clock,
                supplier_siret=profile.supplier_siret,
                stored_password_expiry=profile.technical_password_expiry,
            ):
                self._show_result(result)
        except Exception:
            # The app's failed-worker handler shows and logs the error itself.
            self._set_status(t("connection.test_failed"), "-failure")
            raise
        finally:
            self.query_one("#test", Button).disabled = False

        if all(result.ok for result in self.results):
            self.tested_credentials = credentials
            self.tested_environment = environment
            self.tested_settings = settings
            self._show_supplier_choice()
            self._set_status(t("connection.test_succeeded"), "-success")
        else:
            self._set_status(t("connection.test_failed"), "-failure")
            # A long cause can push the failed step below the fold, so it is scrolled into view.
            failed = next((result for result in self.results if result.outcome is Outcome.FAILURE), None)
            if failed is not None:
                self.call_after_refresh(self.query_one(f"#step-{failed.step}").scroll_visible)

    def _transport_for(self, environment: Environment) -> httpx.AsyncBaseTransport | None:
        if self._transport is not None or environment is not Environment.DEMO:
            return self._transport
        # The demo environment has no server and its URLs are never resolved,
        # so the in-process simulator handles the requests.
        from chorus_tui.clock import SystemClock
        from chorus_tui.sandbox.simulator import Simulator

        self._transport = Simulator(self._clock or SystemClock()).transport()
        return self._transport

    def _show_result(self, result: StepResult) -> None:
        self.results.append(result)
        # A failure leads with the likely cause and its fix; the server's own words follow, dimmed.
        text = Text(f"{STEP_MARKS[result.outcome]} {result.title} — {result.explanation}")
        if result.detail is not None:
            text.append(f"\n{result.detail}", style="dim")
        if result.warning is not None:
            text.append(f"\n⚠ {result.warning}", style="bold")
        line = self.query_one(f"#step-{result.step}", Static)
        line.update(text)
        line.set_classes(f"step -{result.outcome}")
        if result.step is Step.SUPPLIER and result.ok:
            self.suppliers = result.suppliers

    def _set_status(self, text: str, state: str) -> None:
        status = self.query_one("#connection-status", Static)
        status.update(text)
        status.set_classes(state)

    # -- supplier and bank account ------------------------------------------------------------------

    def _show_supplier_choice(self) -> None:
        options = [
            (t("connection.supplier_option", name=supplier.name or "?", siret=supplier.siret or "?"),
             supplier.structure_id)
            for supplier in self.suppliers
        ]
        configured = self.config.profile(self.profile).supplier_structure_id
        known_ids = {supplier.structure_id for supplier in self.suppliers}
        selected = configured if configured in known_ids else self.suppliers[0].structure_id

        supplier_select = self.query_one("#supplier", Select)
        supplier_select.set_options(options)
        supplier_select.value = selected
        supplier_select.disabled = len(options) == 1
        choice = self.query_one("#supplier-choice")
        choice.display = True
        self._fill_bank_accounts(selected)
        self.call_after_refresh(choice.scroll_visible)

    @on(Select.Changed, "#supplier")
    def _supplier_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self._fill_bank_accounts(event.value)

    def _fill_bank_accounts(self, structure_id: int) -> None:
        supplier = self._supplier(structure_id)
        bank_select = self.query_one("#bank-account", Select)
        options = [(t("connection.bank_option", name=account.name or "?", id=account.account_id),
                    account.account_id) for account in supplier.bank_accounts]
        bank_select.set_options(options)
        configured = self.config.profile(self.profile).bank_account_id
        account_ids = [account.account_id for account in supplier.bank_accounts]
        if account_ids:
            bank_select.value = configured if configured in account_ids else account_ids[0]
        note = "" if account_ids else t("connection.no_bank_account")
        self._set_note("#bank-account-note", note)

        expiry = supplier.password_expiry
        self._set_note("#password-expiry", t("connection.expiry_label", date=format_date(expiry)) if expiry else "")

    def _set_note(self, selector: str, text: str) -> None:
        note = self.query_one(selector, Static)
        note.update(text)
        note.display = bool(text)

    def _supplier(self, structure_id: int) -> SupplierOption:
        return next(supplier for supplier in self.suppliers if supplier.structure_id == structure_id)

    # -- save ---------------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.tested_credentials is None or self.tested_environment is None or not self.suppliers:
            failed = next((result for result in self.results if result.outcome is Outcome.FAILURE), None)
            if failed is not None:
                self.notify(t("connection.test_failed_save", step=str(failed.title)), severity="warning")
            else:
                self.notify(t("connection.test_first"), severity="warning")
            return
        problem = self._folder_problem(self._folder_path())
        self._show_errors((FOLDER_FIELD,), {FOLDER_FIELD: problem} if problem else {})
        if problem is not None:
            return
        status = self.secret_store.keyring_status()
        if status.usable:
            self._save(SecretStorage.KEYRING)
            return
        self.app.push_screen(SecretStorageScreen(status, self.secret_store.file_path), self._storage_chosen)

    def _storage_chosen(self, storage: SecretStorage | None) -> None:
        if storage is not None:
            self._save(storage)

    def _save(self, storage: SecretStorage) -> None:
        assert self.tested_credentials is not None and self.tested_environment is not None
        supplier = self._supplier(self.query_one("#supplier", Select).value)
        bank_value = self.query_one("#bank-account", Select).value
        setup = ConnectionSetup(
            profile=self.profile,
            settings=self.tested_settings or self.config.profile(self.profile).connection_settings(
                self.tested_environment),
            credentials=self.tested_credentials,
            supplier=supplier,
            bank_account_id=bank_value if isinstance(bank_value, int) else None,
            storage=storage,
            transport=self._transport,
            invoice_folder=self._folder_path().resolve() if self._folder_path() else None,
        )
        try:
            save_connection_setup(setup, store=self.secret_store, config_file=self._config_file)
        except SecretsError as error:
            logger.warning("saving secrets of profile %s failed: %s", self.profile, error.message.key)
            if storage is SecretStorage.KEYRING:
                # The keyring looked usable but failed: offer the two fallbacks.
                status = KeyringStatus(False, self.secret_store.keyring_status().backend_name, error.message)
                self.app.push_screen(SecretStorageScreen(status, self.secret_store.file_path),
                                     self._storage_chosen)
            else:
                self.notify(t("connection.save_failed", error=str(error.message)), severity="error")
            return
        except (ConfigError, ValueError, OSError) as error:
            message = error.message if isinstance(error, ConfigError) else error
            logger.warning("saving configuration of profile %s failed: %s", self.profile, type(error).__name__)
            self.notify(t("connection.save_failed", error=str(message)), severity="error", timeout=15)
            return

        self.setup = setup
        self.notify(t("connection.saved", profile=self.profile, storage=t(f"secrets.storage_{storage}")))
        # Posted to the app: this screen is gone once dismissed.
        self.app.post_message(self.Configured(setup))
        self.dismiss(setup)
