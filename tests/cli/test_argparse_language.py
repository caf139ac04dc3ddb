"""argparse's own texts (usage, help, errors) follow the interface language."""

from __future__ import annotations

import pytest

from chorus_tui.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    captured = capsys.readouterr()
    return stopped.value.code, captured.out, captured.err


def test_help_in_french(capsys):
    code, out, _ = run_cli(capsys, "--lang", "fr", "--help")
    assert code == 0
    assert out.startswith("utilisation : chorus-tui")
    assert "afficher cette aide et quitter" in out
    assert "arguments positionnels\u00a0:" in out
    assert "options\u00a0:" in out
    assert "show this help" not in out
    assert "show program's version" not in out


def test_help_in_english(capsys):
    code, out, _ = run_cli(capsys, "--lang", "en", "--help")
    assert code == 0
    assert out.startswith("usage: chorus-tui")
    assert "show this help message and exit" in out
    assert "positional arguments:" in out


def test_bad_choice_in_french(capsys):
    code, _, err = run_cli(capsys, "--lang", "fr", "sandbox", "serve", "--unsubscribe", "nope")
    assert code == 2
    assert "chorus-tui sandbox serve : erreur : argument --unsubscribe : choix invalide : 'nope'" in err
    assert "error" not in err
    assert "usage" not in err


def test_bad_choice_in_english(capsys):
    code, _, err = run_cli(capsys, "--lang", "en", "sandbox", "serve", "--unsubscribe", "nope")
    assert code == 2
    assert "error: argument --unsubscribe: invalid choice: 'nope'" in err


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "http"])
def test_sandbox_port_out_of_range(capsys, port):
    code, _, err = run_cli(capsys, "--lang", "fr", "sandbox", "serve", "--port", port)
    assert code == 2
    assert f"port « {port} » invalide : donnez un nombre entier de 1 à 65535" in err
    assert "Traceback" not in err
