"""The Python examples of README.md and docs/ run as shown (issue 20).

Every ```python block is executed, statement by statement, in the project with
a build in ``dist/`` (a scratch copy), with the endpoint URL the examples use
(``http://127.0.0.1:7878/query``, ``serve``'s default) pointed at a live
``serve`` on a free port. Where an expression is followed by comment lines,
those are its output as the reader will see it: each must appear in the value's
text (``…`` lines are elisions).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
EXAMPLE_ENDPOINT = "http://127.0.0.1:7878/query"


def _blocks() -> list[tuple[str, int, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text("utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((document.name, line, match.group(1)))
    return found


def _steps(code: str) -> list[tuple[ast.stmt, list[str]]]:
    """Each statement with the comment lines that follow it directly."""
    lines = code.splitlines()
    steps = []
    for statement in ast.parse(code).body:
        shown = []
        for line in lines[statement.end_lineno or 0 :]:
            if not line.startswith("# "):
                break
            shown.append(line[2:])
        steps.append((statement, shown))
    return steps


def _normal(text: str) -> str:
    return " ".join(text.split())


def test_the_docs_have_python_examples() -> None:
    assert len([b for b in _blocks() if b[0] == "README.md"]) >= 1


@pytest.mark.network
@pytest.mark.parametrize(
    "where,line,code", _blocks(), ids=[f"{b[0]}:{b[1]}" for b in _blocks()]
)
def test_each_python_example_runs_as_shown(
    where: str,
    line: int,
    code: str,
    built_project: ProjectPaths,
    full_dump: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from samverkansgraf.query.endpoint import start_server

    monkeypatch.chdir(built_project.root)
    monkeypatch.delenv("SAMVERKANSGRAF_HOME", raising=False)
    namespace: dict[str, object] = {}
    with start_server(full_dump) as server:
        for statement, shown in _steps(code):
            source = ast.unparse(statement).replace(EXAMPLE_ENDPOINT, server.query_url)
            if isinstance(statement, ast.Expr):
                value = eval(compile(source, f"{where}:{line}", "eval"), namespace)
                text = _normal(str(value))
                for expected in shown:
                    if expected.strip() != "…":
                        assert _normal(expected) in text, (where, line, expected)
            else:
                exec(compile(source, f"{where}:{line}", "exec"), namespace)
