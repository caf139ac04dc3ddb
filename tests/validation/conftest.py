"""Fixtures of the validation tests: a fixed "today"."""

from __future__ import annotations

from datetime import date

import pytest

TODAY = date(2026, 3, 10)


