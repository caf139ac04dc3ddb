"""Fixtures of the connection tests: an in-memory keyring backend and a clean session memory."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend

from chorus_tui.secrets import clear_session_secrets


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict, standing in for the system keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture(autouse=True)
def forget_session_secrets():
    clear_session_secrets()
    yield
    clear_session_secrets()
