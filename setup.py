"""Build step beyond pyproject.toml: the pattern and fabric libraries travel in the wheel as package data.

``patterns/`` and ``fabrics/`` live at the top of the checkout (where designers
edit them); the build copies them to ``garment3d/library/`` inside the built
package, where ``garment3d.settings`` finds them when no checkout is around
(a non-editable install). Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
LIBRARIES = ("patterns", "fabrics")


class BuildWithLibraries(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        for name in LIBRARIES:
            target = Path(self.build_lib) / "garment3d" / "library" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithLibraries})
