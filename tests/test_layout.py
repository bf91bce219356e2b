"""The package layout keeps its promises (issue 14): the public API imports, each
stage package says what goes in and out, dependencies point one way, and every
public function and class is documented."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import samverkansgraf

PACKAGE = Path(samverkansgraf.__file__).parent

# Pipeline order: a stage may import from earlier stages and from the shared
# homes, never from a later stage (STYLE.md: dependencies point one way).
STAGES = [
    "extract",
    "sources",
    "reference",
    "evidence",
    "build",
    "curate",
    "validate",
    "query",
    "network",
    "publish",
    "release",
    "devtools",
    "cli",
]
# Imports allowed against the pipeline order, each with its reason.
ALLOWED_BACKWARDS = {
    # Drafting proposes Turtle for curation, so it reads the gazetteer and the
    # evidence matcher, and its evaluation builds the curated gold standard.
    ("extract", "sources"),
    ("extract", "reference"),
    ("extract", "evidence"),
    ("extract", "build"),
    # The build validates before it writes.
    ("build", "validate"),
    # The build summary reports curation coverage (curate reads the assembled
    # dataset; the summary reads curate's report of it).
    ("build", "curate"),
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _stage_of(module: str) -> str | None:
    """``samverkansgraf.query.engines`` → ``query``; shared homes → None."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "samverkansgraf":
        return None
    return parts[1] if parts[1] in STAGES else None


def _imports(path: Path) -> set[str]:
    """Absolute names of the samverkansgraf modules ``path`` imports."""
    package = ".".join(("samverkansgraf", *path.parent.relative_to(PACKAGE).parts))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.startswith("samverkansgraf"):
                found.add(name)
                found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("samverk"))
    return found


def _is_setter(node: ast.AST) -> bool:
    """A property setter shares its getter's docstring."""
    decorators = getattr(node, "decorator_list", [])
    return any(
        isinstance(d, ast.Attribute) and d.attr in {"setter", "deleter"}
        for d in decorators
    )


def test_every_public_name_imports() -> None:
    for name in samverkansgraf.__all__:
        assert getattr(samverkansgraf, name) is not None, name


@pytest.mark.parametrize(
    "package",
    ["build", "curate", "validate", "query", "network", "publish", "extract", "cli"],
)
def test_each_stage_package_says_what_goes_in_and_out(package: str) -> None:
    module = importlib.import_module(f"samverkansgraf.{package}")
    doc = module.__doc__ or ""
    assert "Input" in doc and "Output" in doc, f"{package}/__init__.py docstring"
    assert getattr(module, "__all__", None), f"{package} has no __all__"


def test_dependencies_point_one_way() -> None:
    wrong = []
    for path in _modules():
        module = ".".join(
            ("samverkansgraf", *path.relative_to(PACKAGE).with_suffix("").parts)
        )
        here = _stage_of(module)
        if here is None:
            continue
        for imported in _imports(path):
            there = _stage_of(imported)
            if there is None or there == here:
                continue
            if there == "cli":
                wrong.append(f"{module} imports the CLI ({imported})")
            elif STAGES.index(there) > STAGES.index(here) and (
                (here, there) not in ALLOWED_BACKWARDS
            ):
                wrong.append(f"{module} (stage {here}) imports later stage {imported}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_every_public_function_and_class_has_a_docstring() -> None:
    missing = []
    for path in _modules():
        tree = ast.parse(path.read_text("utf-8"))
        if not ast.get_docstring(tree):
            missing.append(f"{path.relative_to(PACKAGE)}: module")
        for node in tree.body:
            bodies = [node]
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bodies += [
                    n
                    for n in node.body
                    if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
            for item in bodies:
                if not isinstance(
                    item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                ):
                    continue
                if item.name.startswith("_") or _is_setter(item):
                    continue
                if not ast.get_docstring(item):
                    missing.append(
                        f"{path.relative_to(PACKAGE)}:{item.lineno} {item.name}"
                    )
    assert not missing, "undocumented:\n" + "\n".join(missing)
