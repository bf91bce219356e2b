"""Commands that draft new documents and measure the drafts: ``extract``,
``evaluate``."""

from __future__ import annotations

from pathlib import Path

import click

from ..extract import Extractor, extract_file, write_draft
from ..extract.evaluate import evaluate_project
from .app import echo_written, force_option, out_option, project_paths, strict_option

__all__ = ["evaluate", "extract"]


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@out_option("Write the draft Turtle to this file (default: standard output).")
@click.option(
    "--review",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown review list (clauses, commitments, unknown names, "
    "skipped blocks) to this file.",
)
@force_option
@click.pass_context
def extract(
    ctx: click.Context,
    file: Path,
    out: Path | None,
    review: Path | None,
    force: bool,
) -> None:
    """Draft the facts of a new agreement or action plan for a curator.

    Segments an agreement (numbered, "4.1", "§ 3", headed or bulleted areas;
    front matter, page furniture, signatures and contact lines set aside), gives
    a lead-in's subject and modality to every item of its list, reads each
    commitment's actor, modality, concerns and themes by the reading convention,
    and splits the signature block into signatories; for a plan, drafts its goals
    and the rows of its activity tables (participants, convenor, coordinators,
    start, follow-up, end year). Names come from the reference graph, never one
    of another county; names it lacks are proposed as new resources
    (skg:proposed, with a kind and a confidence). Writes Turtle in the curated
    model with evidence offsets, every fact marked prov:wasGeneratedBy the
    extractor. A machine proposal: review it before curating. Odd input (empty,
    not UTF-8, no clauses) gives warnings and a valid, possibly empty draft; exit
    2 only when FILE cannot be read. --out and --review replace only an earlier
    draft or review (else exit 6, or --force), and never write into the
    project's data/, ontology/, shapes/ or queries/.

    \b
    Example:
        samverkansgraf extract data/sources/001_2d90e2fd4dad697e.txt \\
            --out draft.ttl --review draft.md
        samverkansgraf validate draft.ttl
    """
    paths = project_paths(ctx)
    extractor = Extractor.from_project(paths)
    result = extract_file(file, extractor=extractor)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    written = write_draft(
        result,
        out,
        review,
        extractor.reference,
        project_root=paths.root,
        force=force,
    )
    if out is None:
        click.echo(result.turtle().decode("utf-8"), nl=False)
    extra = (
        f", {len(result.goals)} goals, {len(result.activities)} activities"
        if result.kind == "plan"
        else f", {len(result.signatures)} signature"
        + ("s" if len(result.signatures) != 1 else "")
        if result.signatures
        else ""
    )
    click.echo(
        f"{file.name}: {result.kind}; {len(result.clauses)} clauses, "
        f"{len(result.commitments)} commitments{extra}, {len(result.proposed)} "
        f"proposed resources, {len(result.candidates)} unknown names, "
        f"{len(result.skipped)} skipped blocks",
        err=True,
    )
    for path in written:
        echo_written(path)


@click.command()
@out_option("Write the report as FILE.json and FILE.md (the suffix given is replaced).")
@strict_option("Exit 1 when a target figure is not reached.")
@click.option(
    "--no-ablations",
    is_flag=True,
    help="Skip the runs without name variants and without fuzzy matching.",
)
@click.option(
    "--no-blind",
    is_flag=True,
    help="Skip the blind texts of evaluation/blind/ (development texts only).",
)
@force_option
@click.pass_context
def evaluate(
    ctx: click.Context,
    out: Path | None,
    strict: bool,
    no_ablations: bool,
    no_blind: bool,
    force: bool,
) -> None:
    """Measure the extractor against the curated documents and the blind texts.

    Drafts each curated source (the development texts) and each synthetic blind
    text of evaluation/blind/ (written before the rules and never tuned to)
    afresh and compares with its gold, reporting the two sets apart, per text and
    as a mean. Agreements: clause F1, commitment F1 with actor and modality,
    concerns recall, entity F1 (spans matched at IoU >= 0.5). Plans: activity F1,
    participant-link F1, convenor accuracy. Every text: evidence exactness,
    contact data copied, links to actors of another county.
    Targets: issue 8 on the development agreements (clause F1 >= 0.95, entity F1
    >= 0.90, modality >= 0.90); issue 21 on the blind agreements' mean (clause F1
    >= 0.90, commitment F1 >= 0.85, concerns recall >= 0.80, every offset exact, no
    contact data, no actor of another county) and the Örebro plan (participant-link
    F1 >= 0.90).

    \b
    Example:
        samverkansgraf evaluate
        samverkansgraf evaluate --out dist/extraction-evaluation.json
    """
    paths = project_paths(ctx)
    report = evaluate_project(paths, ablations=not no_ablations, blind=not no_blind)
    click.echo(report.format_table())
    if out is not None:
        for path in report.write(out, project_root=paths.root, force=force):
            echo_written(path)
    for shortfall in report.shortfalls():
        click.echo(f"below target: {shortfall}", err=True)
    ctx.exit(1 if strict and report.shortfalls() else 0)
