"""The package is usable outside the checkout (issue 20).

A wheel built from the repository carries the query catalogue, the ontology
and the shapes (``setup.py``'s build hook), and from a folder that is no
project, ``query NAME --endpoint URL`` and ``run_query(NAME, endpoint=URL)``
answer from the wheel alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPIED = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "LICENSE-DATA",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the repository (the checkout stays clean)."""
    tree = tmp_path_factory.mktemp("tree")
    for name in COPIED:
        shutil.copy(ROOT / name, tree / name)
    for folder in ("src", "queries", "ontology", "shapes"):
        shutil.copytree(
            ROOT / folder,
            tree / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("samverkansgraf-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_carries_queries_ontology_shapes_and_the_query_page(
    wheel: Path,
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in (
        ("queries", "*.rq"),
        ("ontology", "*.ttl"),
        ("shapes", "**/*.ttl"),
    ):
        files = sorted((ROOT / folder).glob(pattern))
        assert files, folder
        for path in files:
            relative = path.relative_to(ROOT / folder).as_posix()
            inside = f"samverkansgraf/_bundled/{folder}/{relative}"
            assert inside in names, inside
            assert zipfile.ZipFile(wheel).read(inside) == path.read_bytes()
    assert "samverkansgraf/query/workbench/vendor/oxigraph/web_bg.wasm" in names
    assert "samverkansgraf/query/workbench/query.html" in names
    assert "samverkansgraf/publish/templates/profile.html" in names


@pytest.mark.slow
@pytest.mark.network
def test_outside_any_project_the_wheel_queries_an_endpoint(
    wheel: Path, full_dump: Path, tmp_path: Path
) -> None:
    from samverkansgraf.query.endpoint import start_server

    target = tmp_path / "installed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"  # no ontology/ or data/: no project
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SAMVERKANSGRAF_HOME"}
    env["PYTHONPATH"] = str(target)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        )

    where = run("-c", "import samverkansgraf; print(samverkansgraf.__file__)")
    assert where.stdout.strip().startswith(str(target)), where.stderr
    listed = run("-m", "samverkansgraf", "query", "--list")
    assert listed.returncode == 0, listed.stderr
    assert "13_municipalities_in_no_activity" in listed.stdout
    with start_server(full_dump) as server:
        cli = run(
            "-m", "samverkansgraf", "query", "13", "-p", "county=18",
            "--endpoint", server.query_url, "--format", "csv",
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        assert cli.stdout.splitlines()[1:] == [
            "https://w3id.org/samverkansgraf/id/kommun/1862,Degerfors kommun,1862"
        ]
        api = run(
            "-c",
            "from samverkansgraf import run_query\n"
            f"r = run_query('13', county='18', endpoint={server.query_url!r})\n"
            "print([row['municipalityLabel'] for row in r.records()])",
        )
        assert api.returncode == 0, api.stderr
        assert api.stdout.strip() == "['Degerfors kommun']"
    # A local run still needs the project's build, and says so in one line.
    local = run("-m", "samverkansgraf", "query", "13")
    assert local.returncode == 2
    assert local.stderr.startswith("error: no samverkansgraf project found")
    assert "Traceback" not in local.stderr
