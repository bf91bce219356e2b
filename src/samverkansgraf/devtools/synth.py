"""Load-test data: a synthetic all-Sweden project in exactly the project's model.

Stage: none of the pipeline's — a generator *for* it, used by benchmarks and load
tests only. Input: the real project (its ``ontology/``, ``shapes/`` and
``data/reference/``, whose gazetteer lists the 21 counties and 290 municipalities), a
target size in triples and a seed. Output: a complete project directory that
``samverkansgraf --project DIR build`` builds and validates: copies of the ontology,
shapes and reference data, generated source texts in ``data/sources/`` with their
``SHA256SUMS``, and curated Turtle in ``data/curated/`` whose ``skg:quote`` /
``skg:quoteStartsWith`` shorthands occur verbatim in those texts (the build resolves
and checks them like real curation).

What is generated, per county: the region's regional culture plan per plan period
(2012–2015, 2016–2019, 2019–2022, 2023–2026); agreements between the region and its
real municipalities with numbered areas (clauses) and commitments whose modality,
themes and programmes follow the mix of the real curated data; an action plan per
period with development goals and activities (1–12 participants, a convenor and
coordinators); a generated set of cultural institutions, civil-society
organisations and fictional persons. Every name that is not in the gazetteer is
visibly synthetic ("Länsteatern Syntet …", "Anna Fiktivsson"), no person has contact
data, and every text and title says it is synthetic test data.

The same seed and scale give byte-identical output. The output must never be mixed
into the real data or a release: ``synth_project`` refuses to write inside the
project's ``data/`` and marks its directory with ``SYNTHETIC.md``.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import check_output_directory, holds_files
from ..errors import SourceError
from ..namespaces import slugify
from ..privacy import PHONE
from ..sources import ProjectPaths

__all__ = [
    "PERIODS",
    "SynthReport",
    "parse_scale",
    "synth_project",
]

log = logging.getLogger(__name__)

MARKER = "SYNTHETIC.md"
_SYNTHETIC_LINE = (
    "SYNTETISK TESTDATA: genererad för belastningstester, inte en verklig handling."
)
PERIODS: tuple[tuple[int, int], ...] = (
    (2012, 2015),
    (2016, 2019),
    (2019, 2022),
    (2023, 2026),
)
"""Plan periods of the regional culture plans (start year, end year)."""

# Modality mix of the real curated data (Intends 27, States 23, Shall 15,
# StrivesFor 7, May 4 commitments), with the verb each modality is written with.
MODALITIES = (
    ("Intends", 27),
    ("States", 23),
    ("Shall", 15),
    ("StrivesFor", 7),
    ("May", 4),
)
THEMES: dict[str, str] = {
    "PerformingArts": "teater, dans och musik",
    "MuseumsAndCulturalEnvironment": "museer och kulturmiljö",
    "LibrariesAndLiterature": "bibliotek, läsfrämjande och litteratur",
    "VisualArtsAndDesign": "bild- och formkonst",
    "RegionalArchives": "arkivverksamhet",
    "FilmCulture": "filmkultur",
    "Handicraft": "hemslöjd",
    "ChildrenAndYoungPeople": "barn och unga",
    "Elderly": "äldre",
    "NationalMinorities": "de nationella minoriteterna",
    "PeopleWithDisabilities": "personer med funktionsnedsättning",
    "School": "samarbetet mellan kultur och skola",
    "Health": "kultur och hälsa",
    "CivilSociety": "det civila samhället",
    "AdultEducation": "folkbildningen",
    "ArtistsConditions": "konstnärers villkor",
    "PublicArt": "offentlig konst",
    "Venues": "mötesplatser och arrangörer",
    "SocietalDevelopment": "kulturens roll i samhällsutvecklingen",
    "Gender": "jämställdhet i kulturlivet",
    "InterMunicipalCooperation": "samverkan mellan kommunerna",
}
# Themes are skewed like the real data: children, school and cooperation dominate.
THEME_WEIGHTS = {
    "ChildrenAndYoungPeople": 8,
    "School": 6,
    "InterMunicipalCooperation": 6,
    "PerformingArts": 4,
    "LibrariesAndLiterature": 4,
}
PROGRAMMES = {
    "skapande-skola": "Skapande skola",
    "kulturbuss": "Kulturbuss",
    "enprocentregeln": "enprocentregeln",
    "icorn": "ICORN",
}
# (slug, label pattern, class): one of each per county; "{lan}" is the county name.
INSTITUTIONS = (
    ("lansteatern", "Länsteatern Syntet {lan}", "CulturalInstitution"),
    ("lansmuseet", "Länsmuseet Syntet {lan}", "CulturalInstitution"),
    ("regionbiblioteket", "Regionbiblioteket Syntet {lan}", "CulturalInstitution"),
    ("lansmusiken", "Länsmusiken Syntet {lan}", "CulturalInstitution"),
    ("konstkonsulenterna", "Konstkonsulenterna Syntet {lan}", "CulturalInstitution"),
    ("hemslojden", "Hemslöjden Syntet {lan}", "CulturalInstitution"),
    ("filmregionen", "Filmregionen Syntet {lan}", "CulturalInstitution"),
    ("arkivcentrum", "Arkivcentrum Syntet {lan}", "CulturalInstitution"),
    ("studieforbunden", "Studieförbunden Syntet {lan}", "CivilSocietyOrganisation"),
    ("hembygdsforbundet", "Hembygdsförbundet Syntet {lan}", "CivilSocietyOrganisation"),
    (
        "ungdomsforbundet",
        "Ungdomens kulturförbund Syntet {lan}",
        "CivilSocietyOrganisation",
    ),
)
FIRST_NAMES = (
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Nils",
    "Lena", "Olof", "Ingrid", "Mats", "Sofia", "Gustav", "Elin", "Anders", "Frida",
    "Henrik",
)  # fmt: skip
# Surnames nobody has: the persons are visibly invented.
SURNAMES = (
    "Fiktivsson", "Exempeldotter", "Provberg", "Testlund", "Låtsasström",
    "Påhittsdal", "Syntetgren", "Modellqvist", "Attrappsson", "Skissholm",
)  # fmt: skip
ROLES = (
    "Kulturchef", "Kulturskolechef", "Bibliotekschef", "Utvecklingsledare kultur",
    "Samverkansstrateg", "Kultursekreterare", "Skolchef", "Museichef",
)  # fmt: skip
VERB_PHRASES = (
    "utveckla {theme}",
    "stärka arbetet med {theme}",
    "följa upp insatserna för {theme}",
    "skapa fler möjligheter inom {theme}",
    "samordna resurserna för {theme}",
    "bredda deltagandet i {theme}",
    "verka långsiktigt för {theme}",
    "ta fram en gemensam plan för {theme}",
    "öka kunskapen om {theme}",
    "prioritera {theme}",
)
CONTEXTS = (
    "",
    " under avtalsperioden",
    " i hela länet",
    " i dialog med civilsamhället",
    " tillsammans med länets kommuner",
    " med särskild uppmärksamhet på landsbygden",
    " genom årliga samråd",
    " inom befintliga ramar",
)
HEADINGS = (
    "Barn och unga", "Kultur och skola", "Bibliotek och läsfrämjande",
    "Scenkonst och musik", "Kulturarv och museer", "Kultur och hälsa",
    "Civilsamhälle och folkbildning", "Konstnärers villkor", "Film och rörlig bild",
    "Mötesplatser och arrangörer", "Nationella minoriteter", "Uppföljning och dialog",
)  # fmt: skip
FOLLOW_UPS = ("Årlig uppföljning", "Halvårsvis avstämning", "Slutrapport", "Löpande")

# Estimated triples per generated unit (after evidence resolution), used to share
# the triple budget out before generating; see _Budget.
_PER_AGREEMENT = 700
_PER_ACTION_PLAN = 520
_PER_COUNTY_REFERENCE = 160

# The privacy shape's phone pattern (privacy.PHONE) flags literals with a run such
# as "(non-digit)0ddddddd": a sha256 can contain one. A document whose digest would
# trip it gets a different trailer line (see _finish_text).
_PHONE_LIKE = PHONE


def parse_scale(text: str | int) -> int:
    """Parse a target size such as ``20000``, ``20k``, ``200k`` or ``1M``.

    Example:
        >>> parse_scale("200k"), parse_scale("1M"), parse_scale(5000)
        (200000, 1000000, 5000)
    """
    if isinstance(text, int):
        value = text
    else:
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmM]?)\s*", text)
        if not match:
            raise ValueError(f"not a size: {text!r} (use e.g. 20000, 200k or 1M)")
        factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
        value = int(float(match.group(1)) * factor)
    if value < 5_000:
        raise ValueError("the scale must be at least 5000 triples")
    return value


@dataclass
class SynthReport:
    """What ``synth_project`` wrote."""

    root: Path
    """The project directory written."""
    scale: int
    """The target size in triples."""
    seed: int
    """The seed."""
    documents: int = 0
    """Source documents (one curated file each)."""
    agreements: int = 0
    """Agreements generated."""
    action_plans: int = 0
    """Action plans generated."""
    estimated_triples: int = 0
    """Triples the build should produce (counted while generating)."""
    counties: list[str] = field(default_factory=list)
    """County codes covered, in order."""


def _lit(text: str) -> str:
    """A Turtle string literal (double quotes, escaped)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
    return f'"{escaped}"'


@dataclass
class _County:
    code: str
    name: str
    region_name: str
    municipalities: list[tuple[str, str]]  # (code, short name)


def _read_gazetteer(reference_dir: Path) -> list[_County]:
    with (reference_dir / "lan.csv").open(encoding="utf-8", newline="") as handle:
        counties = {
            row["lanskod"]: _County(
                row["lanskod"], row["lan"], row["regional_authority"], []
            )
            for row in csv.DictReader(handle)
        }
    with (reference_dir / "kommuner.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            counties[row["lanskod"]].municipalities.append(
                (row["kommunkod"], row["kommun"])
            )
    return [counties[code] for code in sorted(counties)]


@dataclass
class _Doc:
    """One generated source document and its curated Turtle."""

    file_name: str
    curated_name: str
    text: str
    turtle: str
    triples: int


class _Writer:
    """Accumulates one document's text and its curated Turtle statements."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.turtle: list[str] = []
        self.triples = 0

    def para(self, text: str = "") -> None:
        self.lines.append(text)

    def resource(self, iri: str, statements: list[tuple[str, list[str]]]) -> None:
        """Add a subject block; each statement is (predicate, objects)."""
        parts = []
        for predicate, objects in statements:
            if not objects:
                continue
            parts.append(f"    {predicate} " + " ,\n        ".join(objects))
            # Quote shorthands are replaced by evidence (counted in _finish).
            if not predicate.startswith("skg:quote"):
                self.triples += len(objects)
        self.turtle.append(f"<{iri}>\n" + " ;\n".join(parts) + " .\n")


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


class _CountyGenerator:
    """Generates the reference additions and documents of one county."""

    def __init__(self, county: _County, seed: int, clause_factor: float) -> None:
        self.county = county
        # One stream per county: a county's output does not depend on the others.
        digest = hashlib.sha256(f"{seed}:{county.code}".encode()).digest()
        self.rng = random.Random(int.from_bytes(digest[:8], "big"))
        self.clause_factor = clause_factor
        self.slug = f"synth-{county.code}"
        self.region = f"region/{county.code}"
        self.institutions = [
            (f"actor/{self.slug}-{slug}", label.format(lan=county.name), cls)
            for slug, label, cls in INSTITUTIONS
        ]
        self.persons: list[tuple[str, str]] = []
        seen: set[str] = set()
        while len(self.persons) < 24:
            name = _person_name(self.rng)
            if name in seen:
                continue
            seen.add(name)
            self.persons.append((f"person/{self.slug}-{slugify(name)}", name))

    # -- reference -------------------------------------------------------------------

    def reference_turtle(self) -> tuple[str, int]:
        """Institutions, persons and regional plans of the county, as Turtle."""
        out = _Writer()
        county = self.county
        for iri, label, cls in self.institutions:
            out.resource(
                iri,
                [
                    ("a", [f"skg:{cls}"]),
                    ("rdfs:label", [_lit(label) + "@sv"]),
                    (
                        "skos:note",
                        [_lit("Syntetisk aktör för belastningstester.") + "@sv"],
                    ),
                ],
            )
        for iri, name in self.persons:
            out.resource(
                iri,
                [
                    ("a", ["skg:Person"]),
                    ("rdfs:label", [_lit(name)]),
                    ("foaf:name", [_lit(name)]),
                    (
                        "skos:note",
                        [_lit("Fiktiv person (syntetisk testdata).") + "@sv"],
                    ),
                ],
            )
        for start, end in PERIODS:
            out.resource(
                self._plan(start, end),
                [
                    ("a", ["skg:Plan"]),
                    (
                        "rdfs:label",
                        [
                            _lit(
                                f"Regional kulturplan för {county.name} {start}–{end} "
                                "(syntetisk)"
                            )
                            + "@sv"
                        ],
                    ),
                    ("dcterms:publisher", [f"<{self.region}>"]),
                ],
            )
        return "".join(block + "\n" for block in out.turtle), out.triples

    def _plan(self, start: int, end: int) -> str:
        return f"plan/{self.slug}-kulturplan-{start}-{end}"

    # -- agreements ------------------------------------------------------------------

    def agreement(self, municipality: tuple[str, str], period: tuple[int, int]) -> _Doc:
        """One agreement between the region and a municipality for a period."""
        rng, county = self.rng, self.county
        code, name = municipality
        start, end = period
        kommun = f"kommun/{code}"
        key = f"{self.slug}-{code}-{start}-{end}"
        document = f"document/{key}-overenskommelse"
        agreement = f"agreement/{key}"
        w = _Writer()
        title = (
            f"Överenskommelse mellan {name} kommun och {county.region_name} "
            f"för åren {start}-{end}"
        )
        basis = (
            f"Överenskommelsen utgår från den regionala kulturplanen för "
            f"{county.name} {start}-{end}."
        )
        w.para(title)
        w.para(_SYNTHETIC_LINE)
        w.para()
        w.para("Bakgrund")
        w.para(basis)
        w.para(
            f"{county.region_name} och {name} kommun har kommit överens om följande "
            "områden för samverkan."
        )
        w.para()
        parties = {"regionen": self.region, "kommunen": kommun}
        clauses = max(2, round(rng.randint(5, 11) * self.clause_factor))
        headings = rng.sample(HEADINGS, k=min(clauses, len(HEADINGS)))
        facts: list[tuple[str, list[tuple[str, list[str]]]]] = []
        for number in range(1, clauses + 1):
            heading = headings[(number - 1) % len(headings)]
            clause = f"clause/{key}/{number}"
            sentences: list[str] = []
            commitments: list[tuple[str, list[tuple[str, list[str]]]]] = []
            for index in range(1, rng.randint(2, 6) + 1):
                sentence, statements = self._commitment(parties, name, sentences)
                sentences.append(sentence)
                commitments.append(
                    (
                        f"commitment/{key}/{number}-{index}",
                        [
                            ("a", ["skg:Commitment"]),
                            ("skg:inClause", [f"<{clause}>"]),
                            *statements,
                            ("skg:quote", [_lit(sentence)]),
                        ],
                    )
                )
            first_line = f"Område {number}: {heading}"
            w.para(first_line)
            # Wrap the clause text at ~80 columns: quotes still match, because
            # whitespace runs in a quote match any whitespace run of the source.
            w.para(_wrap(" ".join(sentences)))
            w.para()
            facts.append(
                (
                    clause,
                    [
                        ("a", ["skg:Clause"]),
                        ("dcterms:isPartOf", [f"<{agreement}>"]),
                        ("skg:position", [str(number)]),
                        ("skg:number", [_lit(str(number))]),
                        ("skg:quoteStartsWith", [_lit(first_line)]),
                        ("skg:quoteEndsWith", [_lit(sentences[-1])]),
                    ],
                )
            )
            facts.extend(commitments)
        w.resource(
            document,
            [
                ("a", ["skg:SourceDocument"]),
                ("skg:fileName", [_lit(f"{key}-overenskommelse.txt")]),
                ("dcterms:title", [_lit(title + " (syntetisk)") + "@sv"]),
                ("dcterms:publisher", [f"<{self.region}>", f"<{kommun}>"]),
                ("dcterms:language", [_lit("sv")]),
            ],
        )
        w.resource(
            agreement,
            [
                ("a", ["skg:Agreement"]),
                (
                    "rdfs:label",
                    [
                        _lit(
                            f"Överenskommelse {name} kommun – {county.region_name} "
                            f"{start}–{end} (syntetisk)"
                        )
                        + "@sv"
                    ],
                ),
                ("skg:party", [f"<{self.region}>", f"<{kommun}>"]),
                ("skg:startYear", [f'"{start}"^^xsd:gYear']),
                ("skg:endYear", [f'"{end}"^^xsd:gYear']),
                ("skg:basedOn", [f"<{self._plan(start, end)}>"]),
                ("dcterms:source", [f"<{document}>"]),
                ("skg:quote", [_lit(title), _lit(basis)]),
            ],
        )
        for iri, statements in facts:
            w.resource(iri, statements)
        return self._finish(w, f"{key}-overenskommelse", evidence=2 + len(facts))

    def _commitment(
        self, parties: dict[str, str], municipality: str, earlier: list[str]
    ) -> tuple[str, list[tuple[str, list[str]]]]:
        """A commitment sentence, unique in its clause, and its statements."""
        rng = self.rng
        for _ in range(50):
            modality = rng.choices(
                [m for m, _ in MODALITIES], weights=[w for _, w in MODALITIES]
            )[0]
            who = rng.choices(["regionen", "kommunen", "båda"], weights=[4, 4, 3])[0]
            subject = {
                "regionen": self.county.region_name,
                "kommunen": f"{municipality} kommun",
                "båda": f"{self.county.region_name} och {municipality} kommun",
            }[who]
            themes = rng.sample(
                list(THEMES),
                k=rng.choice((1, 1, 2, 2, 3)),
                counts=[THEME_WEIGHTS.get(t, 2) for t in THEMES],
            )
            themes = sorted(set(themes), key=list(THEMES).index)
            phrase = rng.choice(VERB_PHRASES).format(
                theme=" och ".join(THEMES[t] for t in themes)
            )
            concerns: list[str] = []
            extra = rng.random()
            if extra < 0.25:
                slug = rng.choice(sorted(PROGRAMMES))
                concerns.append(f"<programme/{slug}>")
                phrase += f" inom ramen för {PROGRAMMES[slug]}"
            elif extra < 0.55:
                iri, label, _ = rng.choice(self.institutions)
                concerns.append(f"<{iri}>")
                phrase += f" tillsammans med {label}"
            phrase += rng.choice(CONTEXTS)
            sentence = {
                "Shall": f"{subject} ska {phrase}.",
                "Intends": f"{subject} vill {phrase}.",
                "StrivesFor": f"{subject} verkar för att {phrase}.",
                "May": f"{subject} kan {phrase}.",
                "States": f"{subject} stödjer arbetet med att {phrase}.",
            }[modality]
            if not any(sentence in other or other in sentence for other in earlier):
                break
        else:  # pragma: no cover - 50 collisions in a row do not happen
            raise RuntimeError("could not make a unique commitment sentence")
        by = (
            [parties["regionen"], parties["kommunen"]]
            if who == "båda"
            else [parties[who]]
        )
        statements = [
            ("skg:committedBy", [f"<{iri}>" for iri in by]),
            ("skg:modality", [f"skg:{modality}"]),
            ("skg:theme", [f"skg:{t}" for t in themes]),
            ("skg:concerns", concerns),
        ]
        if who != "båda" and rng.random() < 0.3:
            other = "kommunen" if who == "regionen" else "regionen"
            statements.append(("skg:partner", [f"<{parties[other]}>"]))
        return sentence, statements

    # -- action plans ----------------------------------------------------------------

    def action_plan(self, period: tuple[int, int], activities: int) -> _Doc:
        """An action plan of the region for a period, with goals and activities."""
        rng, county = self.rng, self.county
        start, end = period
        key = f"{self.slug}-handlingsplan-{start}-{end}"
        document = f"document/{key}"
        plan = f"plan/{key}"
        w = _Writer()
        title = f"Handlingsplan för kultursamverkan {county.name} {start}-{end}"
        w.para(title)
        w.para(_SYNTHETIC_LINE)
        w.para()
        w.para("Utvecklingsmål")
        goals = []
        for number in range(1, rng.randint(3, 5) + 1):
            themes = sorted(set(rng.sample(list(THEMES), k=2)), key=list(THEMES).index)
            text = (
                f"Utvecklingsmål {number}: Stärka {THEMES[themes[0]]} och "
                f"{THEMES[themes[1]]} i {county.name}."
            )
            w.para(text)
            goals.append((f"goal/{key}/{number}", number, text, themes))
        w.para()
        w.para("Aktiviteter")
        actors = [self.region] + [f"kommun/{code}" for code, _ in county.municipalities]
        actors += [iri for iri, _, _ in self.institutions]
        facts: list[tuple[str, list[tuple[str, list[str]]]]] = []
        for number in range(1, activities + 1):
            heading = rng.choice(HEADINGS)
            goal = rng.choice(goals)
            themes = goal[3]
            participants = rng.sample(actors, k=min(len(actors), rng.randint(1, 12)))
            convenor = rng.choice(self.persons)
            coordinators = rng.sample(self.persons, k=rng.randint(1, 2))
            roles = sorted(rng.sample(ROLES, k=rng.randint(1, 3)))
            term = f"{rng.choice(('Vt', 'Ht'))} {rng.randint(start, end)}"
            done = rng.randint(int(term[-4:]), end)
            follow = rng.choice(FOLLOW_UPS)
            label = rng.choice(VERB_PHRASES).format(theme=THEMES[themes[0]])
            label = label.capitalize()
            names = ", ".join(self._actor_name(iri) for iri in participants)
            row = (
                f"Aktivitet {number:02d}: {label} | Start: {term} | Roller: "
                f"{', '.join(roles)} | Sammankallande: {convenor[1]} | Samordnare: "
                f"{', '.join(name for _, name in coordinators)} | Deltagare: {names} "
                f"| Uppföljning: {follow} {done}"
            )
            w.para(f"Rubrik: {heading}")
            w.para(_wrap(row))
            facts.append(
                (
                    f"activity/{key}/{number:02d}",
                    [
                        ("a", ["skg:Activity"]),
                        ("rdfs:label", [_lit(label) + "@sv"]),
                        ("skg:partOfPlan", [f"<{plan}>"]),
                        ("skg:heading", [_lit(heading)]),
                        ("skg:contributesTo", [f"<{goal[0]}>"]),
                        ("skg:startTerm", [_lit(term)]),
                        ("skg:completionYear", [f'"{done}"^^xsd:gYear']),
                        ("skg:followUp", [_lit(follow)]),
                        (
                            "skg:participant",
                            [f"<{iri}>" for iri in sorted(participants)],
                        ),
                        ("skg:convenor", [f"<{convenor[0]}>"]),
                        ("skg:coordinator", [f"<{iri}>" for iri, _ in coordinators]),
                        ("skg:coordinatorRole", [_lit(role) for role in roles]),
                        ("skg:theme", [f"skg:{t}" for t in themes]),
                        ("skg:quote", [_lit(row)]),
                    ],
                )
            )
        w.resource(
            document,
            [
                ("a", ["skg:SourceDocument"]),
                ("skg:fileName", [_lit(f"{key}.txt")]),
                ("dcterms:title", [_lit(title + " (syntetisk)") + "@sv"]),
                ("dcterms:publisher", [f"<{self.region}>"]),
                ("dcterms:language", [_lit("sv")]),
            ],
        )
        w.resource(
            plan,
            [
                ("a", ["skg:Plan"]),
                ("rdfs:label", [_lit(title + " (syntetisk)") + "@sv"]),
                ("dcterms:publisher", [f"<{self.region}>"]),
                ("dcterms:source", [f"<{document}>"]),
                ("skg:basedOn", [f"<{self._plan(start, end)}>"]),
            ],
        )
        for iri, number, text, themes in goals:
            w.resource(
                iri,
                [
                    ("a", ["skg:Goal"]),
                    ("dcterms:isPartOf", [f"<{plan}>"]),
                    ("skg:number", [_lit(str(number))]),
                    ("rdfs:label", [_lit(text) + "@sv"]),
                    ("skg:theme", [f"skg:{t}" for t in themes]),
                    ("skg:quote", [_lit(text)]),
                ],
            )
        for iri, statements in facts:
            w.resource(iri, statements)
        return self._finish(w, key, evidence=len(goals) + len(facts))

    def _actor_name(self, iri: str) -> str:
        if iri == self.region:
            return self.county.region_name
        for code, name in self.county.municipalities:
            if iri == f"kommun/{code}":
                return name
        return next(label for i, label, _ in self.institutions if i == iri)

    # -- common ----------------------------------------------------------------------

    def _finish(self, w: _Writer, stem: str, evidence: int) -> _Doc:
        """Close the text (so its sha256 passes the privacy pattern) and the Turtle."""
        text = "\n".join(w.lines).rstrip("\n") + "\n"
        nonce = 0
        while True:
            trailer = f"\n-- slut på syntetiskt dokument ({nonce}) --\n"
            digest = hashlib.sha256((text + trailer).encode("utf-8")).hexdigest()
            if not _PHONE_LIKE.search(digest):
                break
            nonce += 1
        # Evidence adds 10 triples per quote; the build adds sha256 and length.
        triples = w.triples + 10 * evidence + 2
        header = (
            f"# Synthetic test data (samverkansgraf synth) for {stem}.txt:\n"
            "# generated for benchmarks and load tests; not a real document.\n\n"
            + _TURTLE_PREFIXES
        )
        turtle = header + "\n".join(w.turtle)
        return _Doc(f"{stem}.txt", f"{stem}.ttl", text + trailer, turtle, triples)


_TURTLE_PREFIXES = """@base <https://w3id.org/samverkansgraf/id/> .
@prefix skg:     <https://w3id.org/samverkansgraf/ontology#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .

"""


def _wrap(text: str, width: int = 80) -> str:
    """Break ``text`` into lines of at most ``width`` characters at spaces."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _check_out_dir(out: Path, project: ProjectPaths) -> None:
    data = (project.root / "data").resolve()
    target = out.resolve()
    if target == data or data in target.parents:
        raise SourceError(
            "refusing to write synthetic data inside the project's data/",
            path=out,
            hint="synthetic data is for benchmarks only and must never mix with the "
            "real data; choose a directory outside data/, e.g. /tmp/synth",
        )
    # Then the one output-directory policy (atomic.py): never the project, never
    # a stranger's folder; a previous synth output (its SYNTHETIC.md) is replaced.
    check_output_directory(
        out, "synth", project_root=project.root, recognise=holds_files(MARKER)
    )


class _Budget:
    """Shares a triple budget out over counties as documents to generate.

    Candidates are taken round-robin over the counties so that a small scale still
    covers the whole country: first each county's latest action plan, then
    agreements of successive periods with successive municipalities. Above the
    size of full national coverage (~1.05M triples) agreements get more clauses.
    """

    def __init__(self, counties: list[_County], target: int, base: int) -> None:
        self.plans: dict[str, list[tuple[int, int]]] = {c.code: [] for c in counties}
        self.agreements: dict[str, list[tuple[tuple[str, str], tuple[int, int]]]] = {
            c.code: [] for c in counties
        }
        queues: dict[str, list[tuple[str, object]]] = {}
        for county in counties:
            queue: list[tuple[str, object]] = []
            periods = list(reversed(PERIODS))
            munis = county.municipalities
            for round_ in range(max(len(munis), 1)):
                for period_index, period in enumerate(periods):
                    if round_ == 0:
                        queue.append(("plan", period))
                    index = (round_ + period_index) % len(munis)
                    queue.append(("agreement", (munis[index], period)))
            # Each (municipality, period) pair exactly once.
            queues[county.code] = list(dict.fromkeys(queue))
        full = (
            base
            + len(counties) * _PER_COUNTY_REFERENCE
            + sum(
                _PER_AGREEMENT if kind == "agreement" else _PER_ACTION_PLAN
                for queue in queues.values()
                for kind, _ in queue
            )
        )
        self.clause_factor = max(1.0, (target - base) / max(full - base, 1))
        remaining = target - base - len(counties) * _PER_COUNTY_REFERENCE
        position = 0
        while remaining > 0:
            progressed = False
            for county in counties:
                queue = queues[county.code]
                if position >= len(queue) or remaining <= 0:
                    continue
                kind, item = queue[position]
                progressed = True
                if kind == "plan":
                    self.plans[county.code].append(item)  # type: ignore[arg-type]
                    remaining -= _PER_ACTION_PLAN
                else:
                    self.agreements[county.code].append(item)  # type: ignore[arg-type]
                    remaining -= round(_PER_AGREEMENT * self.clause_factor)
            position += 1
            if not progressed:
                break


def synth_project(
    out: str | Path,
    *,
    scale: int,
    seed: int = 1,
    project: ProjectPaths,
    progress: Callable[[str], None] | None = None,
) -> SynthReport:
    """Write a synthetic all-Sweden project of about ``scale`` triples to ``out``.

    Args:
        out: the directory to write (created; a previous synth output is replaced).
        scale: target number of triples of the built dataset (≥ 5000).
        seed: the random seed; the same seed and scale give byte-identical files.
        project: the real project whose ontology, shapes, query catalogue and
            reference are copied.
        progress: called with one line per county (the CLI prints it on stderr).

    Returns:
        What was written.

    Raises:
        SourceError: when ``out`` lies inside the project's ``data/`` (synthetic
            data must never mix with the real data), is the project itself, or is
            a non-empty directory not written by synth.
    """
    out = Path(out)
    _check_out_dir(out, project)
    if out.exists():
        shutil.rmtree(out)
    # The query catalogue too: `query NAME` and `publish` (its query page) run
    # on a synthetic project as on the real one.
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(project.root / name, out / name)
    # Publication settings, so that the publish stage can be benchmarked too.
    for name in ("publication.toml", "CHANGELOG.md"):
        if (project.root / name).is_file():
            shutil.copyfile(project.root / name, out / name)
    shutil.copytree(project.reference_dir, out / "data" / "reference")
    sources = out / "data" / "sources"
    curated = out / "data" / "curated"
    sources.mkdir(parents=True)
    curated.mkdir(parents=True)

    counties = _read_gazetteer(project.reference_dir)
    base = _count_base_triples(project)
    budget = _Budget(counties, scale, base)
    report = SynthReport(out, scale, seed, estimated_triples=base)
    checksums: dict[str, str] = {}
    reference_parts = [
        "# Synthetic reference data (samverkansgraf synth): institutions, persons and\n"
        "# regional plans invented for load tests. Not real; never publish.\n\n"
        + _TURTLE_PREFIXES
    ]
    for number, county in enumerate(counties, 1):
        generator = _CountyGenerator(county, seed, budget.clause_factor)
        turtle, triples = generator.reference_turtle()
        reference_parts.append(turtle)
        report.estimated_triples += triples
        docs: list[_Doc] = []
        for period in budget.plans[county.code]:
            activities = generator.rng.randint(8, 18)
            docs.append(generator.action_plan(period, activities))
            report.action_plans += 1
        for municipality, period in budget.agreements[county.code]:
            docs.append(generator.agreement(municipality, period))
            report.agreements += 1
        for doc in docs:
            data = doc.text.encode("utf-8")
            (sources / doc.file_name).write_bytes(data)
            (curated / doc.curated_name).write_text(doc.turtle, encoding="utf-8")
            checksums[doc.file_name] = hashlib.sha256(data).hexdigest()
            report.estimated_triples += doc.triples
        report.documents += len(docs)
        report.counties.append(county.code)
        if progress is not None:
            progress(
                f"[{number:2d}/{len(counties)}] {county.code} {county.name}: "
                f"{len(docs)} documents, ~{report.estimated_triples:,} triples so far"
            )
    (out / "data" / "reference" / "synthetic.ttl").write_text(
        "\n".join(reference_parts), encoding="utf-8"
    )
    (sources / "SHA256SUMS").write_text(
        "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items())),
        encoding="utf-8",
    )
    (out / MARKER).write_text(
        "# Synthetic test data\n\n"
        f"Generated by `samverkansgraf synth --scale {scale} --seed {seed}` for\n"
        "benchmarks and load tests. Every document, institution and person outside\n"
        "the gazetteer is invented. Never copy any of it into a real project's data/\n"
        "or publish it.\n",
        encoding="utf-8",
    )
    log.info(
        "synth: %d documents, ~%d triples", report.documents, report.estimated_triples
    )
    return report


def _count_base_triples(project: ProjectPaths) -> int:
    """Triples of the ontology, schemes and reference graph (parsed, ~0.5 s)."""
    from ..build import load_vocabulary_and_reference

    return sum(len(g) for g in load_vocabulary_and_reference(project).values())
