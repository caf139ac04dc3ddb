"""French spacing on screen: no line break after « or before », :, ;, ? and !.

French puts a space inside guillemets and before those marks, and a line must
not start or end on them. The checks' messages use ordinary spaces there, so
`french_spacing` turns them into no-break spaces, and `keep_no_break_spaces`
makes Textual's line wrapping honour no-break spaces, which it breaks at by default.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"

_SPACE_AFTER_OPENING = re.compile(r"« ")
_SPACE_BEFORE_MARK = re.compile(r" ([»:;?!])")

# Words that may contain no-break spaces, with the breakable spaces around them. Textual's Content
# wraps a Static with the chunk pattern of textual._wrap (breakable spaces after the word) and
# the word pattern of rich._wrap (breakable spaces on both sides), and keep_no_break_spaces replaces both.
_BREAKABLE = r"[^\S\u00a0\u202f]"
_WORD = r"(?:\S|[\u00a0\u202f])+"
_TEXTUAL_CHUNK = re.compile(f"{_WORD}{_BREAKABLE}*|{_BREAKABLE}+")
_RICH_WORD = re.compile(f"{_BREAKABLE}*{_WORD}{_BREAKABLE}*")


def french_spacing(text: str) -> str:
    """Return `text` with no-break spaces after « and before », :, ;, ? and !."""
    text = _SPACE_AFTER_OPENING.sub("«" + NO_BREAK_SPACE, text)
    return _SPACE_BEFORE_MARK.sub(NO_BREAK_SPACE + r"\1", text)


def keep_no_break_spaces() -> None:
    """Make the line wrapping of Textual and Rich treat no-break spaces as part of a word.

    NOTE: this replaces a pattern in `rich._wrap` and `textual._wrap`, private modules (checked
    with Textual 8.2.8 and its Rich). Where a version lacks the pattern, lines keep breaking at
    no-break spaces there.
    """
    import rich._wrap
    import textual._wrap

    for module, name, pattern in ((rich._wrap, "re_word", _RICH_WORD), (textual._wrap, "re_chunk", _TEXTUAL_CHUNK)):
        if hasattr(module, name):
            setattr(module, name, pattern)
        else:
            log.warning("%s has no %s: lines may break at no-break spaces", module.__name__, name)
