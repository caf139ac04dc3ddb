"""Subcommands write their log to the log file, and to the terminal only with -v."""

from __future__ import annotations

import logging

import pytest

from chorus_tui import paths
from chorus_tui.cli import _CommandLogHandler, configure_command_logging, main

RETRY_NOTICE = "Chorus Pro %s: giving up after %d attempts"


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    # An earlier test may have left logging.disable() on; these tests need warnings to flow.
    disabled = logging.root.manager.disable
    logging.disable(logging.NOTSET)
    yield
    logging.disable(disabled)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_warning_goes_to_log_file(capsys):
    assert main(["--lang", "fr", "profiles"]) == 0
    capsys.readouterr()

    logging.getLogger("chorus_tui.chorus.http").warning(RETRY_NOTICE, "rechercher", 2)

    assert capsys.readouterr().err == ""
    assert "giving up after 2 attempts" in paths.log_file().read_text(encoding="utf-8")


def test_verbose_also_prints_log(capsys):
    configure_command_logging(verbose=1)

    logging.getLogger("chorus_tui.chorus.http").warning(RETRY_NOTICE, "rechercher", 2)

    assert "giving up after 2 attempts" in capsys.readouterr().err
    assert "giving up after 2 attempts" in paths.log_file().read_text(encoding="utf-8")


def test_repeated_runs_keep_one_file_handler():
    configure_command_logging(verbose=0)
    configure_command_logging(verbose=0)

    file_handlers = [handler for handler in logging.getLogger().handlers
                     if isinstance(handler, _CommandLogHandler)]
    assert len(file_handlers) == 1
