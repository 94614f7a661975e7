"""The CLI as a user runs it: a real subprocess, exit codes and messages."""

import subprocess
import sys

import pytest


def run_cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "garment3d.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_list_shows_patterns_and_fabrics():
    result = run_cli("list")
    assert result.returncode == 0
    assert "a_line_skirt" in result.stdout and "linen_red" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--pattern", "ballgown"], "unknown pattern 'ballgown'"),
        (["--fabric", "vinyl"], "unknown fabric 'vinyl'"),
        (["--size", "XXXL"], "is not a GB/T 1335 size"),
        (["--size", "custom", "--height", "160", "--bust", "84", "--waist", "-68", "--hip", "90"], "measurement 'waist'"),
        (["--size", "custom", "--height", "900", "--bust", "84", "--waist", "68", "--hip", "90"], "measurement 'height'"),
        (["--size", "custom", "--height", "160"], "missing: --bust, --waist, --hip"),
        (["--param", "length=500"], "parameter 'length' = 500 cm is outside"),
        (["--param", "length"], "is not NAME=VALUE"),
        (["--param", "length=long"], "is not a number"),
        (["--quality", "ultra"], "invalid choice"),
        (["--avatar", "/no/such/scan.obj"], "avatar file '/no/such/scan.obj' does not exist"),
        (["--arm-angle", "170"], "arm"),
    ],
)
def test_bad_input_gives_a_clear_message_and_exit_2(tmp_path, args, message):
    result = run_cli("sample", "--out", str(tmp_path / "out"), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()  # nothing written for a refused request


def test_missing_out_is_a_usage_error():
    result = run_cli("sample")
    assert result.returncode == 2 and "--out" in result.stderr
