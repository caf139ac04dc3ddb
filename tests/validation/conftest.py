"""Fixtures of the validation tests: French messages, a fixed "today"."""

from __future__ import annotations

from datetime import date

import pytest

from chorus_tui import i18n

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def french_messages():
    previous = i18n.current_language()
    i18n.set_language("fr")
    yield
    i18n.set_language(previous)
