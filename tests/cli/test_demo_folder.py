"""`chorus-tui --demo --folder DIR`: the demo application on a folder of the user's own invoices."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from chorus_tui import paths
from chorus_tui.cli import build_parser, main
from chorus_tui.clock import ManualClock
from chorus_tui.commands import run_tui
from chorus_tui.sources import demo_invoice_folder
from tests.ui.conftest import START, settle


@pytest.fixture
def own_folder(tmp_path) -> Path:
    folder = tmp_path / "mes factures"
    folder.mkdir()
    (source,) = demo_invoice_folder().glob("FAC-2026-0004*.pdf")
    shutil.copy(source, folder / "ma-facture.pdf")
    return folder


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_folder_option_parsed(own_folder):
    args = parse("--demo", "--folder", str(own_folder))
    assert args.demo is True
    assert args.folder == own_folder
    assert args.command is None


def test_folder_without_demo_rejected(capsys, own_folder):
    status = main(["--lang", "fr", "--folder", str(own_folder)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"--folder {own_folder} ne s'emploie qu'avec --demo" in err


def test_missing_folder_rejected(capsys, tmp_path):
    missing = tmp_path / "absent"
    status = main(["--lang", "fr", "--demo", "--folder", str(missing)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"Dossier introuvable : {missing}." in err


def test_folder_before_subcommand_rejected(capsys, own_folder):
    with pytest.raises(SystemExit) as raised:
        main(["--lang", "fr", "--folder", str(own_folder), "detect", str(own_folder)])
    assert raised.value.code == 2
    assert "pas avec la commande detect" in capsys.readouterr().err


def test_folder_data_kept_apart(own_folder, tmp_path):
    data_dir = run_tui.demo_folder_data_dir(own_folder)
    assert data_dir.parent.parent == paths.demo_data_dir()
    assert data_dir != run_tui.demo_folder_data_dir(tmp_path)
    assert data_dir == run_tui.demo_folder_data_dir(own_folder / ".." / own_folder.name)


async def test_demo_lists_own_invoices(own_folder):
    app = run_tui.build_demo(parse("--demo", "--folder", str(own_folder)), clock=ManualClock(START),
                             poll_interval=3600)
    assert app.context.source.folder == own_folder.resolve()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        store = app.context.store
        assert len(store.find_by_number("FAC-2026-0004")) == 1
        assert store.find_by_number("FAC-2026-0001") == []
        assert app.context.client is not None
    assert Path(store.path).parent == run_tui.demo_folder_data_dir(own_folder)


async def test_demo_without_folder_lists_samples():
    app = run_tui.build_demo(parse("--demo"), clock=ManualClock(START), poll_interval=3600)
    assert app.context.source.folder == demo_invoice_folder()


def test_run_opens_folder_demo(monkeypatch, own_folder):
    from chorus_tui.ui.app import ChorusApp

    started = []
    monkeypatch.setattr(ChorusApp, "run", lambda app: started.append(app.context.source.folder))
    status = main(["--lang", "fr", "--demo", "--folder", str(own_folder)])
    assert status == 0
    assert started == [own_folder.resolve()]


def test_relative_folder_made_absolute(monkeypatch, own_folder):
    monkeypatch.chdir(own_folder)
    app = run_tui.build_demo(parse("--demo", "--folder", "."), clock=ManualClock(START), poll_interval=3600)
    assert app.context.source.folder == own_folder.resolve()
