"""The deposit form: what will be sent to Chorus Pro, checked field by field before anything leaves.

The form opens prefilled from the invoice file (`form_from_invoice`) and
looks the recipient up in the Chorus Pro directory in a worker. It looks the
recipient up again whenever the SIRET field changes. When detection found
several eligible recipient SIRETs, a list under that field offers them best
first, and picking one looks it up and runs the checks again. On submit the
form runs every pre-deposit check (`check_deposit`). Each result is shown
under its field, blocking ones in the error colour and warnings in the
warning colour.
While one of them is blocking, the form stays open and nothing is sent.
Otherwise a confirmation lists what will be sent and the warnings, and only
then does the form dismiss with a `DepositFormResult`; the application runs
the deposit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from chorus_tui.chorus.errors import ChorusError
from chorus_tui.domain import (
    BILLING_FRAMES,
    PAYMENT_MODES,
    VAT_TYPES,
    CheckLevel,
    CheckResult,
    DepositForm,
    DepositRoute,
    SourceInvoice,
)
from chorus_tui.i18n import Message, t
from chorus_tui.store import InvoiceRow
from chorus_tui.ui.formatting import (
    AmbiguousAmountError,
    format_amount_input,
    format_date,
    format_invoice_total,
    invoice_heading,
    paris_today,
    parse_amount,
)
from chorus_tui.ui.keys import FORM_BINDINGS
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen, DepositSummary
from chorus_tui.ui.source_invoice import load_source_invoice
from chorus_tui.ui.typography import french_spacing
from chorus_tui.ui.widgets.siret_candidates import SiretCandidateList, eligible_candidates
from chorus_tui.ui.widgets.translated import TranslatedSelect

if TYPE_CHECKING:
    from chorus_tui.ui.app import ChorusApp

log = logging.getLogger(__name__)

AMOUNT_FIELDS = ("total_ht", "total_vat", "total_ttc", "amount_due")

# Marks after a field label: required, or one of the service and the engagement number is required.
REQUIRED_MARK = "*"
EITHER_MARK = "¹"

# Form fields in screen order: (field name as in DepositForm and CheckResult.field, kind of control).
FIELDS = (
    ("route", "route"),
    ("recipient_siret", "input"),
    ("recipient_structure_id", "structure"),
    ("service_code", "service"),
    ("engagement_number", "input"),
    ("contract_number", "input"),
    ("attachment_path", "static"),
    ("supplier_id", "static"),
    ("billing_frame", "select"),
    ("validator_siret", "input"),
    ("vat_type", "select"),
    ("vat_exemption_reason", "input"),
    *((f"amounts.{name}", "amount") for name in AMOUNT_FIELDS),
    ("payment_mode", "select"),
    ("bank_account_id", "select"),
    ("comment", "input"),
)
FIELD_NAMES = frozenset(name for name, _ in FIELDS)

# Fields whose value a Factur-X flow carries in its XML, read from the detection attribute of
# the same name when detection took it from the XML.
FLOW_XML_FIELDS = ("recipient_siret", "service_code", "engagement_number", "contract_number")
# Fields that a flow deposit does not send at all: the XML decides instead.
FLOW_UNSENT_FIELDS = ("billing_frame", "validator_siret", "vat_type", "vat_exemption_reason",
                      "payment_mode", "bank_account_id", "comment")


# Detection warnings that explain why the recipient SIRET is missing or doubtful, where the
# SIRET checks alone only report it missing.
RECIPIENT_DETECTION_WARNINGS = frozenset({
    "detect.only_supplier_siret",
    "detect.no_recipient_siret",
    "detect.buyer_siren_only",
    "detect.disagree_recipient_siret",
})


def offline_recipient_results(invoice: SourceInvoice, form: DepositForm,
                              supplier_sirets: frozenset[str]) -> list[CheckResult]:
    """Check the recipient SIRET without the directory: detection's warnings, then the checks that block."""
    from chorus_tui.validation.identifiers import Party, check_siret, normalise_siret
    from chorus_tui.validation.results import blocking

    detection = invoice.detection
    results = [CheckResult("recipient_siret", CheckLevel.WARNING, message)
               for message in detection.warnings if message.key in RECIPIENT_DETECTION_WARNINGS]
    siret = form.recipient_siret or ""
    if not siret.strip() and detection.recipient_kind in ("foreign", "private"):
        # The same reason check_deposit gives: the invoice is addressed to a foreign or private customer.
        results.append(blocking("recipient_siret", f"recipient_kind_{detection.recipient_kind}",
                                name=invoice.customer_name or "—"))
        return results
    identifier = check_siret(siret, party=Party.RECIPIENT, field="recipient_siret")
    if identifier.level is not CheckLevel.PASS:
        results.append(identifier)
    elif normalise_siret(siret) in supplier_sirets:
        results.append(blocking("recipient_siret", "recipient_is_supplier", siret=normalise_siret(siret)))
    return results


# Words that do not distinguish one public body's name from another's.
_NAME_STOP_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "a", "au", "aux"})


def _name_words(name: str) -> set[str]:
    """Return the significant words of a name, without accents, case or punctuation."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").casefold()
    return {word for word in re.split(r"[^a-z0-9]+", plain) if word and word not in _NAME_STOP_WORDS}


def names_match(printed: str, directory: str) -> bool:
    """Tell whether the customer printed on an invoice and a directory name plausibly designate one body.

    They match when one name's significant words all appear in the other, or when at least half
    of all their words are shared, so that "Mairie de Valmorin" and "Commune de Valmorin" differ.
    """
    printed_words, directory_words = _name_words(printed), _name_words(directory)
    if not printed_words or not directory_words:
        return True  # nothing to compare: no warning on a name made only of stop words
    if printed_words <= directory_words or directory_words <= printed_words:
        return True
    shared = printed_words & directory_words
    return len(shared) * 2 >= len(printed_words | directory_words)


def facturx_values(invoice: SourceInvoice) -> dict[str, str | None]:
    """Return the values of FLOW_XML_FIELDS that the invoice's Factur-X XML carries; None where it has none."""
    detection = invoice.detection
    return {name: getattr(detection, name) if detection.sources.get(name) == "facturx" else None
            for name in FLOW_XML_FIELDS}


def dom_id(field_name: str) -> str:
    """Return the widget id of a form field ("amounts.total_ht" -> "amounts-total_ht")."""
    return field_name.replace(".", "-")


@dataclass(frozen=True)
class DepositFormResult:
    """Result of the deposit form: a confirmed form that passed every blocking check, with the check results."""

    invoice_id: int
    form: DepositForm
    results: tuple[CheckResult, ...]


class DepositFormScreen(ModalScreen[DepositFormResult | None]):
    """The deposit form of one invoice; Ctrl+S checks and sends, Escape cancels."""

    BINDINGS = FORM_BINDINGS

    def __init__(self, invoice_id: int) -> None:
        super().__init__(id="deposit-form")
        self.invoice_id = invoice_id
        self.invoice: SourceInvoice | None = None
        self.form: DepositForm | None = None
        self.results: list[CheckResult] = []
        self.checking = False
        # Whether the user changed a value since the form opened, so that Escape confirms before losing it.
        self.edited = False
        # Blocking results shown under each field, so that the status line can count those left.
        self._blocking_by_field: dict[str, int] = {}
        # The last value the form itself put in each Input, by widget id.
        self._values_set: dict[str, str] = {}
        self._services_known = False
        # Whether the bank account list has arrived. Until then the form reads the profile's account.
        self._bank_accounts_loaded = False
        self.recipient_name: str | None = None  # from the Chorus Pro directory, once looked up
        # The SIRET that the recipient's name, required marks and service list describe.
        self._recipient_shown: str | None = None
        self._route_applied: DepositRoute | None = None
        # Whether the form explains under the cadre why it proposes A9 or A12 (see _show_mandataire).
        self._has_frame_reason = False
        # Values of FLOW_XML_FIELDS as the user left them before choosing the flow route.
        self._typed_values: dict[str, str | None] = {}

    @property
    def chorus_app(self) -> ChorusApp:
        return self.app  # type: ignore[return-value]

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        row = self.chorus_app.context.store.require_invoice(self.invoice_id)
        with Vertical(id="form-dialog"):
            yield Static(self._title(row), id="form-title")
            yield Static("", id="error-general", classes="field-error")
            with VerticalScroll(id="form-body"):
                for name, kind in FIELDS:
                    yield from self._field_row(name, kind)
                    if name == "recipient_siret":
                        yield from self._candidates_row()
                    elif name == "route":
                        yield Static("", id="route-note", classes="field-hint")
                    elif name == "billing_frame":
                        yield Static("", id="billing-frame-reason", classes="field-hint")
                        yield Static("", id="billing-frame-flow-hint", classes="field-hint")
            yield Static("", id="form-legend")
            with Horizontal(id="form-buttons"):
                yield Static("", id="form-status")
                yield Button(t("ui.form_submit"), id="submit", variant="primary", compact=True)
                yield Button(t("common.cancel"), id="cancel", compact=True)
            yield Footer(compact=True, show_command_palette=False)

    def _title(self, row: InvoiceRow) -> Text:
        title = Text(invoice_heading(row, "ui.form_title", "ui.form_title_credit_note"), style="bold")
        # The details get their own line: Rich wraps at no-break spaces too, which split the amount.
        details = [row.customer or "", format_date(row.invoice_date),
                   format_invoice_total(row.total_ttc, row.currency, row.kind)]
        title.append("\n" + " · ".join(part for part in details if part))
        return title

    def _field_row(self, name: str, kind: str) -> ComposeResult:
        widget_id = dom_id(name)
        with Horizontal(classes="field-row", id=f"row-{widget_id}"):
            yield Label(t(f"ui.field.{widget_id}"), classes="field-label", id=f"label-{widget_id}")
            if kind in ("input", "amount"):
                # Not selected on focus: a key typed on arrival would silently replace the detected value.
                yield Input(id=widget_id, compact=True, classes="field-input", select_on_focus=False)
            elif kind == "service":
                yield TranslatedSelect([], id="service_code-select", compact=True, prompt=t("ui.service_pick"),
                             classes="field-input")
                yield Input(id=widget_id, compact=True, classes="field-input", select_on_focus=False,
                            placeholder=t("ui.service_placeholder"))
            elif kind == "structure":
                # Shown only when the SIRET matches several Chorus Pro structures.
                yield TranslatedSelect([], id=widget_id, compact=True, prompt=t("ui.structure_pick"),
                                       classes="field-input")
            elif kind == "route":
                # Shown only for a Factur-X file complete enough to go by flow.
                options = [(t("integration.route_flow"), DepositRoute.FLOW),
                           (t("deposit_form.route_pdf_with_form"), DepositRoute.PDF)]
                yield TranslatedSelect(options, id=widget_id, compact=True, classes="field-input", allow_blank=False)
            elif kind == "select":
                yield TranslatedSelect(self._select_options(name), id=widget_id, compact=True,
                                       classes="field-input", allow_blank=name in ("payment_mode", "bank_account_id"))
                if name == "billing_frame":
                    # Shown in place of the list on the flow route: the XML's cadre, which the flow sends.
                    yield Static("", id="billing_frame-flow", classes="field-static")
            else:
                yield Static("", id=widget_id, classes="field-static")
            yield Static("", id=f"note-{widget_id}", classes="field-note")
        yield Static("", id=f"error-{widget_id}", classes="field-error")

    @staticmethod
    def _candidates_row() -> ComposeResult:
        """Lay out the list of recipient SIRETs found in the invoice; shown only when there are several."""
        with Horizontal(classes="field-row", id="row-recipient-candidates"):
            yield Label(t("recipient_choice.label"), classes="field-label")
            yield SiretCandidateList(id="recipient-candidates", classes="field-input")

    @staticmethod
    def _select_options(name: str) -> list[tuple[str, str]]:
        if name == "billing_frame":
            return [(t(f"ui.billing_frame.{code}"), code) for code in BILLING_FRAMES]
        if name == "vat_type":
            return [(t(f"ui.vat_type.{code}"), code) for code in VAT_TYPES]
        if name == "payment_mode":
            return [(t(f"ui.payment_mode.{code}"), code) for code in PAYMENT_MODES]
        return []

    def on_mount(self) -> None:
        self.query_one("#service_code-select", Select).display = False
        self.query_one("#row-recipient_structure_id").display = False
        self.query_one("#row-recipient-candidates").display = False
        self.query_one("#row-route").display = False
        self.query_one("#route-note").display = False
        self.query_one("#billing-frame-reason").display = False
        self.query_one("#billing-frame-flow-hint").display = False
        self.query_one("#billing_frame-flow").display = False
        for name, _ in FIELDS:
            self.query_one(f"#error-{dom_id(name)}", Static).display = False
        self.query_one("#error-general", Static).display = False
        self.query_one("#form-legend", Static).display = False
        self._set_status(t("ui.form_loading"))
        self._load_invoice()

    # -- loading ----------------------------------------------------------------------------------

    # The loading workers have their own group because the exclusive check worker cancels every
    # worker of group "deposit-form", which would leave the form half filled.
    @work(thread=True, name="form-load-invoice", group="deposit-form-load", exit_on_error=False)
    def _load_invoice(self) -> None:
        """Read the invoice file again (PDF parsing blocks) and fill the form on the event loop."""
        context = self.chorus_app.context
        row = context.store.require_invoice(self.invoice_id)
        invoice = load_source_invoice(row, supplier_sirets=context.supplier_sirets)
        self.app.call_from_thread(self._fill, invoice)

    def _fill(self, invoice: SourceInvoice) -> None:
        from chorus_tui.validation import form_from_invoice

        if not self.is_attached:
            return  # the user closed the form while the file was being read
        context = self.chorus_app.context
        self.invoice = invoice
        form = form_from_invoice(invoice, supplier_id=context.supplier.structure_id,
                                 bank_account_id=context.supplier.bank_account_id)
        self.form = form

        self._set_input("recipient_siret", form.recipient_siret)
        self._set_input("service_code", form.service_code)
        self._set_input("engagement_number", form.engagement_number)
        self._set_input("contract_number", form.contract_number)
        self._set_input("validator_siret", form.validator_siret)
        self._set_input("comment", form.comment)
        self._set_input("vat_exemption_reason", form.vat_exemption_reason)
        self._set_select("billing_frame", form.billing_frame)
        self._set_select("vat_type", form.vat_type)
        self._set_select("payment_mode", form.payment_mode)
        for name in AMOUNT_FIELDS:
            value = getattr(form.amounts, name)
            field = self.query_one(f"#amounts-{name}", Input)
            field.value = format_amount_input(value)
            # Amounts printed on the invoice are what Chorus Pro will compare with the PDF: not editable.
            field.disabled = value is not None
        attachment = form.attachment_path.name if form.attachment_path else t("ui.no_attachment")
        self.query_one("#attachment_path", Static).update(attachment)
        self._show_supplier()
        self._show_mandataire(invoice)
        self._set_status("")
        self._show_candidates(invoice, form.recipient_siret)
        self._show_recipient_for(form.recipient_siret or "")
        self._show_route(form)
        self.query_one("#route" if self.by_flow else "#recipient_siret").focus()
        self._load_bank_accounts()

    def _show_offline_results(self) -> None:
        """Show at once what the checks find without the directory; the directory checks wait for Ctrl+S."""
        from chorus_tui.validation import check_form

        assert self.invoice is not None
        context = self.chorus_app.context
        form, problems = self.read_form()
        results = [*problems, *check_form(self.invoice, form, today=paris_today(context.clock),
                                          supplier_sirets=context.supplier_sirets),
                   *offline_recipient_results(self.invoice, form, context.supplier_sirets)]
        self.show_results(results)
        count = sum(1 for result in results if result.level is CheckLevel.BLOCKING)
        if count:
            self._set_status(t("deposit_form.open_blocked", count=count), error=True)

    def _show_mandataire(self, invoice: SourceInvoice) -> None:
        """Say why the form proposes cadre A9 or A12: the mandataire that detection found, named."""
        from chorus_tui.validation.billing_frame import FRAMES_WITH_VALIDATOR, suggest_billing_frame

        frame, reason = suggest_billing_frame(invoice)
        if frame not in FRAMES_WITH_VALIDATOR:
            return
        hint = self.query_one("#billing-frame-reason", Static)
        hint.update(french_spacing(str(reason)))
        hint.display = self._has_frame_reason = True
        self._name_mandataire(self._text("validator_siret") or "")

    @on(Input.Changed, "#validator_siret")
    def _validator_edited(self, event: Input.Changed) -> None:
        self._name_mandataire(event.value)

    def _name_mandataire(self, siret: str) -> None:
        """Name the mandataire next to its SIRET while the field contains the one detection found."""
        from chorus_tui.validation.identifiers import normalise_siret

        detection = self.invoice.detection if self.invoice is not None else None
        note = self.query_one("#note-validator_siret", Static)
        if self.by_flow or detection is None or not detection.mandataire_siret:
            return  # the flow route writes its own note there
        if normalise_siret(siret.strip()) == detection.mandataire_siret:
            note.update(t("deposit_form.mandataire_detected", name=detection.mandataire_name or "—"))
        else:
            note.update("")

    def _show_supplier(self) -> None:
        supplier = self.chorus_app.context.supplier
        parts = [supplier.name or "", supplier.siret or ""]
        if supplier.structure_id:
            parts.append(t("ui.structure_id", id=supplier.structure_id))
        text = " · ".join(part for part in parts if part) or t("ui.supplier_unknown")
        self.query_one("#supplier_id", Static).update(text)

    def _show_route(self, form: DepositForm) -> None:
        """Show how the invoice will reach Chorus Pro: a choice for a Factur-X flow, else a title line."""
        if form.route is DepositRoute.FLOW:
            # A Factur-X file may also go as a plain PDF with the form's data, which the user can edit.
            self.query_one("#route", Select).value = DepositRoute.FLOW
            self.query_one("#row-route").display = True
            self._apply_route(DepositRoute.FLOW)
            return
        row = self.chorus_app.context.store.require_invoice(self.invoice_id)
        title = self._title(row)
        title.append("\n" + t("integration.route", route=t(f"integration.route_{form.route.name.lower()}")))
        self.query_one("#form-title", Static).update(title)

    @on(Select.Changed, "#route")
    def _route_changed(self, event: Select.Changed) -> None:
        # The list posts a change once on mount, before the invoice is read: only later changes count.
        if self.form is not None and isinstance(event.value, DepositRoute):
            changed = event.value is not self._route_applied
            self._apply_route(event.value)
            if changed and self._bank_accounts_loaded and not self.checking:
                # The results shown checked what the other route sends, so check this route's fields.
                self._show_offline_results()
                self._show_blocking_left()

    @property
    def by_flow(self) -> bool:
        """Whether the form deposits the Factur-X file as a flow, so that its XML decides the values."""
        return self.form is not None and self.form.route is DepositRoute.FLOW

    def _apply_route(self, route: DepositRoute) -> None:
        """Switch the form to `route`: a flow shows the XML's values read-only, a PDF deposit the editable ones.

        The values typed before choosing the flow come back when the user returns to the PDF deposit.
        """
        assert self.form is not None and self.invoice is not None
        if route is self._route_applied:
            return
        self._route_applied = route
        self.form = dataclasses.replace(self.form, route=route)
        flow = route is DepositRoute.FLOW
        service_select = self.query_one("#service_code-select", Select)
        if flow:
            self._typed_values = {name: self._text(name) for name in FLOW_XML_FIELDS}
            if self._services_known:
                self._typed_values["service_code"] = self._service_choice()
            xml_values = facturx_values(self.invoice)
            self._offer_services([])
            for name in FLOW_XML_FIELDS:
                self._set_input(name, xml_values[name])
        else:
            for name, value in self._typed_values.items():
                self._set_input(name, value)
        for name in (*FLOW_XML_FIELDS, *FLOW_UNSENT_FIELDS):
            self.query_one(f"#{dom_id(name)}").disabled = flow
            if name != "recipient_siret":
                self.query_one(f"#note-{dom_id(name)}", Static).update(self._flow_note(name) if flow else "")
        service_select.disabled = flow
        route_note = self.query_one("#route-note", Static)
        route_note.update(t("deposit_form.flow_note") if flow else "")
        route_note.display = flow
        # The reason prompts for the mandataire's SIRET, which the flow greys out and does not send.
        self.query_one("#billing-frame-reason", Static).display = self._has_frame_reason and not flow
        self._show_flow_frame(flow)
        self.query_one("#row-recipient-candidates").display = (
            not flow and self.query_one("#recipient-candidates", SiretCandidateList).candidates != [])
        # The recipient, its required fields and its services are looked up again for the values now shown.
        self._name_mandataire(self._text("validator_siret") or "")
        recipient = self._text("recipient_siret") or ""
        self.query_one("#recipient-candidates", SiretCandidateList).mark_chosen(recipient)
        self._show_recipient_for(recipient)

    @staticmethod
    def _flow_note(name: str) -> str:
        """Return the note beside greyed field `name` on the flow route: taken from the XML, or not sent."""
        # The cadre row shows the XML's cadre on the flow route (see _show_flow_frame).
        from_xml = name in FLOW_XML_FIELDS or name == "billing_frame"
        return t("deposit_form.from_xml") if from_xml else t("deposit_form.not_sent")

    def _show_flow_frame(self, flow: bool) -> None:
        """Show in the cadre row the cadre that a flow sends, the XML's (BT-23), in place of the list.

        The list keeps the user's choice while hidden, so the PDF deposit shows it again.
        """
        from chorus_tui.validation.flow_xml import (
            chorus_billing_frame,
            check_flow_billing_frame,
            flow_business_process,
        )

        assert self.invoice is not None
        self.query_one("#billing_frame", Select).display = not flow
        sent = self.query_one("#billing_frame-flow", Static)
        sent.display = flow
        hint = self.query_one("#billing-frame-flow-hint", Static)
        hint.display = False
        if not flow:
            return
        value = flow_business_process(self.invoice)
        if value is None:
            sent.update(t("deposit_form.frame_not_stated"))
            # The check's passing result states that the flow then sends no cadre. When the invoice
            # calls for A9 or A12, its warning replaces that result and shows under the field.
            stated = [result for result in check_flow_billing_frame(self.invoice)
                      if result.level is CheckLevel.PASS]
            hint.update("\n".join(french_spacing(str(result.message)) for result in stated))
            hint.display = bool(stated)
            return
        frame = chorus_billing_frame(value)
        # A BT-23 value that names no cadre of `soumettre` is shown as the file writes it, never as markup.
        sent.update(Text(t(f"ui.billing_frame.{frame}") if frame is not None else value))

    def _set_input(self, name: str, value: str | None) -> None:
        self._values_set[dom_id(name)] = value or ""
        self.query_one(f"#{dom_id(name)}", Input).value = value or ""

    def _set_select(self, name: str, value: Any) -> None:
        select = self.query_one(f"#{dom_id(name)}", Select)
        if value is not None and any(option_value == value for _, option_value in select._options):
            select.value = value

    @on(Input.Changed, ".field-input")
    @on(Select.Changed, ".field-input")
    def _field_edited(self, event: Input.Changed | Select.Changed) -> None:
        """Hide a field's check results once the user changes it: they described the old value."""
        control = event.control
        # Values set by the form itself (filling, offering services) keep their results. The field
        # may have the focus by the time its Changed message arrives, so its value is compared too.
        if control.id is None or not control.has_focus_within:
            return
        if isinstance(event, Input.Changed) and self._values_set.get(control.id) == event.value:
            return
        self.edited = True
        name = control.id.removesuffix("-select")
        try:
            error = self.query_one(f"#error-{name}", Static)
        except NoMatches:
            return
        error.display = False
        self.query_one(f"#row-{name}").remove_class("has-error", "has-warning")
        self._forget_blocking(name)
        if name == "billing_frame" and self._bank_accounts_loaded and not self.checking:
            # The cadre decides which validator and amount to pay the form needs, so results
            # under other fields (a missing mandataire for A9) may no longer hold.
            self._show_offline_results()
            self._show_blocking_left()

    def _forget_blocking(self, widget_id: str) -> None:
        """Drop the blocking results of a changed field from the count on the status line."""
        field = next((name for name in self._blocking_by_field if dom_id(name) == widget_id), None)
        if field is None:
            return
        del self._blocking_by_field[field]
        status = self.query_one("#form-status", Static)
        if not status.has_class("error"):
            return  # the status line shows another message, which this change does not make stale
        self._show_blocking_left()

    def _show_blocking_left(self) -> None:
        """Count on the status line the blocking results still shown under the fields; clear it when none is."""
        remaining = sum(self._blocking_by_field.values())
        self._set_status(t("ui.form_blocked", count=remaining) if remaining else "", error=bool(remaining))

    # -- recipient: candidates found in the invoice -----------------------------------------------

    def _show_candidates(self, invoice: SourceInvoice, chosen: str | None) -> None:
        """List the recipient SIRETs found in the invoice when there are several, and name them."""
        candidates = eligible_candidates(invoice.detection)
        if len(candidates) < 2:
            return
        self.query_one("#recipient-candidates", SiretCandidateList).show_candidates(candidates, chosen)
        self.query_one("#row-recipient-candidates").display = True
        self._name_candidates([candidate.siret for candidate in candidates])

    @work(name="form-name-candidates", group="deposit-form-candidates", exit_on_error=False)
    async def _name_candidates(self, sirets: list[str]) -> None:
        """Look each candidate SIRET up in the directory, so the list shows whose SIRET it is."""
        directory = self.chorus_app.context.directory
        if directory is None:
            return
        candidate_list = self.query_one("#recipient-candidates", SiretCandidateList)
        for siret in sirets:
            try:
                hits = await directory.search_structure(siret)
            except ChorusError as error:
                log.warning("directory lookup of candidate SIRET %s failed: %s", siret, error)
                continue  # the line keeps its SIRET and reason, without a name
            candidate_list.set_name(siret, hits[0].name if hits else None)

    @on(SiretCandidateList.Picked)
    def _candidate_picked(self, event: SiretCandidateList.Picked) -> None:
        """Make the picked SIRET the recipient, then look it up and check the form again."""
        if self.form is None or self.checking:
            return  # a running check read the field already: changing it now would confirm another SIRET
        field = self.query_one("#recipient_siret", Input)
        if field.value.strip() == event.siret:
            return
        self.edited = True
        # The lookup runs in _recheck_recipient: the field's Changed handler must not start a second one.
        self._recipient_shown = event.siret
        self._clear_recipient()
        field.value = event.siret
        self.form = dataclasses.replace(self.form, recipient_siret=event.siret)
        self.query_one("#recipient-candidates", SiretCandidateList).mark_chosen(event.siret)
        self._recheck_recipient(event.siret)

    @work(name="form-recheck-recipient", group="deposit-form-recipient", exclusive=True, exit_on_error=False)
    async def _recheck_recipient(self, siret: str) -> None:
        """Look `siret` up in the directory, then run every check for it without depositing."""
        await self._look_up_recipient(siret)
        if self.checking:
            return  # a Ctrl+S check is running and will show its own results
        self.checking = True
        self._set_status(t("ui.form_checking"))
        try:
            _, results = await self._run_checks()
        except asyncio.CancelledError:
            # A lookup of another SIRET (typed, or shown by a route change) replaced this check before
            # it showed any result, so the status line goes back to the results still shown.
            self._show_blocking_left()
            raise
        finally:
            self.checking = False
        count = sum(1 for result in results if result.level is CheckLevel.BLOCKING)
        if count:
            self._set_status(t("recipient_choice.checked", siret=siret, count=count), error=True)
        else:
            self._set_status(t("recipient_choice.checked_clear", siret=siret))

    # -- recipient: directory lookups -------------------------------------------------------------

    @on(Input.Changed, "#recipient_siret")
    def _recipient_edited(self, event: Input.Changed) -> None:
        from chorus_tui.validation.identifiers import normalise_siret

        # A SIRET copied as printed ("197 992 290 69576") is looked up like the checks read it.
        siret = normalise_siret(event.value.strip())
        if self.form is None or siret == self._recipient_shown:
            return
        self.form = dataclasses.replace(self.form, recipient_siret=siret)
        self.query_one("#recipient-candidates", SiretCandidateList).mark_chosen(siret)
        self._show_recipient_for(siret)

    def _show_recipient_for(self, siret: str) -> None:
        """Forget what was shown for the previous SIRET; look `siret` up once it has 14 digits."""
        from chorus_tui.validation.identifiers import Party, check_siret

        self._recipient_shown = siret
        self._clear_recipient()
        if not siret.isdigit():
            return
        note = self.query_one("#note-recipient_siret", Static)
        if len(siret) > 14:
            note.update(t("deposit_form.siret_too_long", count=len(siret)))
        elif len(siret) == 14:
            if check_siret(siret, party=Party.RECIPIENT, field="recipient_siret").level is CheckLevel.PASS:
                self._lookup_recipient(siret)
            else:
                # No structure can have this SIRET, so show why instead of looking it up.
                note.update(t("deposit_form.check_digit_wrong"))

    def _clear_recipient(self) -> None:
        """Remove the name, required marks, structures and services that came from the last lookup."""
        self.recipient_name = None
        self.query_one("#note-recipient_siret", Static).update("")
        self.query_one("#row-recipient_structure_id").display = False
        self.query_one("#recipient_structure_id", Select).set_options([])
        self._mark_required("service_code", "")
        self._mark_required("engagement_number", "")
        self._show_legend(required=False, either=False)
        self._offer_services([])

    @work(name="form-lookup-recipient", group="deposit-form-recipient", exclusive=True, exit_on_error=False)
    async def _lookup_recipient(self, siret: str) -> None:
        await self._look_up_recipient(siret)

    async def _look_up_recipient(self, siret: str) -> None:
        """Show the recipient's name, mark the fields it requires and offer its active services."""
        from chorus_tui.validation import offerable_services

        directory = self.chorus_app.context.directory
        note = self.query_one("#note-recipient_siret", Static)
        if siret != self._recipient_shown:
            return  # the field changed before this lookup started, and its own handling owns the note
        if directory is None or len(siret) != 14 or not siret.isdigit():
            note.update("")
            return
        note.update(t("ui.lookup_running"))
        try:
            hits = await directory.search_structure(siret)
            if not hits:
                if siret == self._recipient_shown:
                    note.update(t("ui.recipient_not_found"))
                return
            structure_id = hits[0].structure_id
            details = await directory.structure(structure_id)
            services = await directory.services(structure_id)
        except ChorusError as error:
            log.warning("directory lookup of SIRET %s failed: %s", siret, error)
            if siret == self._recipient_shown:
                note.update(t("ui.lookup_failed", error=error.message))
            return
        if siret != self._recipient_shown:
            return  # the field changed during the lookup, so this reply describes an old SIRET
        self.recipient_name = details.name or hits[0].name or None
        note.update(self.recipient_name or "")
        rules = details.rules
        # "One of the two" only matters while neither field is required on its own.
        either = rules.service_or_engagement and not (rules.service_required or rules.engagement_required)
        either_mark = EITHER_MARK if either else ""
        self._mark_required("service_code", REQUIRED_MARK if rules.service_required else either_mark)
        self._mark_required("engagement_number", REQUIRED_MARK if rules.engagement_required else either_mark)
        self._show_legend(required=rules.service_required or rules.engagement_required, either=either)
        self._offer_services(offerable_services(services))

    def _mark_required(self, name: str, mark: str) -> None:
        """Put `mark` (REQUIRED_MARK or EITHER_MARK) after the label of field `name`; "" removes it."""
        label = t(f"ui.field.{dom_id(name)}")
        self.query_one(f"#label-{dom_id(name)}", Label).update(f"{label} {mark}" if mark else label)
        self.query_one(f"#row-{dom_id(name)}").set_class(bool(mark), "required")

    def _show_legend(self, *, required: bool, either: bool) -> None:
        lines = []
        if required:
            lines.append(t("ui.legend_required", mark=REQUIRED_MARK))
        if either:
            lines.append(t("ui.legend_either", mark=EITHER_MARK))
        legend = self.query_one("#form-legend", Static)
        legend.update("\n".join(lines))
        legend.display = bool(lines)

    def _offer_services(self, services: list) -> None:
        """Switch the service field to a list of the recipient's active services; [] goes back to typing.

        The code chosen or typed so far stays chosen when the new list has it. Otherwise it stays
        in the typed field. An emptied choice stays empty.
        """
        select = self.query_one("#service_code-select", Select)
        typed = self.query_one("#service_code", Input)
        current = (self._service_choice() or "") if self._services_known else typed.value.strip()
        self._set_input("service_code", current)
        if not services or self.by_flow:
            select.display = False
            typed.display = True
            self._services_known = False
            return
        options = [(f"{service.code} – {service.label or service.code}", service.code) for service in services]
        select.set_options(options)
        if current in {service.code for service in services}:
            select.value = current
        self._services_known = True
        select.display = True
        typed.display = False

    @work(name="form-bank-accounts", group="deposit-form-load", exit_on_error=False)
    async def _load_bank_accounts(self) -> None:
        """Offer the supplier's valid bank accounts, the current one preselected."""
        context = self.chorus_app.context
        select = self.query_one("#bank_account_id", Select)
        accounts: list[tuple[str, int]] = []
        if context.directory is not None and context.supplier.structure_id is not None:
            try:
                for account in await context.directory.bank_accounts(context.supplier.structure_id):
                    label = " · ".join(part for part in (account.name, account.iban) if part)
                    accounts.append((label or str(account.account_id), account.account_id))
            except ChorusError as error:
                log.warning("bank accounts of structure %s could not be read: %s",
                            context.supplier.structure_id, error)
        if not accounts and context.supplier.bank_account_id is not None:
            label = context.supplier.bank_account_label or str(context.supplier.bank_account_id)
            accounts.append((label, context.supplier.bank_account_id))
        select.set_options(accounts)
        if self.form is not None and self.form.bank_account_id is not None:
            self._set_select("bank_account_id", self.form.bank_account_id)
        self._bank_accounts_loaded = True
        # The bank account is part of the checks, so they wait for this list. A Ctrl+S check that
        # ran or runs meanwhile shows the directory's results, which these must not replace.
        if not self.checking and not self.results:
            self._show_offline_results()

    # -- reading the form -------------------------------------------------------------------------

    def _text(self, name: str) -> str | None:
        value = self.query_one(f"#{dom_id(name)}", Input).value.strip()
        return value or None

    def _choice(self, name: str) -> Any:
        value = self.query_one(f"#{dom_id(name)}", Select).value
        return None if value == Select.NULL else value

    def read_form(self) -> tuple[DepositForm, list[CheckResult]]:
        """Build the DepositForm from the fields; amounts that cannot be read come back as blocking results.

        SIRETs are sent as the checks read them, without the spaces, dots or dashes a user may type.
        """
        from chorus_tui.validation.identifiers import normalise_siret

        assert self.form is not None
        problems: list[CheckResult] = []
        amounts = dataclasses.replace(self.form.amounts)
        for name in AMOUNT_FIELDS:
            text = self.query_one(f"#amounts-{name}", Input).value
            try:
                value: Decimal | None = parse_amount(text)
            except AmbiguousAmountError as error:
                problems.append(CheckResult(f"amounts.{name}", CheckLevel.BLOCKING,
                                            Message("ui.amount_ambiguous", {"value": text, "digits": error.digits})))
                continue
            except ValueError:
                problems.append(CheckResult(f"amounts.{name}", CheckLevel.BLOCKING,
                                            Message("ui.amount_not_a_number", {"value": text})))
                continue
            setattr(amounts, name, value)
        service = self._service_choice() if self._services_known else self._text("service_code")
        validator = self._text("validator_siret")
        bank_account = self._choice("bank_account_id") if self._bank_accounts_loaded else self.form.bank_account_id
        form = dataclasses.replace(
            self.form,
            recipient_siret=normalise_siret(self._text("recipient_siret") or ""),
            service_code=service,
            engagement_number=self._text("engagement_number"),
            contract_number=self._text("contract_number"),
            validator_siret=normalise_siret(validator) if validator else None,
            comment=self._text("comment"),
            vat_exemption_reason=self._text("vat_exemption_reason"),
            billing_frame=self._choice("billing_frame") or self.form.billing_frame,
            vat_type=self._choice("vat_type") or self.form.vat_type,
            payment_mode=self._choice("payment_mode"),
            bank_account_id=bank_account,
            recipient_structure_id=self._structure_choice(),
            amounts=amounts,
            recipient_name=self.recipient_name,
        )
        return form, problems

    def _structure_choice(self) -> int | None:
        if not self.query_one("#row-recipient_structure_id").display:
            return None
        value = self._choice("recipient_structure_id")
        return int(value) if value is not None else None

    def _service_choice(self) -> str | None:
        value = self.query_one("#service_code-select", Select).value
        return None if value == Select.NULL else str(value)

    # -- submit -----------------------------------------------------------------------------------

    def action_submit(self) -> None:
        if self.form is None or self.invoice is None or self.checking:
            return
        self.checking = True
        self._set_status(t("ui.form_checking"))
        self._check_and_submit()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close the form; after an edit, ask first, because the form keeps nothing once closed."""
        from chorus_tui.ui.screens.discard_edits import DiscardEditsScreen

        if not self.edited:
            self.dismiss(None)
            return
        self.app.push_screen(DiscardEditsScreen(), self._discard_answered)

    def _discard_answered(self, discard: bool | None) -> None:
        if discard:
            self.dismiss(None)

    @work(name="form-check", group="deposit-form", exclusive=True, exit_on_error=False)
    async def _check_and_submit(self) -> None:
        """Run every check; open the confirmation only when none is blocking."""
        from chorus_tui.validation import has_blocking

        context = self.chorus_app.context
        try:
            form, results = await self._run_checks()
        finally:
            self.checking = False
        # The status line shows it under the buttons: no toast, which would cover them.
        if has_blocking(results):
            count = sum(1 for result in results if result.level is CheckLevel.BLOCKING)
            self._set_status(t("ui.form_blocked", count=count), error=True)
            return
        if context.directory is None:
            self._set_status(t("ui.deposit_unavailable"), error=True)
            return
        # The fields stay editable during the check, which read them before its lookups. The
        # directory's name may arrive meanwhile without any field changing, so it is not compared.
        current, _ = self.read_form()
        if dataclasses.replace(current, recipient_name=form.recipient_name) != form:
            self._set_status(t("deposit_form.changed_during_check"), error=True)
            return
        self._set_status("")
        result = DepositFormResult(self.invoice_id, form, tuple(results))
        self.app.push_screen(ConfirmDepositScreen(self.summary(form, results)),
                             lambda confirmed: self._confirmed(result, confirmed))

    async def _run_checks(self) -> tuple[DepositForm, list[CheckResult]]:
        """Read the form, run every pre-deposit check on it and show the results under the fields."""
        from chorus_tui.validation import check_deposit, check_form

        assert self.invoice is not None
        context = self.chorus_app.context
        # Chorus Pro compares invoice dates with the date in Paris, whatever the machine's time zone.
        today = paris_today(context.clock)
        form, problems = self.read_form()
        results = list(problems)
        if context.directory is not None:
            results += await check_deposit(self.invoice, form, context.directory, today=today,
                                           supplier_sirets=context.supplier_sirets,
                                           supplier_id=context.supplier.structure_id)
        else:
            # Without a connection the directory checks cannot run, but the checks of the form itself can.
            results += check_form(self.invoice, form, today=today, supplier_sirets=context.supplier_sirets)
        results += self._check_recipient_name()
        self.results = results
        self.show_results(results)
        return form, results

    def _check_recipient_name(self) -> list[CheckResult]:
        """Warn when the recipient found in the directory does not look like the customer printed on the invoice."""
        assert self.invoice is not None
        printed = (self.invoice.customer_name or "").strip()
        if not printed or not self.recipient_name or names_match(printed, self.recipient_name):
            return []
        return [CheckResult("recipient_siret", CheckLevel.WARNING,
                            Message("deposit_form.recipient_differs",
                                    {"name": self.recipient_name, "customer": printed}))]

    def summary(self, form: DepositForm, results: list[CheckResult]) -> DepositSummary:
        """Gather what the confirmation shows about `form`, with the warnings of `results`."""
        context = self.chorus_app.context
        row = context.store.require_invoice(self.invoice_id)
        client = context.client
        environment = client.settings.environment.value if client is not None else "demo"
        return DepositSummary(
            number=form.invoice_number or row.number or row.source_key,
            kind=form.kind,
            environment=t(f"ui.environment.{environment}"),
            recipient_name=self._found_recipient_name(form, results),
            recipient_siret=form.recipient_siret,
            service_code=form.service_code,
            engagement_number=form.engagement_number,
            contract_number=form.contract_number,
            amount=format_invoice_total(form.amounts.total_ttc, row.currency, form.kind),
            route=self._route_label(form.route),
            from_file=form.route is DepositRoute.FLOW,
            **self._frame_summary(form),
            warnings=tuple(str(result.message) for result in results if result.level is CheckLevel.WARNING),
        )

    @staticmethod
    def _found_recipient_name(form: DepositForm, results: list[CheckResult]) -> str:
        """Return the directory name the checks found for the SIRET `form` sends, or "" when they found none.

        The invoice's printed customer is no substitute: it may be another body than this SIRET's.
        """
        for result in results:
            if result.field == "recipient_siret" and result.message.key == "checks.recipient_found":
                name = str(result.message.params.get("name") or "")
                return "" if name == form.recipient_siret else name
        return ""

    def _frame_summary(self, form: DepositForm) -> dict[str, str | None]:
        """Return the summary's cadre and mandataire lines; none for cadre A1, the usual one."""
        from chorus_tui.validation.billing_frame import A1, FRAMES_WITH_VALIDATOR
        from chorus_tui.validation.identifiers import normalise_siret

        if form.route is DepositRoute.FLOW:
            return self._flow_frame_summary()
        if form.billing_frame == A1:
            return {}
        values: dict[str, str | None] = {"billing_frame": t(f"ui.billing_frame.{form.billing_frame}")}
        if form.billing_frame in FRAMES_WITH_VALIDATOR:
            siret = normalise_siret(form.validator_siret or "")
            detection = self.invoice.detection if self.invoice is not None else None
            detected = detection is not None and detection.mandataire_siret == siret
            name = detection.mandataire_name if detected else None
            values["mandataire"] = " · ".join(part for part in (name, siret) if part) or t("ui.confirm.none")
        return values

    def _flow_frame_summary(self) -> dict[str, str | None]:
        """Return the summary's cadre line for a flow: the XML's (BT-23), since the form's is not sent.

        The flow has no mandataire line, because where the XML names the validating structure is
        not known.
        """
        from chorus_tui.validation.billing_frame import A1
        from chorus_tui.validation.flow_xml import chorus_billing_frame, flow_business_process

        assert self.invoice is not None
        value = flow_business_process(self.invoice)
        if value is None:
            return {}
        frame = chorus_billing_frame(value)
        if frame == A1:
            return {}
        label = t(f"ui.billing_frame.{frame}") if frame is not None else value
        return {"billing_frame": t("deposit_form.from_file", value=label)}

    def _route_label(self, route: DepositRoute) -> str:
        if route is DepositRoute.PDF and self.invoice is not None and self.invoice.is_facturx:
            return t("deposit_form.route_pdf_with_form")
        return t(f"integration.route_{route.name.lower()}")

    def _confirmed(self, result: DepositFormResult, confirmed: bool | None) -> None:
        if confirmed:
            self.dismiss(result)
            return
        warnings = sum(1 for check in result.results if check.level is CheckLevel.WARNING)
        self._set_status(t("ui.form_not_sent_warnings", count=warnings) if warnings else t("ui.form_not_sent"))

    def show_results(self, results: list[CheckResult]) -> None:
        """Show each check result under its field: blocking first, then warnings; passes are not shown."""
        by_field: dict[str, list[CheckResult]] = {}
        for result in results:
            if result.level is CheckLevel.PASS:
                continue
            field = result.field if result.field in FIELD_NAMES else "general"
            by_field.setdefault(field, []).append(result)

        self._blocking_by_field = {
            name: count for name, found in by_field.items()
            if (count := sum(1 for result in found if result.level is CheckLevel.BLOCKING))
        }
        for name in [*FIELD_NAMES, "general"]:
            label = self.query_one(f"#error-{dom_id(name)}", Static)
            found = sorted(by_field.get(name, []), key=lambda result: result.level is not CheckLevel.BLOCKING)
            label.display = bool(found)
            blocking = any(result.level is CheckLevel.BLOCKING for result in found)
            label.set_class(blocking, "blocking")
            label.update("\n".join(self._result_line(result) for result in found))
            if name != "general":
                row = self.query_one(f"#row-{dom_id(name)}")
                row.set_class(blocking, "has-error")
                row.set_class(bool(found) and not blocking, "has-warning")

        service_options = next((r.options for r in results if r.field == "service_code" and r.options), None)
        if service_options:
            self._offer_services_from_options(service_options)
        structure_options = next((r.options for r in results if r.field == "recipient_siret" and r.options), None)
        if structure_options:
            self._offer_structures(structure_options)
        first = next((name for name, _ in FIELDS if name in by_field), None)
        if first is not None:
            self.query_one(f"#row-{dom_id(first)}").scroll_visible()

    @staticmethod
    def _result_line(result: CheckResult) -> str:
        mark = "✗" if result.level is CheckLevel.BLOCKING else "!"
        return f"{mark} {french_spacing(str(result.message))}"

    def _offer_structures(self, options: list) -> None:
        """Let the user pick one of the structures that share the recipient's SIRET."""
        # NOTE: no structure of the simulator's directory shares a SIRET, so no test reaches this list.
        select = self.query_one("#recipient_structure_id", Select)
        current = select.value
        select.set_options([(option.label, option.value) for option in options])
        if any(option.value == current for option in options):
            select.value = current
        self.query_one("#row-recipient_structure_id").display = True

    def _offer_services_from_options(self, options: list) -> None:
        select = self.query_one("#service_code-select", Select)
        if self._services_known or self.by_flow:
            return
        select.set_options([(option.label, option.value) for option in options])
        self._services_known = True
        select.display = True
        self.query_one("#service_code", Input).display = False

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#form-status", Static)
        status.update(text)
        status.set_class(error, "error")
