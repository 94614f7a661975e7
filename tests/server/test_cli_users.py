"""``garment3d users add`` prints a key once (stored hashed) that the API then accepts; bad input exits 2."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from garment3d.cli import main
from server.app import create_app
from server.settings import ServerSettings


def test_users_add_prints_a_working_key(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GARMENT3D_SERVER_DATA_DIR", str(tmp_path / "data"))
    assert main(["users", "add", "dora", "--role", "designer", "--org", "Lotus Silk"]) == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert re.fullmatch(r"g3d_[A-Za-z0-9_-]{43}", key) and "dora" in out.err
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Lotus Silk" in listing and "designer" in listing and key not in listing
    assert key.encode() not in (tmp_path / "data" / "garment3d.sqlite3").read_bytes()
    with TestClient(create_app(ServerSettings(data_dir=tmp_path / "data", run_worker=False))) as client:
        assert client.get("/api/v1/samples", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_users_add_refuses_an_unknown_role(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GARMENT3D_SERVER_DATA_DIR", str(tmp_path / "data"))
    assert main_exit(["users", "add", "eve", "--role", "owner"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_serve_refuses_bad_settings(monkeypatch, capsys):
    monkeypatch.setenv("GARMENT3D_WORKERS", "many")
    assert main(["serve"]) == 2
    assert "GARMENT3D_WORKERS must be a whole number" in capsys.readouterr().err


def main_exit(argv) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return exit_.code
