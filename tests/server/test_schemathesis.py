"""Schemathesis against the running server's own OpenAPI schema: no 5xx, and every answer matches the schema.

A real server on localhost (no workers: samples stay queued), called with a
designer's key through the schemathesis command line, every check enabled but
one: ``positive_data_acceptance`` expects every schema-valid body to be
accepted, and the garment rules (known pattern and fabric names, size labels,
measurement and per-pattern parameter ranges, 'custom' needing measurements)
are checked by the pipeline, answering the documented 422 naming the field.
A few generated examples per operation keep it to tens of seconds;
``GARMENT3D_SCHEMATHESIS_EXAMPLES`` raises it for a deep run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from live_server import LiveServer

EXAMPLES = os.environ.get("GARMENT3D_SCHEMATHESIS_EXAMPLES", "5")


def test_api_conforms_to_its_schema(tmp_path):
    server = LiveServer(tmp_path / "data", {"GARMENT3D_WORKERS": "0"})
    key = server.add_user("fuzz", "designer")
    server.start()
    try:
        cli = Path(sys.executable).with_name("schemathesis")
        result = subprocess.run(
            [str(cli), "run", f"{server.base_url}/openapi.json", "--checks", "all", "--exclude-checks", "positive_data_acceptance", "-n", EXAMPLES, "--seed", "16",
             "--generation-deterministic", "--request-timeout", "60", "-H", f"Authorization: Bearer {key}",
             "--suppress-health-check", "all"],
            capture_output=True, text=True, timeout=900, env=os.environ | {"NO_COLOR": "1"},
            cwd=tmp_path,  # schemathesis keeps a .schemathesis/ folder in its working directory
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:] + server.log_tail()
