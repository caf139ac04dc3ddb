"""The invoice list: a Line API widget that reads only the rows it shows.

The stock DataTable keeps every row in memory and takes tens of seconds to
first paint with 100,000 rows. This widget asks its data source for the row
count and for pages of `page_size` rows around what is on screen, and keeps a
few pages in a small LRU cache, so its cost does not grow with the database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chorus_tui.domain import CheckLevel
from chorus_tui.i18n import Message as TextMessage
from chorus_tui.i18n import t
from chorus_tui.statuses import DEPOSITABLE_STATUSES, Category, status_short_label
from chorus_tui.store.rows import InvoiceRow
from chorus_tui.validation.identifiers import Party, check_siret
from chorus_tui.ui.formatting import format_date, format_invoice_total, format_siret

CountRows = Callable[[], int]
FetchRows = Callable[[int, int], Sequence[InvoiceRow]]

# Below this content width the SIRET column is dropped and the status column narrows (80-column terminals).
_NARROW_WIDTH = 92


@dataclass(frozen=True)
class Column:
    """One column: its header text, its width in cells and its alignment."""

    key: str
    title: str
    width: int
    align: str = "left"


def _cell(text: str, width: int, align: str) -> str:
    """Cut `text` to `width` cells with an ellipsis, then pad it to `width`."""
    if width <= 0:
        return ""
    rendered = Text(text, no_wrap=True, overflow="ellipsis")
    rendered.truncate(width, overflow="ellipsis")
    plain = rendered.plain
    return plain.rjust(width) if align == "right" else plain.ljust(width)


def file_errors(row: InvoiceRow) -> list[TextMessage]:
    """Return why the invoice's file could not be read (missing, empty, not a PDF…), or [] when it was read."""
    return [TextMessage(item["key"], item.get("params", {})) for item in row.detection.get("errors", [])]


def recipient_siret_blocked(row: InvoiceRow) -> bool:
    """Tell whether an invoice still to deposit has a recipient SIRET that blocks its deposit: missing or invalid."""
    if row.status_code not in DEPOSITABLE_STATUSES:
        return False
    result = check_siret(row.recipient_siret, party=Party.RECIPIENT, field="recipient_siret")
    return result.level is CheckLevel.BLOCKING


class InvoiceTable(ScrollView, can_focus=True):
    """A virtual table of invoices with a row cursor and a fixed header line."""

    DEFAULT_CSS = """
    InvoiceTable {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
    }
    InvoiceTable > .invoice-table--header {
        text-style: bold;
        color: $text-primary;
        background: $panel;
    }
    InvoiceTable > .invoice-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    InvoiceTable:focus > .invoice-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    InvoiceTable > .invoice-table--empty { color: $text-muted; text-style: italic; }
    InvoiceTable > .invoice-table--to_deposit { color: $text-secondary; }
    InvoiceTable > .invoice-table--in_progress { color: $text-accent; }
    InvoiceTable > .invoice-table--action_required { color: $text-warning; text-style: bold; }
    InvoiceTable > .invoice-table--paid { color: $text-success; }
    InvoiceTable > .invoice-table--rejected { color: $text-error; text-style: bold; }
    InvoiceTable > .invoice-table--finished { color: $text-muted; }
    """

    COMPONENT_CLASSES = {
        "invoice-table--header",
        "invoice-table--cursor",
        "invoice-table--empty",
        *(f"invoice-table--{category.value}" for category in Category),
    }

    BINDINGS = [
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class RowHighlighted(Message):
        """The cursor moved to another invoice (or to none, when the list is empty)."""

        def __init__(self, row: InvoiceRow | None) -> None:
            super().__init__()
            self.row = row

    class RowSelected(Message):
        """The user double-clicked an invoice."""

        def __init__(self, row: InvoiceRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        count_rows: CountRows,
        fetch_rows: FetchRows,
        *,
        page_size: int = 100,
        cached_pages: int = 8,
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._count_rows = count_rows
        self._fetch_rows = fetch_rows
        self._page_size = page_size
        self._cached_pages = cached_pages
        self._pages: OrderedDict[int, Sequence[InvoiceRow]] = OrderedDict()
        self._row_count = 0
        self.empty_text = empty_text
        self.fetch_count = 0  # pages read from the data source, for tests and measurements

    # -- data ------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._row_count

    def set_source(self, count_rows: CountRows, fetch_rows: FetchRows) -> None:
        """Read from another query (a new filter or view) and go back to the first row."""
        self._count_rows = count_rows
        self._fetch_rows = fetch_rows
        self.reload(keep_cursor=False)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Forget the cached pages, count the rows again and repaint; keeps the cursor's position."""
        self._pages.clear()
        self._row_count = self._count_rows()
        self.virtual_size = Size(self.scrollable_content_region.width, self._row_count + 1)
        target = min(self.cursor_row, self._row_count - 1) if keep_cursor else 0
        self.cursor_row = max(target, 0)
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def row_at(self, index: int) -> InvoiceRow | None:
        """Return the row at `index` in the current order, reading its page when not cached."""
        if not 0 <= index < self._row_count:
            return None
        page_number, position = divmod(index, self._page_size)
        page = self._pages.get(page_number)
        if page is None:
            page = self._fetch_rows(page_number * self._page_size, self._page_size)
            self.fetch_count += 1
            self._pages[page_number] = page
            while len(self._pages) > self._cached_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[position] if position < len(page) else None

    @property
    def selected_row(self) -> InvoiceRow | None:
        return self.row_at(self.cursor_row)

    def move_to_invoice(self, invoice_id: int) -> bool:
        """Put the cursor on the invoice `invoice_id` if it is in a cached page; return whether it was found."""
        for page_number, page in self._pages.items():
            for position, row in enumerate(page):
                if row.id == invoice_id:
                    self.cursor_row = page_number * self._page_size + position
                    return True
        return False

    # -- geometry --------------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def columns(self, width: int) -> list[Column]:
        """Lay out the columns for a content `width`: the customer column takes what is left."""
        narrow = width < _NARROW_WIDTH
        fixed = [
            Column("number", t("ui.col_number"), 14),
            Column("customer", t("ui.col_customer"), 0),
            Column("siret", t("ui.col_siret"), 0 if narrow else 14),
            Column("date", t("ui.col_date"), 10),
            Column("amount", t("ui.col_amount"), 13, "right"),
            # Status labels have a short form of 20 cells at most for this column (statuses.short).
            Column("status", t("ui.col_status"), 20),
        ]
        shown = [column for column in fixed if column.width or column.key == "customer"]
        used = 1 + sum(column.width for column in shown) + (len(shown) - 1)
        customer_width = max(width - used, 8)
        return [
            Column(column.key, column.title, customer_width) if column.key == "customer" else column
            for column in shown
        ]

    @staticmethod
    def cells(row: InvoiceRow) -> dict[str, str]:
        """Return the display text of each column for one invoice."""
        status = status_short_label(row.status_code)
        if row.status_code in DEPOSITABLE_STATUSES and file_errors(row):
            status = t("deposit_form.status_file_unreadable", status=status)
        elif recipient_siret_blocked(row):
            status = t("deposit_form.status_siret_blocked", status=status)
        return {
            "number": row.number or row.source_key,
            "customer": row.customer or "",
            "siret": format_siret(row.recipient_siret),
            "date": format_date(row.invoice_date),
            "amount": format_invoice_total(row.total_ttc, row.currency, row.kind),
            "status": status,
        }

    # -- rendering -------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._row_count + 1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._render_header(width, base)
        index = round(self.scroll_offset.y) + y - 1
        if self._row_count == 0:
            if y == 2 and self.empty_text:
                style = base + self.get_component_rich_style("invoice-table--empty")
                return Strip([Segment(_cell(f" {self.empty_text}", width, "left"), style)], width)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        return self._render_row(row, index == self.cursor_row, width, base)

    def _render_header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("invoice-table--header")
        text = " " + " ".join(_cell(c.title, c.width, c.align) for c in self.columns(width))
        return Strip([Segment(_cell(text, width, "left"), style)], width)

    def _render_row(self, row: InvoiceRow, is_cursor: bool, width: int, base: Style) -> Strip:
        values = self.cells(row)
        status_style = base + self.get_component_rich_style(f"invoice-table--{row.category.value}")
        if is_cursor:
            base = base + self.get_component_rich_style("invoice-table--cursor")
            status_style = base
        segments = [Segment(" ", base)]
        for position, column in enumerate(self.columns(width)):
            if position:
                segments.append(Segment(" ", base))
            style = status_style if column.key == "status" else base
            segments.append(Segment(_cell(values[column.key], column.width, column.align), style))
        return Strip(segments).adjust_cell_length(width, base)

    # -- cursor ----------------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self._visible_rows:
            self.scroll_to(y=new - self._visible_rows + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.RowHighlighted(self.row_at(new)))

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self._row_count - 1)) if self._row_count else 0

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._visible_rows

    def action_page_down(self) -> None:
        self.cursor_row += self._visible_rows

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self._row_count - 1

    def action_select(self) -> None:
        row = self.selected_row
        if row is not None:
            self.post_message(self.RowSelected(row))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        self.cursor_row = round(self.scroll_offset.y) + event.y - 1
        if event.chain >= 2:
            self.action_select()
