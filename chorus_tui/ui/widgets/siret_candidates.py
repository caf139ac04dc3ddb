"""The recipient SIRETs that detection found in an invoice, best first, for the user to choose from.

Detection ranks every 14-digit number it finds (`Detection.candidates`) and
keeps the best one as the recipient. This list shows the ones still eligible
(the supplier's own identifiers and the mandataire's are not), each with the
reason for its rank and, once looked up, its name in the Chorus Pro
directory. Enter on a line posts `SiretCandidateList.Picked`; the deposit form
then puts that SIRET in the recipient field.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message as TextualMessage
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from chorus_tui.domain import Detection, SiretCandidate
from chorus_tui.i18n import Message, t

CHOSEN_MARK = "●"
OTHER_MARK = "○"


def eligible_candidates(detection: Detection) -> list[SiretCandidate]:
    """Return the candidates detection would accept as the recipient, in its rank order (best first)."""
    # Detection gives excluded SIRETs (the supplier's, the mandataire's) a negative score.
    return [candidate for candidate in detection.candidates if candidate.score > 0]


def candidate_reason(candidate: SiretCandidate) -> str:
    """Return why `candidate` ranks where it does, in the current language."""
    # A label read from the text can keep the space that followed it ("SIRET "): trim it for display.
    params = {name: value.strip() if isinstance(value, str) else value
              for name, value in candidate.reason.params.items()}
    reason = str(Message(candidate.reason.key, params))
    if not candidate.checksum_valid:
        reason = f"{reason} · {t('recipient_choice.checksum_invalid')}"
    return reason


class SiretCandidateList(OptionList):
    """One line pair per eligible SIRET: the SIRET and its directory name, then the reason for its rank."""

    BINDINGS = [
        Binding("enter", "select", t("recipient_choice.pick"), key_display=t("ui.keyname_enter"),
                id="pick_recipient", tooltip=t("recipient_choice.pick_tip")),
    ]

    class Picked(TextualMessage):
        """The user chose `siret` as the recipient."""

        def __init__(self, siret: str) -> None:
            super().__init__()
            self.siret = siret

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.candidates: list[SiretCandidate] = []
        self.chosen: str | None = None
        # Directory name of each SIRET once looked up; None when the directory does not know it.
        self.names: dict[str, str | None] = {}

    def show_candidates(self, candidates: list[SiretCandidate], chosen: str | None) -> None:
        """Replace the listed candidates, marking `chosen` (the SIRET in the recipient field)."""
        self.candidates = list(candidates)
        self.chosen = chosen
        self.names = {}
        self._rebuild()
        self.highlighted = 0 if candidates else None

    def set_name(self, siret: str, name: str | None) -> None:
        """Show the directory name of `siret`, or that the directory does not know it when `name` is None."""
        self.names[siret] = name
        self._rebuild()

    def mark_chosen(self, siret: str | None) -> None:
        """Mark the line of `siret` as the recipient, or no line when `siret` is not one of the candidates."""
        if siret != self.chosen:
            self.chosen = siret
            self._rebuild()

    def _rebuild(self) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(self._prompt(candidate), id=candidate.siret) for candidate in self.candidates)
        if highlighted is not None and highlighted < len(self.candidates):
            self.highlighted = highlighted

    def _prompt(self, candidate: SiretCandidate) -> Text:
        mark = CHOSEN_MARK if candidate.siret == self.chosen else OTHER_MARK
        text = Text(f"{mark} {candidate.siret}", style="bold" if candidate.siret == self.chosen else "")
        if candidate.siret in self.names:
            name = self.names[candidate.siret]
            text.append(" · ")
            if name is None:
                text.append(t("recipient_choice.not_in_directory"), style="italic")
            else:
                text.append(name)
        text.append("\n  ")
        text.append(candidate_reason(candidate), style="dim" if candidate.checksum_valid else "")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Picked(event.option.id))
