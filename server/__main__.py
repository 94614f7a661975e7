"""``python -m server``: the same as ``garment3d serve``."""

from __future__ import annotations

import sys

from garment3d.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
