"""Re-create the query page's third-party browser assets from the npm registry.

The query page (``query.html`` of the published site and the page ``serve``
shows at ``/``) runs SPARQL in the browser with Oxigraph's WebAssembly build and
edits it with CodeMirror 5's SPARQL mode. Both are vendored into the package
(``src/samverkansgraf/query/workbench/vendor/``) so the page needs no network
beyond its own site. This script downloads the pinned npm tarballs with
``npm pack``, checks each against its pinned ``sha512`` integrity (the value
``npm view NAME@VERSION dist.integrity`` prints), copies the files the page uses
unchanged, writes each package's licence beside them and records everything in
``vendor/MANIFEST.json`` (version, integrity, licence, every file's sha256 and
size), which ``tests/test_workbench.py`` checks against the files.

Oxigraph's npm package declares ``MIT OR Apache-2.0`` in its package.json and
README but carries no licence file; the page uses it under Apache-2.0, whose
text is copied from Debian's ``base-files`` (``/usr/share/common-licenses/
Apache-2.0``, the licence text every Debian system carries unchanged).

Usage: ``.venv/bin/python scripts/refresh_web_assets.py [--check]``.
To move to another release, change ``PACKAGES`` (version and integrity, taken
from ``npm view NAME@VERSION dist.integrity``) and run the script; ``--check``
only verifies that the vendored files are the pinned ones.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "samverkansgraf" / "query" / "workbench" / "vendor"
DEBIAN_APACHE = Path("/usr/share/common-licenses/Apache-2.0")


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package and the files of it the page uses."""

    name: str
    version: str
    integrity: str
    """``sha512-…`` of the tarball, as the registry publishes it."""
    licence: str
    """SPDX expression the package declares."""
    files: dict[str, str]
    """Path inside the tarball (under ``package/``) → path under the vendor folder."""


PACKAGES = (
    NpmPackage(
        name="oxigraph",
        version="0.5.11",
        integrity="sha512-zKdgmp1tsrutGzC1lCCywwZRPpLJKaJnKSDWoY2hIhMiwiCRRXNN1DU7"
        "WUyTInBvgPKT8Y5N+RgwTL8qKXpLng==",
        licence="MIT OR Apache-2.0",
        files={
            "web.js": "oxigraph/web.js",
            "web_bg.wasm": "oxigraph/web_bg.wasm",
            "package.json": "oxigraph/package.json",
            "README.md": "oxigraph/README.md",
        },
    ),
    NpmPackage(
        name="codemirror",
        version="5.65.21",
        integrity="sha512-6teYk0bA0nR3QP0ihGMoxuKzpl5W80FpnHpBJpgy66NK3cZv5b/d/HY8"
        "PnRvfSsCG1MTfr92u2WUl+wT0E40mQ==",
        licence="MIT",
        files={
            "lib/codemirror.js": "codemirror/codemirror.js",
            "lib/codemirror.css": "codemirror/codemirror.css",
            "mode/sparql/sparql.js": "codemirror/sparql.js",
            "addon/hint/show-hint.js": "codemirror/show-hint.js",
            "addon/hint/show-hint.css": "codemirror/show-hint.css",
            "addon/edit/matchbrackets.js": "codemirror/matchbrackets.js",
            "LICENSE": "codemirror/LICENSE",
            "package.json": "codemirror/package.json",
        },
    ),
)


def sri(data: bytes, algorithm: str = "sha512") -> str:
    """The Subresource Integrity string of ``data`` (``sha512-<base64>``)."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode('ascii')}"


def npm_pack(package: NpmPackage, into: Path) -> Path:
    """Download the pinned tarball with ``npm pack``; return its path."""
    subprocess.run(
        [
            "npm",
            "pack",
            f"{package.name}@{package.version}",
            "--pack-destination",
            str(into),
            "--silent",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarball = into / f"{package.name}-{package.version}.tgz"
    found = sri(tarball.read_bytes())
    if found != package.integrity:
        raise SystemExit(
            f"{tarball.name}: integrity {found}, pinned {package.integrity}"
        )
    return tarball


def extract(package: NpmPackage, tarball: Path) -> dict[str, dict[str, object]]:
    """Copy the package's files under ``TARGET``; return path → sha256 and size."""
    written: dict[str, dict[str, object]] = {}
    with tarfile.open(tarball) as archive:
        for inner, outer in package.files.items():
            member = archive.getmember(f"package/{inner}")
            handle = archive.extractfile(member)
            if handle is None:
                raise SystemExit(f"{tarball.name}: {inner} is not a file")
            data = handle.read()
            destination = TARGET / outer
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            written[outer] = file_record(data)
    return written


def file_record(data: bytes) -> dict[str, object]:
    """The manifest's record of one file."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


OXIGRAPH_LICENCE_NOTE = """\
# Oxigraph for JavaScript (npm package `oxigraph`)

`web.js` and `web_bg.wasm` are copied unchanged from the npm package
`oxigraph@{version}` (tarball integrity `{integrity}`).

The package declares the licence `MIT OR Apache-2.0` (its `package.json` and the
"License" section of its `README.md`, both copied here): "This project is
licensed under either of Apache License, Version 2.0 or MIT license at your
option." samverkansgraf uses it under the **Apache License, Version 2.0**, whose
full text is in `LICENSE-Apache-2.0` (copied from Debian's `base-files`,
`/usr/share/common-licenses/Apache-2.0`, because the npm package carries no
licence file). Oxigraph: <https://github.com/oxigraph/oxigraph>. The files are
redistributed unmodified; no NOTICE file accompanies the package.
"""


def write_licences(manifest: dict[str, dict[str, object]]) -> None:
    """Oxigraph's licence note and the Apache-2.0 text (CodeMirror ships its own)."""
    oxigraph = next(p for p in PACKAGES if p.name == "oxigraph")
    note = OXIGRAPH_LICENCE_NOTE.format(
        version=oxigraph.version, integrity=oxigraph.integrity
    ).encode("utf-8")
    (TARGET / "oxigraph" / "LICENSE.md").write_bytes(note)
    manifest["oxigraph"]["files"]["oxigraph/LICENSE.md"] = file_record(note)  # type: ignore[index]
    if not DEBIAN_APACHE.is_file():
        raise SystemExit(f"{DEBIAN_APACHE} is missing: install Debian's base-files")
    shutil.copyfile(DEBIAN_APACHE, TARGET / "oxigraph" / "LICENSE-Apache-2.0")
    data = DEBIAN_APACHE.read_bytes()
    manifest["oxigraph"]["files"]["oxigraph/LICENSE-Apache-2.0"] = file_record(data)  # type: ignore[index]


def check() -> int:
    """Compare the vendored files with MANIFEST.json; return the number of faults."""
    manifest = json.loads((TARGET / "MANIFEST.json").read_text("utf-8"))
    faults = 0
    for package in PACKAGES:
        entry = manifest.get(package.name, {})
        if (entry.get("version"), entry.get("integrity")) != (
            package.version,
            package.integrity,
        ):
            print(f"{package.name}: MANIFEST.json is not the pinned release")
            faults += 1
        for path, record in entry.get("files", {}).items():
            target = TARGET / path
            if not target.is_file() or file_record(target.read_bytes()) != record:
                print(f"{path}: differs from MANIFEST.json")
                faults += 1
    return faults


def main() -> None:
    """Download, verify and vendor every pinned package (or ``--check`` them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only")
    args = parser.parse_args()
    if args.check:
        faults = check()
        print("vendored assets match MANIFEST.json" if not faults else "")
        raise SystemExit(1 if faults else 0)
    manifest: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for package in PACKAGES:
            if (TARGET / package.name).is_dir():
                shutil.rmtree(TARGET / package.name)
            tarball = npm_pack(package, Path(scratch))
            manifest[package.name] = {
                "version": package.version,
                "integrity": package.integrity,
                "licence": package.licence,
                "registry": f"https://registry.npmjs.org/{package.name}/-/"
                f"{package.name}-{package.version}.tgz",
                "files": extract(package, tarball),
            }
    write_licences(manifest)
    (TARGET / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8"
    )
    total = sum(
        int(record["bytes"])  # type: ignore[call-overload]
        for entry in manifest.values()
        for record in entry["files"].values()  # type: ignore[attr-defined]
    )
    print(f"{len(PACKAGES)} packages, {total / 1024:.0f} KiB vendored into {TARGET}")


if __name__ == "__main__":
    main()
