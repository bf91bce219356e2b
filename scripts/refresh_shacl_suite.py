"""Re-create tests/w3c_shacl/ (the W3C SHACL test suite) from a pinned pySHACL sdist.

The W3C data-shapes test suite ships inside pySHACL's source distribution under
``test/resources/sht_tests/``. This script downloads that sdist with pip (no
dependencies, source only), checks its sha256 against the pinned value, and copies
the suite into ``tests/w3c_shacl/`` next to the LICENSE.md written by hand.

Usage: ``.venv/bin/python scripts/refresh_shacl_suite.py [--sdist FILE]``.
To move to another pySHACL release, change ``PYSHACL_VERSION`` and ``SDIST_SHA256``
(and the numbers in ``tests/w3c_shacl/LICENSE.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PYSHACL_VERSION = "0.40.1"
SDIST_SHA256 = "011e3cf1a68b31747cb762ba3d755ae1bdcc464c8fad0dc212a9adc550719552"
SUITE_IN_SDIST = f"pyshacl-{PYSHACL_VERSION}/test/resources/sht_tests/"
TARGET = Path(__file__).resolve().parent.parent / "tests" / "w3c_shacl"


def download_sdist(into: Path) -> Path:
    """Download the pinned pySHACL sdist into ``into`` with pip; return its path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(into),
            f"pyshacl=={PYSHACL_VERSION}",
        ],
        check=True,
    )
    return into / f"pyshacl-{PYSHACL_VERSION}.tar.gz"


def check_sha256(sdist: Path) -> None:
    """Stop unless ``sdist`` has the pinned sha256."""
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        raise SystemExit(f"{sdist}: sha256 {digest}, expected {SDIST_SHA256}")


def extract_suite(sdist: Path, target: Path) -> int:
    """Replace the suite files under ``target`` (LICENSE.md kept); return the count."""
    for old in ("manifest.ttl", "core", "sparql"):
        path = target / old
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    count = 0
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(SUITE_IN_SDIST):
                continue
            relative = Path(member.name[len(SUITE_IN_SDIST) :])
            if ".." in relative.parts:  # never write outside the target
                raise SystemExit(f"unsafe path in sdist: {member.name}")
            extracted = archive.extractfile(member)
            assert extracted is not None  # a regular file always has content
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(extracted.read())
            count += 1
    return count


def main() -> None:
    """Download (or take ``--sdist``), verify and vendor the suite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="an already downloaded sdist")
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        sdist = args.sdist or download_sdist(Path(scratch))
        check_sha256(sdist)
        count = extract_suite(sdist, TARGET)
    print(f"{count} files from pyshacl {PYSHACL_VERSION} written to {TARGET}")


if __name__ == "__main__":
    main()
