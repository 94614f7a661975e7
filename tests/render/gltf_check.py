"""The Khronos glTF validator (npm ``gltf-validator``) run on a GLB, for the render tests.

To run it: ``npm install gltf-validator`` in any folder and point ``NODE_PATH``
at its ``node_modules`` (or install it globally). Without it the calling test
is skipped, or fails where ``GARMENT3D_REQUIRE_GLTF_VALIDATOR=1`` (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest


def _validator_required() -> bool:
    """CI sets GARMENT3D_REQUIRE_GLTF_VALIDATOR=1: there a missing validator fails instead of skipping."""
    return os.environ.get("GARMENT3D_REQUIRE_GLTF_VALIDATOR") == "1"


def _validator_command():
    node = shutil.which("node")
    if node is None:
        return None
    env = dict(os.environ)
    npm = shutil.which("npm")
    if npm is not None:
        try:
            root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = ""
        env["NODE_PATH"] = os.pathsep.join(p for p in (env.get("NODE_PATH", ""), root) if p)
    found = subprocess.run([node, "-e", "require('gltf-validator')"], env=env, capture_output=True, timeout=60)
    return (node, env) if found.returncode == 0 else None


VALIDATE_JS = """
const fs = require('fs');
const validator = require('gltf-validator');
validator.validateBytes(new Uint8Array(fs.readFileSync(process.argv[1])))
  .then((report) => console.log(JSON.stringify(report.issues)))
  .catch((error) => { console.error(error); process.exit(2); });
"""



def validator_issues(glb_path) -> dict:
    """The validator's ``issues`` object for the file (skips or fails the test without a validator)."""
    command = _validator_command()
    if command is None:
        message = "node or the npm package gltf-validator is not available (set NODE_PATH)"
        if _validator_required():
            pytest.fail(message)
        pytest.skip(message)
    node, env = command
    result = subprocess.run(
        [node, "-e", VALIDATE_JS, str(glb_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
