"""``garment3d sample --colorway``: a colour of the fabric, checked before any work."""

from __future__ import annotations

from garment3d.cli import main


def test_an_unknown_colour_exits_2_naming_it(tmp_path, capsys):
    code = main(["sample", "--out", str(tmp_path / "out"), "--quality", "draft", "--colorway", "not-a-colour"])
    err = capsys.readouterr().err
    assert code == 2 and "'not-a-colour' is neither '#rrggbb' nor a known colour name" in err, err
    assert not (tmp_path / "out").exists()
