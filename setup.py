"""Build hook: a wheel carries the project's queries/, ontology/ and shapes/.

Everything else is declared in pyproject.toml. The three folders live at the
repository root (the project's layout, which every command reads in a
checkout); ``build_py`` copies them into the package as
``samverkansgraf/_bundled/<name>/`` so that an installed wheel can run the query
catalogue against an endpoint (``query NAME --endpoint URL``,
``run_query(NAME, endpoint=URL)``) without a checkout
(``sources.bundled_dir``). An editable install reads the checkout instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"queries": ("*.rq",), "ontology": ("*.ttl",), "shapes": ("*.ttl", "*/*.ttl")}


class BuildWithProjectFiles(build_py):
    """``build_py`` that also copies the bundled project folders."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder, patterns in BUNDLED.items():
            target = Path(self.build_lib) / "samverkansgraf" / "_bundled" / folder
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    destination = target / source.relative_to(ROOT / folder)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithProjectFiles})
