"""The Textual application: screens, background polling and the one handler of failed workers."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, Select, TextArea
from textual.worker import Worker, WorkerState

from chorus_tui.chorus.errors import ApplicationRefused, ChorusError, TechnicalAccountRefused
from chorus_tui.i18n import t
from chorus_tui.statuses import PAYMENT_ISSUED, REJECTED, SUSPENDED, TO_RECYCLE, status_label
from chorus_tui.sync.deposit import DepositOutcome, DepositState
from chorus_tui.ui.context import AppContext
from chorus_tui.ui.keys import APP_BINDINGS, help_sections
from chorus_tui.ui.typography import keep_no_break_spaces
from chorus_tui.ui.messages import InvoicesChanged, PollFinished
from chorus_tui.ui.screens.deposit_form import DepositFormResult

if TYPE_CHECKING:
    from chorus_tui.profiles import ProfileInfo

log = logging.getLogger(__name__)

# After failed polls the wait doubles, up to this many times the poll interval.
POLL_BACKOFF_MAX = 16

# New statuses that ring the terminal bell: the user has to act, or gets paid.
BELL_STATUSES = frozenset({REJECTED, SUSPENDED, TO_RECYCLE, PAYMENT_ISSUED})


def reason_text(comment: str) -> str:
    """Put the plain reason of a Chorus Pro comment first (the field to fix), then the comment as it came."""
    from chorus_tui.sync.actions import explain_reason

    explanation = explain_reason(comment)
    if explanation.field is None:
        return comment
    return f"{explanation.message}\n{comment}"


class ChorusApp(App[None]):
    """chorus-tui: deposit invoices on Chorus Pro and follow them until they are paid."""

    CSS_PATH = "app.tcss"
    BINDINGS = APP_BINDINGS
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, context: AppContext, *, ask_connection: bool = False) -> None:
        super().__init__()
        # Messages carry no-break spaces around French punctuation that a line must not break at.
        keep_no_break_spaces()
        self.context = context
        self.ask_connection = ask_connection
        self.title = t("ui.app_title")
        self.sub_title = context.profile_label
        self._poll_timer: Timer | None = None
        self.polls_done = 0
        self.poll_failures = 0  # consecutive failed polls, for the back-off
        # Set while Chorus Pro refuses the credentials: polling waits for a new connection (c) or p.
        self.credentials_refused: ChorusError | None = None

    # -- start-up ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.ask_connection:
            from chorus_tui.ui.screens.connection import ConnectionScreen

            screen = ConnectionScreen(profile=self.context.profile_name, clock=self.context.clock)
            self.push_screen(screen, self._connection_done)
            return
        self._show_invoices()

    def _connection_done(self, setup: object) -> None:
        if setup is None:
            self.exit()
            return
        self._connect(setup)

    @work(name="connect", group="startup", exit_on_error=False)
    async def _connect(self, setup: object) -> None:
        """Build the client from the kept connection; on failure, say why and show the connection screen again."""
        try:
            if self.context.connect is not None:
                await self.context.connect(setup)
        except Exception as error:
            log.exception("building the connection failed")
            self.show_error(error, context="connect")
            # The dismissed screen is removed in the background; its id must be free before a new one.
            for node in list(self._nodes):
                if node.id == "connection":
                    await node.remove()
            self.ask_connection = True
            self.on_mount()
            return
        self.sub_title = self.context.profile_label
        self._show_invoices()

        # A new connection may find invoices deposited before this tool: link them at once.
        from chorus_tui.ui.screens.reconcile import ReconcileScreen

        self.push_screen(ReconcileScreen(autostart=True))

    def open_connection(self) -> None:
        """Show the connection screen again for the running profile (the `c` key); saving it reconnects."""
        if self.context.demo or self.context.connect is None:
            self.notify(t("ui.connection_demo"), severity="warning")
            return
        from chorus_tui.ui.screens.connection import ConnectionScreen

        screen = ConnectionScreen(profile=self.context.profile_name, clock=self.context.clock)
        self.push_screen(screen, self._reconnect_chosen)

    def _reconnect_chosen(self, setup: object) -> None:
        if setup is not None:
            self._reconnect(setup)

    @work(name="reconnect", group="startup", exit_on_error=False)
    async def _reconnect(self, setup: object) -> None:
        """Rebuild the client from a connection saved again, then poll at once with it.

        The factory's `connect` builds the new client and services, as after the
        first connection; the old client is closed once it is replaced.
        """
        old_client = self.context.client
        try:
            await self.context.connect(setup)
        except Exception as error:
            log.exception("rebuilding the connection failed")
            self.show_error(error, context="connect")
            return
        if old_client is not None and old_client is not self.context.client:
            await old_client.aclose()
        self.sub_title = self.context.profile_label
        screen = self.invoices_screen
        if screen is not None:
            screen.query_one("#profile").update(self.context.profile_label)
        self.poll_failures = 0
        self.credentials_refused = None
        self._refresh_banner()
        log.info("reconnected profile %s", self.context.profile_name)
        self.notify(t("ui.reconnected", profile=self.context.profile_label), timeout=4)
        if screen is not None:
            # The connection screen may have changed the invoice folder: read it again.
            screen.action_refresh_source()
        self.invoices_changed()
        self.schedule_poll(0)

    def _show_invoices(self) -> None:
        from chorus_tui.ui.screens.invoices import InvoicesScreen

        self.push_screen(InvoicesScreen())
        self._start_up()

    @work(name="start-up", group="startup", exit_on_error=False)
    async def _start_up(self) -> None:
        """Finish interrupted deposits, learn the supplier's identity, then start polling."""
        context = self.context
        try:
            if context.deposit_service is not None:
                await context.deposit_service.recover_pending()
                self.invoices_changed()
            if context.client is not None and context.supplier.structure_id is None:
                await self._load_supplier()
        finally:
            self.schedule_poll(0 if context.poller is not None else None)

    async def _load_supplier(self) -> None:
        """Read the supplier structure and its first bank account from Chorus Pro."""
        client = self.context.client
        structures = await client.supplier_structures()
        if not structures:
            self.notify(t("ui.no_supplier_structure"), severity="warning")
            return
        supplier = self.context.supplier
        supplier.structure_id = structures[0].structure_id
        supplier.siret = supplier.siret or structures[0].identifier
        supplier.name = supplier.name or structures[0].name
        source = self.context.source
        if supplier.siret and not getattr(source, "supplier_sirets", True):
            # Detection must not take the supplier's own SIRET for the recipient's.
            source.supplier_sirets = frozenset({supplier.siret})
        accounts = await client.bank_accounts(supplier.structure_id)
        if accounts:
            supplier.bank_account_id = accounts[0].account_id
            supplier.bank_account_label = accounts[0].name or accounts[0].iban
        log.info("supplier structure %s, bank account %s", supplier.structure_id, supplier.bank_account_id)

    async def on_unmount(self) -> None:
        client = self.context.client
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()

    # -- screens ----------------------------------------------------------------------------------

    @property
    def invoices_screen(self) -> Screen | None:
        for screen in self.screen_stack:
            if screen.id == "invoices":
                return screen
        return None

    def invoices_changed(self, *invoice_ids: int) -> None:
        """Tell the invoice list to read the store again (safe to call from the event loop only)."""
        screen = self.invoices_screen
        if screen is not None:
            screen.post_message(InvoicesChanged(tuple(invoice_ids)))

    def open_deposit_form(self, invoice_id: int) -> None:
        from chorus_tui.ui.screens.deposit_form import DepositFormScreen

        self.push_screen(DepositFormScreen(invoice_id), self._deposit_confirmed)

    def _deposit_confirmed(self, result: DepositFormResult | None) -> None:
        if result is None:
            return
        if self.context.deposit_service is None:
            self.notify(t("ui.deposit_unavailable"), severity="error")
            return
        self._deposit(result)
        # The deposit service marks the invoice "Envoi en cours" before its first request.
        self.set_timer(0.05, self.invoices_changed)

    @work(name="deposit", group="deposit", exit_on_error=False)
    async def _deposit(self, result: DepositFormResult) -> None:
        """Send one invoice to Chorus Pro through the deposit service, then report the outcome."""
        row = self.context.store.require_invoice(result.invoice_id)
        number = row.number or row.source_key
        log.info("deposit of invoice %s (local id %d) started", number, result.invoice_id)
        try:
            outcome = await self.context.deposit_service.deposit(result.invoice_id, result.form)
        finally:
            self.invoices_changed(result.invoice_id)
        log.info("deposit of invoice %s ended: %s", number, outcome.state)
        self.report_deposit(number, outcome)

    def report_deposit(self, number: str, outcome: DepositOutcome) -> None:
        """Say how a deposit ended: a toast when it went through or can be retried, a dialog when refused."""
        detail = str(outcome.message) if outcome.message is not None else ""
        if outcome.state in (DepositState.ACCEPTED, DepositState.ADOPTED):
            if outcome.chorus_invoice_id is None and outcome.flow_number:
                # A flow number names the file Chorus Pro received, not the invoice, which comes later.
                text = t("ui.deposit_flow_received", number=number, flow=outcome.flow_number)
            else:
                text = t("ui.deposit_done", number=number, reference=outcome.chorus_invoice_id or "")
            self.notify(text, title=t("ui.deposit_title"))
        elif outcome.state is DepositState.REFUSED:
            from chorus_tui.ui.screens.error import ErrorScreen

            self.push_screen(ErrorScreen(t("ui.deposit_refused_title", number=number), detail))
        elif outcome.state is DepositState.UNKNOWN:
            self.notify(t("ui.deposit_unknown", number=number, detail=detail), severity="warning", timeout=12)
        elif outcome.state is DepositState.NOT_ALLOWED:
            self.notify(t("ui.deposit_not_allowed", number=number, detail=detail), severity="warning", timeout=10)
        else:
            self.notify(t("ui.deposit_failed", number=number, detail=detail), severity="error", timeout=12)

    def on_key(self, event: events.Key) -> None:
        """Handle the keys no widget consumed: letters meant for a text field, and `q`.

        Textual routes each key to the widget focused when the key is read, so
        in a burst (a slow SSH link) the letters typed right after `/` are
        queued for the list before the filter takes the focus. An Input or
        TextArea consumes printable keys, so a printable key that bubbles up
        here while one has the focus was meant for it: hand it over.

        Textual also stops the binding chain at the topmost modal screen, so the
        application's `q` binding never fires over a timeline, the help or a
        dialog: `q` quits here, except in an open list (Select).
        """
        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            if event.is_printable and event.character is not None:
                event.stop()
                focused.post_message(events.Key(event.key, event.character))
            return
        # The open list of a Select is a child of the Select.
        if event.key == "q" and not (focused is not None and isinstance(focused.parent, Select)):
            event.stop()
            self.exit()

    def open_timeline(self, invoice_id: int) -> None:
        from chorus_tui.ui.screens.timeline import TimelineScreen

        self.push_screen(TimelineScreen(invoice_id))

    def action_help(self) -> None:
        from chorus_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        """Open the command palette, its texts in the current language."""
        from chorus_tui.ui.widgets.translated import TranslatedCommandPalette

        if self.use_command_palette and not TranslatedCommandPalette.is_open(self):
            self.push_screen(TranslatedCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        from chorus_tui.ui.widgets.translated import TranslatedCommandPalette

        self.push_screen(TranslatedCommandPalette(providers=[ThemeProvider], placeholder=t("ui.theme_placeholder")))

    def textual_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Yield the useful commands of Textual's palette (theme, keys, maximize, screenshot), translated."""
        yield SystemCommand(t("ui.system.theme"), t("ui.system.theme_tip"), self.action_change_theme)
        yield SystemCommand(t("ui.key.quit"), t("ui.key.quit_tip"), self.action_quit)
        if screen.query("HelpPanel"):
            yield SystemCommand(t("ui.system.keys_hide"), t("ui.system.keys_hide_tip"), self.action_hide_help_panel)
        else:
            yield SystemCommand(t("ui.system.keys"), t("ui.system.keys_tip"), self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(t("ui.system.minimize"), t("ui.system.minimize_tip"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(t("ui.system.maximize"), t("ui.system.maximize_tip"), screen.action_maximize)
        yield SystemCommand(t("ui.system.screenshot"), t("ui.system.screenshot_tip"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Offer every command of the key tables in the palette, after Textual's own in our words."""
        # Textual's own list is in English only: the same commands are rebuilt with translated texts.
        yield from self.textual_commands(screen)
        offered: set[str] = set()
        # The screen's own bindings first, so that a shared action (submit) gets that screen's label.
        own = [binding for binding in getattr(screen, "BINDINGS", []) if isinstance(binding, Binding)]
        for bindings in (own, *(bindings for _, bindings in help_sections())):
            for binding in bindings:
                # Escape commands (close, cancel, clear) mean nothing from the palette.
                if binding.key == "escape" or binding.action in offered:
                    continue
                offered.add(binding.action)
                if hasattr(screen, f"action_{binding.action}"):
                    yield SystemCommand(binding.description, binding.tooltip,
                                        partial(screen.run_action, binding.action))
                elif binding in APP_BINDINGS and binding.action != "quit":
                    yield SystemCommand(binding.description, binding.tooltip,
                                        partial(self.run_action, binding.action))
        if len(self.configured_profiles()) > 1 or (self.context.demo and self.configured_profiles()):
            yield SystemCommand(t("integration.switch_profile"), t("integration.switch_profile_tip"),
                                self.action_switch_profile)

    # -- profiles ---------------------------------------------------------------------------------

    def configured_profiles(self) -> list[ProfileInfo]:
        """Return the profiles of the configuration file, the running one marked active (none in the demo)."""
        from chorus_tui.config import ConfigError, load_config
        from chorus_tui.profiles import list_profiles

        try:
            config = load_config()
        except ConfigError as error:
            log.warning("configuration file unreadable, no profile to offer: %s", error)
            return []
        active = self.context.profile_name or config.default_profile
        # list_profiles adds the default profile even when the file lacks it: offer only real ones.
        profiles = [profile for profile in list_profiles(config, active) if profile.in_file or profile.is_active]
        if self.context.profile_name is None:
            profiles = [dataclasses.replace(profile, is_active=False) for profile in profiles if profile.in_file]
        return profiles

    def action_switch_profile(self) -> None:
        from chorus_tui.ui.screens.profiles import ProfileScreen

        profiles = self.configured_profiles()
        if not any(not profile.is_active for profile in profiles):
            self.notify(t("integration.switch_profile_none"), severity="warning")
            return
        self.push_screen(ProfileScreen(profiles), self._profile_chosen)

    def _profile_chosen(self, name: str | None) -> None:
        if name:
            self.switch_profile(name)

    @work(name="switch-profile", group="profile", exit_on_error=False)
    async def switch_profile(self, name: str) -> None:
        """Reopen the application on profile `name`: its store, folder and connection replace the current ones.

        A deposit in flight is left to finish first, so that its outcome is stored in the right database.
        """
        from chorus_tui.config import ConfigError
        from chorus_tui.factory import build_profile_context
        from chorus_tui.profiles import resolve_profile
        from chorus_tui.secrets import SecretsError
        from chorus_tui.store import StoreError

        for worker in list(self.workers):
            if worker.group == "deposit" and not worker.is_finished:
                await worker.wait()
        try:
            context = build_profile_context(resolve_profile(name), clock=self.context.clock)
        except (ConfigError, SecretsError, StoreError) as error:
            log.error("switching to profile %s failed: %s", name, error)
            self.notify(t("integration.switch_profile_failed", profile=name, error=error), severity="error",
                        timeout=10)
            return

        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        for worker in list(self.workers):
            if worker.group in ("sync", "source") and not worker.is_finished:
                worker.cancel()
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        old = self.context
        self.context = context
        self.polls_done = 0
        self.poll_failures = 0
        self.sub_title = context.profile_label
        if old.client is not None:
            await old.client.aclose()
        old.store.close()
        log.info("switched from profile %s to %s", old.profile_name or "demo", name)
        self.ask_connection = context.client is None
        self.on_mount()
        self.notify(t("integration.switched_profile", profile=name), timeout=3)

    # -- polling ----------------------------------------------------------------------------------

    def schedule_poll(self, delay: float | None = None) -> None:
        """Start the next poll after `delay` seconds (default: the poll interval); None stops polling."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if self.context.poller is None:
            return
        wait = self.context.poll_interval if delay is None else delay
        # Textual's Timer divides by its delay: a zero delay means "as soon as possible".
        self._poll_timer = self.set_timer(max(wait, 0.001), self._poll_due, name="poll")

    def _poll_due(self) -> None:
        # The timer has fired: forget it, so that the poll's end schedules the next one.
        self._poll_timer = None
        try:
            screen = self.screen
        except ScreenStackError:
            return  # the application is closing
        # A modal waits for the user: polling would repaint the list under it, so try again later.
        if isinstance(screen, ModalScreen):
            self.schedule_poll()
            return
        self._poll()

    def pause_polling(self, error: ChorusError) -> None:
        """Stop polling while Chorus Pro rejects the credentials, and show that in the banner."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        first = self.credentials_refused is None
        self.credentials_refused = error
        self._refresh_banner()
        if first:
            self.show_error(error, context="poll")

    def resume_polling(self) -> None:
        """Clear the refused-credentials pause after a poll succeeded or a new connection was saved."""
        if self.credentials_refused is None:
            return
        log.info("credentials accepted again, polling resumed")
        self.credentials_refused = None
        self._refresh_banner()
        if self._poll_timer is None:
            self.schedule_poll()

    def _refresh_banner(self) -> None:
        screen = self.invoices_screen
        if screen is not None:
            screen.show_banner()

    def poll_now(self) -> None:
        """Poll at once (the `p` key); the regular schedule continues from there."""
        if self.context.poller is None:
            self.notify(t("ui.polling_unavailable"), severity="warning")
            return
        self._poll()

    @work(name="poll", group="sync", exclusive=True, exit_on_error=False)
    async def _poll(self) -> None:
        """Ask Chorus Pro for new statuses; the next poll is scheduled only once this one ends.

        A Chorus Pro error is shown once per run of failures, and each failure
        doubles the wait before the next poll, up to POLL_BACKOFF_MAX times the
        interval. Other errors propagate to `on_worker_state_changed`.
        """
        try:
            report = await self.context.poller.poll_once()
        except (ApplicationRefused, TechnicalAccountRefused) as error:
            # Asking again with refused credentials cannot succeed: pause until the user acts.
            log.error("poll failed, credentials rejected; polling paused: %s", error)
            self.pause_polling(error)
            return
        except ChorusError as error:
            self.poll_failures += 1
            log.error("poll failed (%d in a row): %s", self.poll_failures, error)
            if self.poll_failures == 1:
                self.show_error(error, context="poll")
            factor = min(2 ** (self.poll_failures - 1), POLL_BACKOFF_MAX)
            self.schedule_poll(self.context.poll_interval * factor)
            return
        finally:
            self.polls_done += 1
            if self._poll_timer is None and self.credentials_refused is None:
                self.schedule_poll()
        self.resume_polling()
        if self.poll_failures:
            log.info("poll succeeded again after %d failures", self.poll_failures)
            self.poll_failures = 0
        self.post_message(PollFinished(report))

    def on_poll_finished(self, message: PollFinished) -> None:
        changes = message.report.changes
        if not changes:
            self.invoices_changed()
            return
        ring = False
        for change in changes:
            label = status_label(change.new_status)
            severity = "error" if change.new_status in (REJECTED, SUSPENDED, TO_RECYCLE) else "information"
            text = t("ui.status_changed", number=change.number or change.invoice_id, status=label)
            if change.comment:
                text += "\n" + reason_text(change.comment)
            self.notify(text, severity=severity)
            ring = ring or change.new_status in BELL_STATUSES
        if ring:
            self.bell()
        self.invoices_changed()

    # -- errors -----------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn every failed worker, of any screen, into a log line and a visible message."""
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        log.error("worker %s (group %s) failed", worker.name, worker.group, exc_info=error)
        self.show_error(error, context=worker.name)

    def show_error(self, error: BaseException | None, *, context: str = "") -> None:
        """Show `error` in clear words: Chorus Pro errors carry their own message, others a generic one."""
        if isinstance(error, ChorusError):
            text = str(error.message)
        else:
            text = t("ui.unexpected_error", error=type(error).__name__ if error else "?", task=context)
        self.notify(text, title=t("ui.error_title"), severity="error", timeout=10)
