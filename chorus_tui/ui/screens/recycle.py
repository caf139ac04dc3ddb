"""The recycling form of an A_RECYCLER invoice: a new recipient SIRET, service code or engagement number.

The form opens with the routing Chorus Pro holds, and on Ctrl+S runs the
deposit checks on the new routing before `recycler` is sent. The invoice
keeps its number. Once the recipient is found in the directory, its active
services are offered in a list next to the service code, which stays free
text for a code the list lacks.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from chorus_tui.chorus.errors import ChorusError
from chorus_tui.i18n import t
from chorus_tui.sync.actions import RecycleRequest, ToDoItem, TriageOutcome
from chorus_tui.ui.screens.connection import TranslatedSelect
from chorus_tui.ui.screens.to_do import TriageDialog
from chorus_tui.ui.formatting import paris_today
from chorus_tui.validation import offerable_services
from chorus_tui.validation.identifiers import normalise_siret


class RecycleScreen(TriageDialog):
    """Ctrl+S checks the new routing and sends the invoice to it; Escape cancels."""

    CSS_PATH = ["to_do.tcss", "recycle.tcss"]
    FIELDS = ("recipient_siret", "service_code", "engagement_number", "comment")
    TITLE_KEY = "triage.ui.recycle_title"

    def __init__(self, item: ToDoItem) -> None:
        super().__init__(item, dialog_id="recycle")
        self.service_codes: list[str] = []

    def compose_fields(self) -> ComposeResult:
        yield Static(t("triage.ui.recycle_help"), classes="triage-help")
        for name in self.FIELDS:
            if name == "service_code":
                services = TranslatedSelect([], id="service_choice", compact=True,
                                            prompt=t("triage.ui.service_pick"))
                services.display = False
                yield from self.field_row(name, Input(id=name, compact=True, classes="field-input"), services)
            else:
                yield from self.field_row(name, Input(id=name, compact=True, classes="field-input"))
            if name == "recipient_siret":
                yield Static("", id="recipient-note")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_status(t("triage.ui.loading"))
        self._prefill()

    @work(name="recycle-prefill", group="triage", exit_on_error=False)
    async def _prefill(self) -> None:
        """Fill the fields with the routing Chorus Pro holds, then look its recipient up."""
        routing = await self.service.current_routing(self.invoice_id)
        self.query_one("#recipient_siret", Input).value = routing.recipient_siret or ""
        self.query_one("#service_code", Input).value = routing.service_code or ""
        self.query_one("#engagement_number", Input).value = routing.engagement_number or ""
        self.set_status("")
        self.query_one("#recipient_siret", Input).focus()
        self._describe_recipient(routing.recipient_siret or "")

    @on(Input.Blurred, "#recipient_siret")
    def _recipient_edited(self, event: Input.Blurred) -> None:
        self._describe_recipient(event.value)

    @work(name="recycle-recipient", group="triage-lookup", exclusive=True, exit_on_error=False)
    async def _describe_recipient(self, value: str) -> None:
        """Show the recipient's name and its active service codes under the fields."""
        note = self.query_one("#recipient-note", Static)
        siret = normalise_siret(value)
        directory = self.chorus_app.context.directory
        if directory is None or len(siret) != 14 or not siret.isdigit():
            note.update("")
            self._offer_services([])
            return
        try:
            hits = await directory.search_structure(siret)
            if not hits:
                note.update(t("triage.ui.recipient_unknown", siret=siret))
                self._offer_services([])
                return
            services = await directory.services(hits[0].structure_id)
        except ChorusError as error:
            note.update(t("triage.ui.lookup_failed", error=error.message))
            self._offer_services([])
            return
        offered = offerable_services(services, paris_today(self.chorus_app.context.clock))
        codes = ", ".join(service.code for service in offered) or "—"
        note.update(t("triage.ui.recipient_services", name=hits[0].name or siret, codes=codes))
        self._offer_services(offered)

    def _offer_services(self, services: list) -> None:
        """List the recipient's services beside the code, the one typed selected; hide an empty list."""
        choice = self.query_one("#service_choice", Select)
        options = [(f"{service.code} – {service.label or service.code}", service.code) for service in services]
        self.service_codes = [service.code for service in services]
        choice.set_options(options)
        choice.display = bool(options)
        self._select_typed_service()

    @on(Select.Changed, "#service_choice")
    def _service_chosen(self, event: Select.Changed) -> None:
        code_input = self.query_one("#service_code", Input)
        if isinstance(event.value, str) and code_input.value.strip() != event.value:
            code_input.value = event.value

    @on(Input.Changed, "#service_code")
    def _service_typed(self) -> None:
        self._select_typed_service()

    def _select_typed_service(self) -> None:
        choice = self.query_one("#service_choice", Select)
        typed = self.query_one("#service_code", Input).value.strip()
        if typed in self.service_codes:
            if choice.value != typed:
                choice.value = typed
        elif choice.value is not Select.NULL:
            choice.clear()

    def request(self) -> RecycleRequest:
        return RecycleRequest(
            recipient_siret=self.query_one("#recipient_siret", Input).value,
            service_code=self.query_one("#service_code", Input).value,
            engagement_number=self.query_one("#engagement_number", Input).value,
            comment=self.query_one("#comment", Input).value,
        )

    async def send(self) -> TriageOutcome:
        return await self.service.recycle(self.invoice_id, self.request())
