"""Stage 0 — extract: draft candidate Turtle from a new agreement or plan text.

Input: the bytes of a plain-text source document (as extracted from a PDF or a web
page: line wraps, broken words, repeated page headers and contact blocks) and the
project's reference graph (gazetteer, actors, programmes, plans with their
``skos:altLabel`` variants) and SKOS schemes (modality cue words, theme keywords;
more of both in ``data/reference/*-lexicon.ttl``). Output: an ``ExtractionResult``
holding a draft graph in the curated data model — one ``skg:SourceDocument``, the
``skg:Agreement`` (or ``skg:Plan``) with its ``skg:Clause``s and
``skg:Commitment``s, each with evidence computed from the text
(``evidence.add_evidence``), deliberately skipped page furniture as
``skg:SkippedPassage`` — every drafted resource marked
``prov:wasGeneratedBy`` the extractor, plus a Markdown review list for the
curator.

The extractor proposes; a person decides. Its rules are general (layout
heuristics, the gazetteer, the lexicons), never strings of one document:

1. Layout: lines and blank-line blocks; blocks that repeat (page headers,
   footers), short blocks with contact data (phone, e-mail, address), table-of-
   contents lines and page numbers are skipped; the signature area is set aside.
2. Clauses: numbered ("1 ", "6." — a number may be printed twice), bulleted
   ("•", "-", starting with a capital), headed, or as a last resort paragraphs
   with a commitment, inside the clause region (after "… har kommit överens om
   följande områden", before the signatures).
3. Names: token windows matched against every label of the reference graph in a
   compact form (case, spaces and hyphens folded, so line breaks, "läns-kulturen"
   and "Dalarna - Sveriges" match), with generated genitive and "X kommun" forms,
   and rapidfuzz (``fuzz.ratio`` ≥ ``fuzzy_threshold``) for small OCR damage;
   capitalised unknown names become flagged candidates.
4. Commitments: sentences; the first modality cue decides (``ska … verka för`` is
   StrivesFor); the subject next to the cue gives the committing actors
   ("kommunen"/"regionen"/"parterna" resolve to the agreement's parties); a
   party-subject sentence with a finite verb and no cue is a statement (States);
   a subject-less normative "ska" is a commitment of both parties with
   ``skg:subjectImplied``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from .. import __version__
from ..atomic import write_files_atomically
from ..errors import SourceError
from ..evidence import Span, add_evidence, add_location
from ..namespaces import (
    OA,
    PREFIXES,
    SKG,
    SKGID,
    bind_prefixes,
    preferred_label,
    slugify,
)
from ..privacy import find_contact_data, mask_contact_data
from ..sources import ProjectPaths

__all__ = [
    "EXTRACTOR_VERSION",
    "Candidate",
    "DraftClause",
    "DraftCommitment",
    "ExtractionResult",
    "Extractor",
    "Gazetteer",
    "Mention",
    "SkippedBlock",
    "build_draft_graph",
    "decode_source",
    "extract_file",
    "extractor_iri",
    "format_review",
    "serialise_draft",
    "write_draft",
]

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = __version__
"""Version of the extraction rules; part of the ``prov:wasGeneratedBy`` IRI."""

DEFAULT_FUZZY_THRESHOLD = 90.0
"""rapidfuzz ``fuzz.ratio`` (0–100) a name must reach to count as OCR-damaged."""

ACTOR_CLASSES = (
    SKG.Region,
    SKG.Municipality,
    SKG.CulturalInstitution,
    SKG.CivilSocietyOrganisation,
    SKG.Network,
    SKG.Person,
    SKG.Actor,
)
NAMED_CLASSES = (*ACTOR_CLASSES, SKG.Programme, SKG.Plan)
LABEL_PROPERTIES = (
    RDFS.label,
    SKOS.prefLabel,
    SKG.officialName,
    SKG.formerName,
    SKOS.altLabel,
    SKOS.hiddenLabel,
)

# --- layout heuristics ------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_BULLET = re.compile(r"^[ \t]*([•·▪‣◦●○■□\u2022\uf0b7*–—-])[ \t]+(?=\S)")
_NUMBERED = re.compile(r"^[ \t]*(\d{1,2})([.)])?[ \t]+(?=[A-ZÅÄÖÉÜ\"«(])")
_BARE_NUMBER = re.compile(r"^[ \t]*(\d{1,2})[.)]?[ \t]*$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:sida|sid\.?|page)\s*\d{1,3}(?:\s*(?:av|/|of)\s*\d{1,3})?"
    r"|\d{1,3}\s*(?:\(\s*\d{1,3}\s*\)|(?:av|/)\s*\d{1,3}))\s*$",
    re.IGNORECASE,
)
_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,})\s*\d{1,3}\s*$")
_URL = re.compile(r"(?:www\.|https?://)\S+", re.IGNORECASE)
_POSTCODE = re.compile(r"(?<!\d)\d{3} ?\d{2}[ \t]+[A-ZÅÄÖ][a-zåäö]+")
_ADDRESS_WORDS = re.compile(
    r"^\s*(?:box \d+|postadress|besöksadress|telefon|tel\.?|fax|e-?post|"
    r"org\.? ?nr|organisationsnummer|kontakt|handläggare)\b",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^\s*(?:ort och datum|underskrift(?:er)?|namnteckning|namnförtydligande)\s*$"
    r"|^\s*[A-ZÅÄÖ][\wåäöé-]+(?: [A-ZÅÄÖ][\wåäöé-]+)?,? (?:den )?"
    r"\d{4}-\d{2}-\d{2}\s*$",
    re.IGNORECASE,
)
_REGION_MARKER = re.compile(
    r"kommit överens om|överenskommit|följande (?:områden|samverkansområden)|"
    r"^\s*områden för (?:överenskommelsen|samverkan)\s*$|^\s*samverkansområden\s*$",
    re.IGNORECASE,
)
# Singular only: a page *about* "Överenskommelser" is not an agreement.
_AGREEMENT_WORD = re.compile(r"överenskommelse(?!r)|avtal\b|avsiktsförklaring\b", re.I)
_TITLE_WORD = re.compile(r"överenskommelse|avtal|avsiktsförklaring|plan|strategi", re.I)
_PLAN_WORD = re.compile(r"plan\b|planen\b|strategi|handlingsplan|program\b", re.I)
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)")
_DATE = re.compile(r"\bdatum:?\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_DIARY = re.compile(
    r"^\s*(?:dnr:?\s*|diarienummer:?\s*)?([A-ZÅÄÖ]{1,4}\s?\d{2,4}/\d{3,6}|"
    r"\d{2}[A-Z]{2,3}\d{3,6})\s*$",
    re.IGNORECASE,
)
_DIARY_INLINE = re.compile(r"\b(?:dnr|diarienummer):?\s*(\S+\d)", re.IGNORECASE)
_HEADING_MAX = 80

# Words that may stand between a subject and its verb, or open a clause, without
# breaking the subject-verb link (adverbs, "å sin sida", auxiliaries).
_ADVERBS = frozenset(
    "båda bägge tillsammans gemensamt även också själv själva därför dessutom "
    "därtill redan fortsatt fortsättningsvis gärna aktivt å sin sida "
    "härmed vidare likaså alltid särskilt fortlöpande löpande kontinuerligt "
    "årligen".split()
)
_AUXILIARIES = frozenset({"har", "hade", "kommer", "att"})
_CONNECTORS = frozenset({"och", "samt", ",", "&", "respektive"})
_COPULAS = frozenset(
    "är var blir blev vara finns fanns utgör utgjorde betyder innebär heter "
    "får fick kallas ligger låg".split()
)
_NOT_VERBS = frozenset(
    "och samt eller men att som där när om för av på i med till från under "
    "över efter inom genom mellan vid hos utan enligt".split()
)
_PREPOSITIONS = frozenset(
    "i för av på med till från under över efter inom genom mellan vid hos utan "
    "enligt via bland om hos".split()
)
_PURPOSE = (("för", "att"), ("så", "att"))
_SUBORDINATORS = frozenset({"som", "om", "när", "innan", "eftersom", "ifall"})
_ABBREVIATIONS = frozenset(
    "t.ex ex bl.a m.m s.k ca dvs d.v.s inkl resp nr kap jfr osv etc o.s.v "
    "t.o.m fr.o.m m.fl p.g.a s dnr tel".split()
)
_PARTNER_WORDS = (("tillsammans", "med"), ("i", "samarbete", "med"))

# Agreement-internal references to the parties (GLOSSARY: "kommunen"/"regionen"
# refer back to the two parties; "parterna" means both).
_PARTY_REFERENCES = {
    "kommunen": "municipality",
    "kommun": "municipality",
    "kommuner": "municipality-plural",
    "kommunerna": "municipality-plural",
    "regionen": "region",
    "region": "region",
    "parterna": "both",
    "parter": "both",
}
_INFLECTIONS = (
    "",
    "s",
    "n",
    "en",
    "ens",
    "et",
    "ets",
    "er",
    "ers",
    "erna",
    "ernas",
    "ar",
    "arna",
    "or",
    "orna",
    "na",
    "a",
    "e",
    "es",
    "r",
    "rna",
    "t",
)
_GAP_OK = re.compile(r"^[\s\-–—‐‑'’]*$")


def extractor_iri(version: str = EXTRACTOR_VERSION) -> URIRef:
    """The IRI of the extractor (version) every drafted resource was generated by.

    Example:
        >>> str(extractor_iri("0.1.0"))
        'https://w3id.org/samverkansgraf/id/software/extractor/0.1.0'
    """
    return SKGID[f"software/extractor/{version}"]


# --- data classes -----------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A name of the reference graph found in the text."""

    start: int
    """Offset of its first character."""
    end: int
    """Offset after its last character."""
    iri: URIRef
    """The resource it names."""
    surface: str
    """The text as printed (whitespace collapsed)."""
    score: float = 100.0
    """100 for an exact (compact) match, else the rapidfuzz ratio."""
    genitive: bool = False
    """True when matched through a genitive form ("Hedemoras", "Region Dalarnas")."""


@dataclass(frozen=True)
class SkippedBlock:
    """Lines set aside: page furniture, contact blocks, signatures."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last non-blank character."""
    line: int
    """1-based line of ``start``."""
    reason: str
    """Why it was skipped."""
    in_graph: bool = True
    """False for blocks only listed in the review (e.g. signatures)."""


@dataclass(frozen=True)
class Candidate:
    """A capitalised name not in the reference graph: maybe a new actor."""

    name: str
    """The name as printed (whitespace collapsed)."""
    start: int
    """Offset of its first occurrence."""
    line: int
    """1-based line of that occurrence."""
    count: int
    """How often it occurs in the analysed text."""


@dataclass
class DraftCommitment:
    """One proposed commitment."""

    spans: list[Span]
    """Its words (several when a page break runs through the sentence)."""
    committed_by: list[URIRef]
    """The committing actors."""
    modality: URIRef
    """A concept of skg:ModalityScheme."""
    cue: str
    """The words the modality was read from (or "(finite verb)")."""
    subject: str
    """The words the actors were read from, or "(implied)"."""
    confidence: float
    """0–1: how sure the rules are (see ``docs-fragments/extract.md``)."""
    concerns: list[URIRef] = field(default_factory=list)
    """Non-party programmes, institutions, plans mentioned."""
    partners: list[URIRef] = field(default_factory=list)
    """Actors the committers act together with ("tillsammans med X")."""
    themes: list[URIRef] = field(default_factory=list)
    """Theme concepts whose keywords occur in the sentence."""
    subject_implied: bool = False
    """True when no actor is named and both parties are assumed."""
    iri: URIRef | None = None
    """Set when the draft graph is written."""

    @property
    def start(self) -> int:
        """Offset of the first character."""
        return self.spans[0].start

    @property
    def text(self) -> str:
        """The words, whitespace collapsed."""
        return " ".join(" ".join(span.exact.split()) for span in self.spans)


@dataclass
class DraftClause:
    """One proposed clause."""

    position: int
    """1-based order in the document."""
    number: str | None
    """The number as printed ("6" for "6."), or None."""
    spans: list[Span]
    """Its words, page furniture cut out."""
    kind: str
    """"numbered", "bulleted", "headed" or "paragraph"."""
    commitments: list[DraftCommitment] = field(default_factory=list)
    """The commitments proposed inside it, in order."""
    candidates: list[str] = field(default_factory=list)
    """Unknown names occurring in it."""
    iri: URIRef | None = None
    """Set when the draft graph is written."""

    @property
    def start(self) -> int:
        """Offset of the first character."""
        return self.spans[0].start

    @property
    def end(self) -> int:
        """Offset after the last character."""
        return self.spans[-1].end


@dataclass
class ExtractionResult:
    """What the extractor proposes for one source text."""

    file_name: str
    """The source's file name (``skg:fileName``)."""
    text: str
    """The decoded text; every offset points into it."""
    sha256: str
    """SHA-256 of the file's bytes."""
    encoding: str
    """How the bytes were decoded ("utf-8", "cp1252 (fallback)", …)."""
    kind: str
    """"agreement", "plan", "other" or "empty"."""
    graph: Graph
    """The draft graph."""
    document: URIRef
    """Its ``skg:SourceDocument``."""
    title: str | None = None
    """The title found, whitespace collapsed."""
    title_spans: list[Span] = field(default_factory=list)
    """Where the title is printed."""
    parties: list[URIRef] = field(default_factory=list)
    """The agreement's parties (region and municipality)."""
    period: tuple[int, int] | None = None
    """Start and end year."""
    based_on: list[URIRef] = field(default_factory=list)
    """Plans named before the clauses."""
    clauses: list[DraftClause] = field(default_factory=list)
    """Proposed clauses."""
    loose_commitments: list[DraftCommitment] = field(default_factory=list)
    """Commitments outside clauses (plans) or only listed (other documents)."""
    skipped: list[SkippedBlock] = field(default_factory=list)
    """Blocks set aside."""
    candidates: list[Candidate] = field(default_factory=list)
    """Unknown capitalised names."""
    context: list[tuple[int, str]] = field(default_factory=list)
    """Non-clause blocks inside the clause region (line, masked text)."""
    warnings: list[str] = field(default_factory=list)
    """Everything the curator must know (encoding, missing parts …)."""
    agreement: URIRef | None = None
    """The drafted agreement or plan resource."""

    @property
    def commitments(self) -> list[DraftCommitment]:
        """Every drafted commitment, in document order."""
        found = [c for clause in self.clauses for c in clause.commitments]
        return found + (self.loose_commitments if self.kind == "plan" else [])

    def turtle(self) -> bytes:
        """The draft as Turtle, relative IRIs against ``skgid:``."""
        return serialise_draft(self)

    def review_markdown(self, reference: Graph | None = None) -> str:
        """The Markdown review list (see ``format_review``)."""
        return format_review(self, reference)


# --- decoding ---------------------------------------------------------------


def decode_source(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a source file's bytes, falling back with a warning.

    UTF-8 is expected (as ``data/sources`` requires). Other input is decoded as
    UTF-16 (with a byte-order mark), cp1252 or Latin-1, in that order, and a
    warning says so: code-point offsets stay valid after converting the file to
    UTF-8 (``iconv -f cp1252 -t utf-8``), since conversion keeps every character.

    Args:
        data: the file's bytes.

    Returns:
        The text, the encoding used and the warnings.

    Example:
        >>> decode_source("Å".encode("cp1252"))[:2]
        ('Å', 'cp1252')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a byte-order mark but no valid UTF-16: try the others
        else:
            return (
                text,
                "utf-16",
                [
                    "the file is UTF-16, not UTF-8: decoded as UTF-16; convert it "
                    "to UTF-8 before adding it to data/sources/ (offsets stay valid)"
                ],
            )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        reason = f"byte 0x{data[exc.start]:02x} on line {line}"
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (
            text,
            encoding,
            [
                f"the file is not UTF-8 ({reason}): decoded as {encoding}; check "
                f"the letters å, ä, ö in the draft, and convert the file with "
                f"`iconv -f {encoding} -t utf-8` before adding it to data/sources/ "
                "(the offsets stay valid)"
            ],
        )
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


# --- the gazetteer ----------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    end = len(text) if end is None else end
    return [
        _Token(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text, start, end)
    ]


_SOFT_BREAK = re.compile(r"-[ \t]*\r?\n[ \t]*")


def _joined_tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    """Tokens with words broken at a line end rejoined ("Kommu-\\nnen")."""
    joined: list[_Token] = []
    for token in _tokens(text, start, end):
        if (
            joined
            and token.text[:1].islower()
            and _SOFT_BREAK.fullmatch(text[joined[-1].end : token.start])
        ):
            previous = joined.pop()
            token = _Token(previous.start, token.end, previous.text + token.text)
        joined.append(token)
    return joined


def _compact(text: str) -> str:
    """Case-folded letters and digits only: the key names are compared by."""
    return "".join(
        m.group(0) for m in _WORD.finditer(unicodedata.normalize("NFC", text))
    ).casefold()


class Gazetteer:
    """Every name of the reference graph, ready to be found in text.

    Names are the labels (``rdfs:label``, ``skos:prefLabel``/``altLabel``/
    ``hiddenLabel``, ``skg:officialName``, ``skg:formerName``) of regions,
    municipalities, institutions, organisations, people, programmes and plans,
    plus generated forms: the genitive ("Hedemoras", "Region Dalarnas") and, for
    municipalities, "X kommun" with its genitives. A name is compared in a compact
    form (letters and digits, case-folded), so line breaks, hyphens and dashes do
    not matter; a capitalised name must be printed capitalised.

    Args:
        reference: the reference graph (gazetteer and ``data/reference/*.ttl``).
        use_alt_labels: include ``skos:altLabel``/``hiddenLabel`` variants (turn
            off to measure how much the curated variants contribute).
        fuzzy_threshold: the rapidfuzz ratio for an OCR-damaged name; ``None``
            turns fuzzy matching off.
    """

    def __init__(
        self,
        reference: Graph,
        *,
        use_alt_labels: bool = True,
        fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
    ) -> None:
        self.fuzzy_threshold = fuzzy_threshold
        self.kinds: dict[URIRef, URIRef] = {}
        self.labels: dict[URIRef, str] = {}
        entries: dict[str, set[URIRef]] = defaultdict(set)
        capital: dict[str, bool] = {}
        properties = LABEL_PROPERTIES if use_alt_labels else LABEL_PROPERTIES[:4]
        for cls in NAMED_CLASSES:
            for node in reference.subjects(RDF.type, cls):
                if not isinstance(node, URIRef) or node in self.kinds:
                    continue
                self.kinds[node] = cls
                self.labels[node] = preferred_label(reference, node)
                names = {
                    str(v)
                    for p in properties
                    for v in reference.objects(node, p)
                    if isinstance(v, Literal) and str(v).strip()
                }
                for name in self._variants(names, cls):
                    key = _compact(name)
                    if len(key) < 2:
                        continue
                    entries[key].add(node)
                    upper = name[:1].isupper()
                    capital[key] = capital.get(key, True) and upper
        self.entries = dict(entries)
        self._capital = capital
        # A genitive is a name ending in -s whose form without it names the same
        # resource ("Region Dalarnas", "Hedemoras kommuns"; not "Borås").
        self._genitive = {
            key: key.endswith("s") and self.entries.get(key[:-1]) == iris
            for key, iris in self.entries.items()
        }
        self.max_tokens = 2 + max(
            (
                len(_tokens(str(v)))
                for node in self.kinds
                for p in properties
                for v in reference.objects(node, p)
            ),
            default=1,
        )
        self._fuzzy_keys = [
            k for k, iris in self.entries.items() if len(k) >= 6 and len(iris) == 1
        ]

    @staticmethod
    def _variants(names: set[str], cls: URIRef) -> list[str]:
        """The names with their genitive and (for municipalities) "X kommun" forms."""
        forms: set[str] = set()
        for name in names:
            base = [name]
            if cls == SKG.Municipality and not name.lower().endswith(
                ("kommun", "kommuns")
            ):
                base += [f"{name} kommun", f"{_genitive(name)} kommun"]
            for item in base:
                forms.add(item)
                forms.add(_genitive(item))
        return sorted(forms)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every name in ``text[start:end]``, in text order.

        Exact (compact) matches are found first, longest first, left to right;
        then capitalised stretches left over are compared fuzzily, so an exact
        name is never swallowed by a fuzzy window around it.

        Example:
            >>> from rdflib import Graph
            >>> g = Graph().parse(data='''
            ...   @prefix skg: <https://w3id.org/samverkansgraf/ontology#> .
            ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            ...   <https://w3id.org/samverkansgraf/id/region/20> a skg:Region ;
            ...       rdfs:label "Region Dalarna"@sv .''', format="turtle")
            >>> [m.surface for m in Gazetteer(g).find("Region\\nDalarnas plan")]
            ['Region Dalarnas']
        """
        tokens = _tokens(text, start, end)
        found: dict[int, tuple[Mention, int]] = {}
        index = 0
        while index < len(tokens):
            hit = self._exact_at(text, tokens, index)
            if hit is None:
                index += 1
                continue
            found[index] = hit
            index += hit[1]
        if self.fuzzy_threshold is not None:
            covered = {
                i
                for first, (_, size) in found.items()
                for i in range(first, first + size)
            }
            index = 0
            while index < len(tokens):
                if index in covered:
                    index += 1
                    continue
                hit = self._fuzzy_at(text, tokens, index, covered)
                if hit is None:
                    index += 1
                    continue
                found[index] = hit
                index += hit[1]
        return [found[i][0] for i in sorted(found)]

    def _window_ok(
        self, text: str, tokens: Sequence[_Token], index: int, size: int
    ) -> bool:
        """Only spaces, line breaks and hyphens may separate the words of a name."""
        window = tokens[index : index + size]
        return all(
            _GAP_OK.match(text[left.end : right.start])
            for left, right in zip(window, window[1:], strict=False)
        )

    def _exact_at(
        self, text: str, tokens: Sequence[_Token], index: int
    ) -> tuple[Mention, int] | None:
        for size in range(min(self.max_tokens, len(tokens) - index), 0, -1):
            if not self._window_ok(text, tokens, index, size):
                continue
            key = "".join(t.text for t in tokens[index : index + size]).casefold()
            iris = self.entries.get(key)
            if not iris or len(iris) != 1:
                continue  # unknown, or ambiguous between two resources
            first, last = tokens[index], tokens[index + size - 1]
            if self._capital.get(key) and not first.text[:1].isupper():
                continue
            surface = " ".join(text[first.start : last.end].split())
            mention = Mention(
                first.start,
                last.end,
                next(iter(iris)),
                surface,
                100.0,
                self._genitive[key],
            )
            return mention, size
        return None

    def _fuzzy_at(
        self, text: str, tokens: Sequence[_Token], index: int, covered: set[int]
    ) -> tuple[Mention, int] | None:
        first = tokens[index]
        if not first.text[:1].isupper() or len(first.text) < 3:
            return None
        for size in range(min(3, len(tokens) - index), 0, -1):
            if any(i in covered for i in range(index, index + size)):
                continue
            if not self._window_ok(text, tokens, index, size):
                continue
            key = "".join(t.text for t in tokens[index : index + size]).casefold()
            if len(key) < 6:
                continue
            best = process.extractOne(
                key,
                self._fuzzy_keys,
                scorer=fuzz.ratio,
                score_cutoff=self.fuzzy_threshold,
            )
            if best is None:
                continue
            match, score, _ = best
            last = tokens[index + size - 1]
            surface = " ".join(text[first.start : last.end].split())
            iri = next(iter(self.entries[match]))
            mention = Mention(
                first.start, last.end, iri, surface, float(score), self._genitive[match]
            )
            return mention, size
        return None


def _genitive(name: str) -> str:
    """Swedish genitive: "-s" unless the name ends in s, x or z."""
    return name if name.endswith(("s", "x", "z")) else name + "s"


# --- lexicons: modality cues and theme keywords -------------------------------


@dataclass(frozen=True)
class _Cue:
    parts: tuple[tuple[str, ...], ...]
    """Word groups; a gap of up to six words lies between consecutive groups."""
    modality: URIRef
    label: str


@dataclass(frozen=True)
class _CueMatch:
    first: int
    """Index of its first token."""
    head_last: int
    """Index of the last token of its first word group (the cue's position)."""
    last: int
    """Index of its last token."""
    modality: URIRef
    label: str


def _read_cues(schemes: Graph) -> list[_Cue]:
    """Modality cues: the Swedish labels of the modality concepts."""
    cues = []
    for concept in schemes.subjects(SKOS.inScheme, SKG.ModalityScheme):
        if not isinstance(concept, URIRef):
            continue
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in schemes.objects(concept, prop):
                if not isinstance(label, Literal) or label.language != "sv":
                    continue
                groups = tuple(
                    tuple(t.text.casefold() for t in _tokens(part))
                    for part in re.split(r"…|\.\.\.", str(label))
                    if _tokens(part)
                )
                if groups:
                    cues.append(_Cue(groups, concept, str(label)))
    # Longer cues first, so "arbetar gemensamt för" beats "arbetar för".
    return sorted(cues, key=lambda c: (-sum(len(g) for g in c.parts), c.label))


def _match_group(words: Sequence[str], at: int, group: tuple[str, ...]) -> bool:
    return tuple(words[at : at + len(group)]) == group


def _find_cues(words: Sequence[str], cues: Sequence[_Cue]) -> list[_CueMatch]:
    """Every cue occurrence, leftmost-longest, non-overlapping."""
    found: list[_CueMatch] = []
    index = 0
    while index < len(words):
        hit = None
        for cue in cues:
            if not _match_group(words, index, cue.parts[0]):
                continue
            position = index + len(cue.parts[0])
            ok = True
            for group in cue.parts[1:]:
                for gap in range(0, 7):
                    if _match_group(words, position + gap, group):
                        position += gap + len(group)
                        break
                else:
                    ok = False
                    break
            if ok:
                head_last = index + len(cue.parts[0]) - 1
                hit = _CueMatch(index, head_last, position - 1, cue.modality, cue.label)
                break
        if hit is None:
            index += 1
        else:
            found.append(hit)
            index = hit.last + 1
    return found


@dataclass(frozen=True)
class _Keyword:
    words: tuple[str, ...]
    concept: URIRef


def _read_keywords(schemes: Graph) -> list[_Keyword]:
    """Theme keywords: Swedish labels of the theme concepts."""
    keywords = set()
    for concept in schemes.subjects(SKOS.inScheme, SKG.ThemeScheme):
        if not isinstance(concept, URIRef):
            continue
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in schemes.objects(concept, prop):
                if isinstance(label, Literal) and label.language == "sv":
                    words = tuple(t.text.casefold() for t in _tokens(str(label)))
                    if words:
                        keywords.add(_Keyword(words, concept))
    return sorted(keywords, key=lambda k: (k.words, str(k.concept)))


def _word_matches(keyword: str, word: str) -> bool:
    """A keyword matches a word it starts (long keywords) or inflects (short)."""
    if len(keyword) > 5:
        return word.startswith(keyword)
    return word.startswith(keyword) and word[len(keyword) :] in _INFLECTIONS


def _find_themes(words: Sequence[str], keywords: Sequence[_Keyword]) -> list[URIRef]:
    found: dict[URIRef, int] = {}
    for keyword in keywords:
        size = len(keyword.words)
        for index in range(len(words) - size + 1):
            if tuple(words[index : index + size - 1]) == keyword.words[:-1] and (
                _word_matches(keyword.words[-1], words[index + size - 1])
            ):
                found.setdefault(keyword.concept, index)
                break
    return [
        concept for concept, _ in sorted(found.items(), key=lambda i: (i[1], str(i[0])))
    ]


# --- layout -----------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    index: int
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return " ".join(self.text.split())

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def first(self) -> int:
        """Offset of the first non-blank character."""
        return self.start + (len(self.text) - len(self.text.lstrip()))

    @property
    def last(self) -> int:
        """Offset after the last non-blank character."""
        return self.start + len(self.text.rstrip())


def _lines(text: str) -> list[_Line]:
    lines = []
    offset = 0
    for index, raw in enumerate(text.splitlines(keepends=True)):
        body = raw.rstrip("\r\n")
        lines.append(_Line(index, offset, offset + len(body), body))
        offset += len(raw)
    return lines


def _blocks(lines: Sequence[_Line]) -> list[list[_Line]]:
    """Runs of non-blank lines."""
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.blank:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _is_contact_block(block: Sequence[_Line]) -> bool:
    """A short block of short lines with phone, e-mail, URL or postal address."""
    if len(block) > 8 or any(len(line.key) > 100 for line in block):
        return False
    text = "\n".join(line.text for line in block)
    return bool(
        find_contact_data(text)
        or _URL.search(text)
        or _POSTCODE.search(text)
        or any(_ADDRESS_WORDS.match(line.text) for line in block)
    )


def _heading_line(text: str, following: str) -> bool:
    """A short capitalised line printed right above a paragraph ("Barn och unga")."""
    key = " ".join(_MARKER.sub("", text, count=1).split()).strip("#* ")
    return (
        0 < len(key) <= 60
        and len(key.split()) <= 8
        and key[:1].isupper()
        and not key.endswith((".", ",", ";", "!", "?"))
        and not _BULLET.match(text)
        and following.lstrip()[:1].isupper()
    )


def _is_heading(block: Sequence[_Line]) -> bool:
    if len(block) != 1:
        return False
    key = block[0].key.lstrip("#* ").rstrip("*")
    return (
        0 < len(key) <= _HEADING_MAX
        and key[:1].isupper()
        and not key.endswith((".", ",", ";"))
        and not _BULLET.match(block[0].text)
        and len(key.split()) <= 10
    )


def _cut(
    text: str, start: int, end: int, blanked: Sequence[tuple[int, int]]
) -> list[Span]:
    """``text[start:end]`` minus the blanked intervals, each piece trimmed.

    A fact whose words run across a page header becomes two spans, so evidence
    never quotes page furniture or contact data.
    """
    pieces = [(start, end)]
    for b_start, b_end in blanked:
        if b_end <= start or b_start >= end:
            continue
        next_pieces = []
        for p_start, p_end in pieces:
            if b_end <= p_start or b_start >= p_end:
                next_pieces.append((p_start, p_end))
                continue
            if p_start < b_start:
                next_pieces.append((p_start, b_start))
            if b_end < p_end:
                next_pieces.append((b_end, p_end))
        pieces = next_pieces
    spans = []
    for p_start, p_end in pieces:
        chunk = text[p_start:p_end]
        left = len(chunk) - len(chunk.lstrip())
        right = len(chunk.rstrip())
        if right > left:
            spans.append(Span(p_start + left, p_start + right, chunk[left:right]))
    return spans


@dataclass
class _Item:
    """A unit of a sentence: a word, a name, a party reference, a cue or a comma."""

    kind: str  # WORD, ACTOR, PARTY, CUE, PUNCT
    start: int
    end: int
    text: str
    iris: tuple[URIRef, ...] = ()
    party: str = ""
    modality: URIRef | None = None
    genitive: bool = False
    score: float = 100.0

    @property
    def word(self) -> str:
        return self.text.casefold()

    @property
    def is_actorish(self) -> bool:
        """An actor's name or a reference to a party (not a programme or plan)."""
        return self.kind in ("ACTOR", "PARTY")


_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"”’)\]]*[¹²³⁴⁵⁶⁷⁸⁹⁰]*(?=\s+(?:[•·▪‣◦●○■□*–—-]\s+)?"
    r"[A-ZÅÄÖÉÜ0-9¹²³⁴⁵⁶⁷⁸⁹\"«(])"
)
_LINE_BULLET = re.compile(r"\n[ \t]*[•·▪‣◦●○■□\uf0b7*–—-][ \t]+(?=[A-ZÅÄÖÉÜ])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*(?=[A-ZÅÄÖÉÜ¹²³⁴⁵⁶⁷⁸⁹\"«(])")
_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]?|[•·▪‣◦●○■□\uf0b7*–—-])\s+")
_BULLET_ANYWHERE = re.compile(r"^\s*[•·▪‣◦●○■□\uf0b7*–—-]\s+")


class Extractor:
    """Draft clauses and commitments from source texts with one reference graph.

    Build it once (the gazetteer index and lexicons are reused) and call
    ``extract_bytes`` or ``extract_text`` per document.

    Args:
        reference: the reference graph (gazetteer, actors, programmes, plans,
            lexicons from ``data/reference/``).
        schemes: the SKOS schemes (modality and theme concepts); merged with
            ``reference`` for the lexicons.
        use_alt_labels: use the curated name variants (``skos:altLabel``).
        fuzzy_threshold: rapidfuzz ratio for OCR-damaged names, or ``None``.
    """

    def __init__(
        self,
        reference: Graph,
        schemes: Graph | None = None,
        *,
        use_alt_labels: bool = True,
        fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
    ) -> None:
        self.reference = reference
        vocabulary = Graph()
        vocabulary += reference
        if schemes is not None:
            vocabulary += schemes
        self.gazetteer = Gazetteer(
            reference, use_alt_labels=use_alt_labels, fuzzy_threshold=fuzzy_threshold
        )
        self.cues = _read_cues(vocabulary)
        self.keywords = _read_keywords(vocabulary)
        self.places = _place_names(reference)

    @classmethod
    def from_project(
        cls,
        paths: ProjectPaths,
        *,
        use_alt_labels: bool = True,
        fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
    ) -> Extractor:
        """An extractor with the project's reference graph and schemes.

        Raises:
            SourceError: when the reference data cannot be read.
        """
        from ..build import load_vocabulary_and_reference
        from ..namespaces import GRAPH_REFERENCE, GRAPH_SCHEMES

        graphs = load_vocabulary_and_reference(paths)
        return cls(
            graphs[GRAPH_REFERENCE],
            graphs[GRAPH_SCHEMES],
            use_alt_labels=use_alt_labels,
            fuzzy_threshold=fuzzy_threshold,
        )

    # -- entry points ----------------------------------------------------------

    def extract_bytes(self, data: bytes, file_name: str) -> ExtractionResult:
        """Decode a file's bytes and draft it (never raises on odd content).

        Args:
            data: the file's bytes.
            file_name: its name, recorded as ``skg:fileName``.

        Returns:
            The result; see ``ExtractionResult.warnings`` for what went wrong.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        if data.startswith(b"%PDF"):
            return self._empty(
                file_name,
                "",
                sha256,
                "binary",
                "this is a PDF file, not text: extract its text first (e.g. "
                "`pdftotext -layout FILE.pdf`) and draft the .txt",
            )
        if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return self._empty(
                file_name,
                "",
                sha256,
                "binary",
                "the file contains NUL bytes: it is not a text document; nothing "
                "was extracted",
            )
        text, encoding, warnings = decode_source(data)
        return self.extract_text(
            text, file_name, encoding=encoding, sha256=sha256, warnings=warnings
        )

    def extract_text(
        self,
        text: str,
        file_name: str,
        *,
        encoding: str = "utf-8",
        sha256: str | None = None,
        warnings: Sequence[str] = (),
    ) -> ExtractionResult:
        """Draft an already decoded text.

        Args:
            text: the source text; all offsets point into it.
            file_name: recorded as ``skg:fileName``.
            encoding: how the text was decoded (for the review list).
            sha256: checksum of the file's bytes (default: of ``text`` in UTF-8).
            warnings: warnings from decoding.

        Returns:
            The draft and everything found.
        """
        if sha256 is None:
            sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if not text.strip():
            return self._empty(
                file_name,
                text,
                sha256,
                encoding,
                "the file is empty or holds only whitespace: nothing to extract",
                list(warnings),
            )
        return _Analysis(self, text, file_name, encoding, sha256, list(warnings)).run()

    def _empty(
        self,
        file_name: str,
        text: str,
        sha256: str,
        encoding: str,
        message: str,
        warnings: list[str] | None = None,
    ) -> ExtractionResult:
        result = ExtractionResult(
            file_name=file_name,
            text=text,
            sha256=sha256,
            encoding=encoding,
            kind="empty",
            graph=bind_prefixes(Graph()),
            document=SKGID[f"document/{_file_slug(file_name)}"],
            warnings=[*(warnings or []), message],
        )
        result.graph = build_draft_graph(result)
        return result


def _file_slug(file_name: str) -> str:
    return slugify(Path(file_name).stem) or "source"


def _place_names(reference: Graph) -> frozenset[str]:
    """County names and their stems ("Dalarnas län" → "Dalarnas", "Dalarna")."""
    names = {"Sverige", "Sveriges", "Norden", "Europa", "EU", "Skandinavien"}
    for county in reference.subjects(RDF.type, SKG.County):
        for label in reference.objects(county, RDFS.label):
            stem = str(label).removesuffix(" län").strip()
            names |= {stem, stem.removesuffix("s")}
    return frozenset(names)


def _verb_like(word: str) -> bool:
    """A plausible Swedish finite verb (present or past tense)."""
    return (
        len(word) >= 3
        and word.islower()
        and word not in _COPULAS
        and word not in _NOT_VERBS
        and word.endswith(("r", "de", "te", "dde"))
    )


def _supine_like(word: str) -> bool:
    return (
        len(word) >= 4
        and word.islower()
        and word.endswith("t")
        and word not in {"inte", "mest", "helt", "fast", "just", "redan", "ofta"}
    )


class _Analysis:
    """One run of the extractor over one text (internal)."""

    def __init__(
        self,
        extractor: Extractor,
        text: str,
        file_name: str,
        encoding: str,
        sha256: str,
        warnings: list[str],
    ) -> None:
        self.x = extractor
        self.text = text
        self.file_name = file_name
        self.encoding = encoding
        self.sha256 = sha256
        self.warnings = warnings
        self.skipped: list[SkippedBlock] = []
        self.blanked: list[tuple[int, int]] = []
        self.municipality: URIRef | None = None
        self.region: URIRef | None = None
        self.kind = "other"

    # -- driver ----------------------------------------------------------------

    def run(self) -> ExtractionResult:
        """Layout, metadata and kind, clauses and commitments, names, graph."""
        lines = _lines(self.text)
        self._find_furniture(lines)
        signature = self._find_signature(lines)
        self.work = self._blank_out()
        wlines = _lines(self.work)
        blocks = _blocks(wlines)
        result = ExtractionResult(
            file_name=self.file_name,
            text=self.text,
            sha256=self.sha256,
            encoding=self.encoding,
            kind="other",
            graph=bind_prefixes(Graph()),
            document=SKGID[f"document/{_file_slug(self.file_name)}"],
            skipped=[
                b for b in self.skipped if signature is None or b.start < signature
            ],
            warnings=self.warnings,
        )
        title_block = self._find_title(blocks)
        after_title = title_block[-1].end if title_block else 0
        end = signature if signature is not None else len(self.text)
        if title_block is not None:
            result.title_spans = self._title_spans(title_block)
            title = " ".join(" ".join(s.exact for s in result.title_spans).split())
            result.title = title or None
        marker_end = self._find_region_start(blocks, after_title, end)
        region_start = marker_end if marker_end is not None else after_title
        result.period = self._find_period(result.title)
        result.parties = self._find_parties(
            result.title_spans, after_title, region_start
        )
        result.based_on = self._find_based_on(after_title, region_start)
        self._classify(result)
        if signature is not None:
            line = self.text.count("\n", 0, signature) + 1
            end_of_text = len(self.text.rstrip())
            result.skipped.append(
                SkippedBlock(signature, end_of_text, line, "signature", in_graph=False)
            )
        if result.title and _AGREEMENT_WORD.search(result.title):
            result.clauses = self._clauses(wlines, blocks, region_start, end, result)
            if not result.clauses:
                self.warnings.append(
                    "no clause recognised: no numbered, bulleted or headed areas and "
                    "no paragraph with a commitment after the introduction"
                )
        else:
            result.loose_commitments = self._commitments(after_title, end)
        result.candidates = self._candidates(after_title, end)
        for clause in result.clauses:
            clause.candidates = sorted(
                {
                    candidate.name
                    for candidate in result.candidates
                    for offset in self._candidate_offsets[candidate.name]
                    if any(s.start <= offset < s.end for s in clause.spans)
                }
            )
        result.skipped.sort(key=lambda b: b.start)
        result.graph = build_draft_graph(
            result,
            identifier=self._find_identifier(blocks),
            date=self._find_date(),
        )
        return result

    def _classify(self, result: ExtractionResult) -> None:
        """Agreement (title, two parties, period), plan, or other; name the IRIs."""
        title = result.title or ""
        if _AGREEMENT_WORD.search(title):
            missing = []
            if len(result.parties) < 2:
                missing.append(
                    "two parties (region, municipality) in the title or a "
                    "'mellan X och Y' sentence"
                )
            if not result.period:
                missing.append("a period (e.g. 2019-2022)")
            if not missing:
                self.kind = "agreement"
            else:
                self.warnings.append(
                    "the title looks like an agreement, but "
                    + " and ".join(missing)
                    + " could not be found: no skg:Agreement is drafted; clauses "
                    "and commitments are only listed in the review"
                )
        elif _PLAN_WORD.search(title):
            self.kind = "plan"
            self.warnings.append(
                "a plan: the skg:Plan and the commitments of named actors are "
                "drafted; goals, activities and tables are not extracted (curate "
                "them by hand)"
            )
        else:
            self.warnings.append(
                "not recognised as an agreement or a plan (no 'Överenskommelse …' or "
                "'…plan' title): only the document and its skipped blocks are "
                "drafted; commitment-like sentences are listed in the review"
            )
        result.kind = self.kind
        kinds = self.x.gazetteer.kinds
        if self.kind == "agreement":
            municipalities = [
                p for p in result.parties if kinds.get(p) == SKG.Municipality
            ]
            regions = [p for p in result.parties if kinds.get(p) == SKG.Region]
            self.municipality = municipalities[0] if municipalities else None
            self.region = regions[0] if regions else None
            if len(municipalities) > 1:
                self.warnings.append(
                    "several municipalities are parties: 'kommunen' is read as the "
                    "first one named"
                )
            slug = self._agreement_slug(result)
            result.document = SKGID[f"document/overenskommelse-{slug}"]
            result.agreement = SKGID[f"agreement/{slug}"]
        elif self.kind == "plan":
            slug = slugify(title)[:60].strip("-") or _file_slug(self.file_name)
            result.document = SKGID[f"document/{slug}"]
            result.agreement = SKGID[f"plan/{slug}"]

    # -- layout ------------------------------------------------------------------

    def _skip(self, lines: Sequence[_Line], reason: str) -> None:
        start, end = lines[0].first, lines[-1].last
        if end <= start:
            return
        self.skipped.append(
            SkippedBlock(start, end, lines[0].index + 1, reason, in_graph=True)
        )
        self.blanked.append((lines[0].start, lines[-1].end))

    def _find_furniture(self, lines: Sequence[_Line]) -> None:
        """Skip repeated page headers/footers, contact blocks, TOC and page numbers."""
        blocks = _blocks(lines)

        def short(block: Sequence[_Line]) -> bool:
            return all(len(line.key) <= _HEADING_MAX for line in block)

        block_counts = Counter(
            "\n".join(line.key for line in block) for block in blocks if short(block)
        )
        line_counts = Counter(
            line.key for line in lines if not line.blank and len(line.key) <= 60
        )
        marks: list[tuple[list[_Line], str]] = []
        for block in blocks:
            key = "\n".join(line.key for line in block)
            if short(block) and block_counts[key] >= 2:
                marks.append((block, "repeated"))
            elif _is_contact_block(block):
                marks.append((block, "contact"))
            elif all(_TOC_LINE.search(line.text) for line in block):
                marks.append((block, "toc"))
            else:
                for line in block:
                    if line_counts[line.key] >= 3:
                        marks.append(([line], "repeated-line"))
                    elif _PAGE_NUMBER.match(line.text):
                        marks.append(([line], "page-number"))
                    elif _TOC_LINE.search(line.text):
                        marks.append(([line], "toc"))
        # Neighbouring skipped blocks (only blank lines between) form one passage.
        merged: list[tuple[list[_Line], set[str]]] = []
        for block, reason in marks:
            if merged:
                previous = merged[-1][0][-1]
                between = lines[previous.index + 1 : block[0].index]
                if all(line.blank for line in between):
                    merged[-1][0].extend(block)
                    merged[-1][1].add(reason)
                    continue
            merged.append((list(block), {reason}))
        for block, reasons in merged:
            self._skip(block, "+".join(sorted(reasons)))

    def _find_signature(self, lines: Sequence[_Line]) -> int | None:
        """Offset where the signature area begins (in the latter half), if any."""
        half = len(self.text) // 2
        for line in lines:
            if line.start < half or line.blank or self._is_blanked(line.first):
                continue
            if _SIGNATURE_START.match(line.text):
                self.blanked.append((line.start, len(self.text)))
                return line.first
        return None

    def _is_blanked(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.blanked)

    def _blank_out(self) -> str:
        """The text with skipped lines and contact data replaced by spaces.

        Offsets are unchanged (line breaks are kept), so every analysis runs on this
        working copy and every span found is a span of the original text.
        """
        chars = list(self.text)
        contact = find_contact_data(self.text)
        self.blanked.extend(contact)
        for start, end in self.blanked:
            for index in range(start, min(end, len(chars))):
                if chars[index] not in "\r\n":
                    chars[index] = " "
        self.blanked.sort()
        return "".join(chars)

    # -- document metadata ---------------------------------------------------------

    def _find_title(self, blocks: Sequence[list[_Line]]) -> list[_Line] | None:
        """The title: among the first blocks, one naming an agreement or plan, else
        the first short block without a full stop."""
        early = [b for b in blocks[:12] if not _DIARY.match(b[0].text)]

        def short(block: Sequence[_Line], lines: int, size: int) -> bool:
            text = " ".join(line.key for line in block)
            return len(block) <= lines and len(text) <= size

        for block in early[:4]:
            text = " ".join(line.key for line in block)
            if (
                short(block, 4, 250)
                and _TITLE_WORD.search(text)
                and not text.rstrip("*").endswith(".")
            ):
                return block
        for block in early:
            text = " ".join(line.key for line in block)
            if short(block, 3, 200) and len(text) >= 3 and not text.endswith("."):
                return block
        return None

    def _title_spans(self, block: Sequence[_Line]) -> list[Span]:
        start = block[0].first
        while start < block[-1].last and self.work[start] in "#* \t":
            start += 1
        end = block[-1].last
        while end > start and self.work[end - 1] in "*# \t":
            end -= 1
        return _cut(self.text, start, end, self.blanked)

    def _find_period(self, title: str | None) -> tuple[int, int] | None:
        for haystack in (title or "", self.work[:3000]):
            for match in _PERIOD.finditer(haystack):
                first, last = int(match.group(1)), int(match.group(2))
                if first <= last <= first + 10:
                    return first, last
        return None

    def _find_identifier(self, blocks: Sequence[list[_Line]]) -> str | None:
        for block in blocks[:15]:
            for line in block:
                match = _DIARY.match(line.text)
                if match:
                    return match.group(1)
        match = _DIARY_INLINE.search(self.work[:3000])
        return match.group(1) if match else None

    def _find_date(self) -> str | None:
        match = _DATE.search(self.text[:5000])
        return match.group(1) if match else None

    def _find_region_start(
        self, blocks: Sequence[list[_Line]], after: int, end: int
    ) -> int | None:
        """End of the introduction ("Områden …", "… har kommit överens om följande")."""
        run_end = None
        for block in blocks:
            if block[0].start < after or block[0].start >= end:
                continue
            text = " ".join(line.key for line in block)
            if _REGION_MARKER.search(text) and len(text) <= 400:
                run_end = block[-1].end
            elif run_end is not None:
                return run_end
        return run_end

    def _find_parties(
        self, title_spans: Sequence[Span], after: int, region_start: int
    ) -> list[URIRef]:
        """Regions and municipalities named in the title, else in the first
        "mellan X och Y" of the introduction."""
        parties: list[URIRef] = []

        def add(mentions: Iterable[Mention]) -> None:
            for mention in mentions:
                kind = self.x.gazetteer.kinds.get(mention.iri)
                if (
                    kind in (SKG.Region, SKG.Municipality)
                    and mention.iri not in parties
                ):
                    parties.append(mention.iri)

        for span in title_spans:
            add(self.x.gazetteer.find(self.work, span.start, span.end))
        if len(parties) < 2:
            intro = self.work[after:region_start]
            for match in re.finditer(r"\bmellan\b[^.]{3,200}", intro):
                base = after + match.start()
                add(self.x.gazetteer.find(self.work, base, base + len(match.group(0))))
                if len(parties) >= 2:
                    break
        return parties

    def _agreement_slug(self, result: ExtractionResult) -> str:
        owner = self.municipality or result.parties[0]
        name = self.x.gazetteer.labels.get(owner, "")
        name = re.sub(r"\s+kommun$", "", name)
        # "Smedjebackens kommun" → "Smedjebacken", but "Borås" stays "Borås".
        if name.endswith("s") and owner in self.x.gazetteer.entries.get(
            _compact(name[:-1]), ()
        ):
            name = name[:-1]
        first, last = result.period or (0, 0)
        return f"{slugify(name) or 'avtal'}-{first}-{last}"

    def _find_based_on(self, start: int, end: int) -> list[URIRef]:
        plans = []
        for mention in self.x.gazetteer.find(self.work, start, end):
            if (
                self.x.gazetteer.kinds.get(mention.iri) == SKG.Plan
                and mention.iri not in plans
            ):
                plans.append(mention.iri)
        return plans

    # -- clauses -------------------------------------------------------------------

    def _clauses(
        self,
        wlines: Sequence[_Line],
        blocks: Sequence[list[_Line]],
        start: int,
        end: int,
        result: ExtractionResult,
    ) -> list[DraftClause]:
        """Segment the clause region into clauses and their commitments."""
        region = [line for line in wlines if line.start >= start and line.end <= end]
        chain = self._numbered_chain(region)
        ranges: list[tuple[int, int, str | None, str]] = []
        if chain:
            for index, (line_index, number) in enumerate(chain):
                first = region[line_index].first
                stop = (
                    region[chain[index + 1][0]].start if index + 1 < len(chain) else end
                )
                stop = self._trim_trailing_heading(blocks, first, stop)
                ranges.append((first, stop, number, "numbered"))
        else:
            units = self._units(region)
            bullets = [u for u in units if u[2] == "bullet"]
            headings = [u for u in units if u[2] == "heading"]
            if len(bullets) >= 2:
                mode = "bulleted"
            elif len(headings) >= 2:
                mode = "headed"
            else:
                mode = "paragraph"
                if units:
                    self.warnings.append(
                        "no numbered, bulleted or headed areas: paragraphs with a "
                        "commitment are proposed as clauses"
                    )
            open_heading: list[int] | None = None
            for unit_start, unit_end, kind in units:
                if mode == "headed" and kind == "heading":
                    if open_heading is not None:
                        ranges.append(
                            (open_heading[0], open_heading[1], None, "headed")
                        )
                    open_heading = [unit_start, unit_end]
                    continue
                if open_heading is not None:
                    open_heading[1] = unit_end
                    continue
                if kind == "bullet":
                    ranges.append((unit_start, unit_end, None, "bulleted"))
                elif kind == "heading":
                    result.context.append(
                        self._context(unit_start, unit_end, "heading")
                    )
                elif self._commitments(unit_start, unit_end):
                    ranges.append((unit_start, unit_end, None, "paragraph"))
                else:
                    result.context.append(
                        self._context(unit_start, unit_end, "context")
                    )
            if open_heading is not None:
                ranges.append((open_heading[0], open_heading[1], None, "headed"))
        clauses = []
        for first, stop, number, kind in sorted(ranges):
            spans = _cut(self.text, first, stop, self.blanked)
            if not spans:
                continue
            clause = DraftClause(len(clauses) + 1, number, spans, kind)
            clause.commitments = self._commitments(spans[0].start, spans[-1].end)
            clauses.append(clause)
        return clauses

    def _context(self, start: int, end: int, kind: str) -> tuple[int, str]:
        text = " ".join(mask_contact_data(self.text[start:end]).split())
        return self.text.count("\n", 0, start) + 1, f"{kind}: {text}"

    def _numbered_chain(self, region: Sequence[_Line]) -> list[tuple[int, str]]:
        """The longest run of numbered lines 1, 2, … (a number may repeat)."""
        found: list[tuple[int, int, str]] = []
        for index, line in enumerate(region):
            match = _NUMBERED.match(line.text)
            if match is None:
                bare = _BARE_NUMBER.match(line.text)
                following = next((n for n in region[index + 1 :] if not n.blank), None)
                if bare is None or following is None or not following.key[:1].isupper():
                    continue
                match = bare
            found.append((index, int(match.group(1)), match.group(1)))
        best = [0] * len(found)
        previous = [-1] * len(found)
        for j, (_, number, _) in enumerate(found):
            if number == 1:
                best[j] = 1
            for k in range(j):
                if best[k] and number in (found[k][1], found[k][1] + 1):
                    if best[k] + 1 > best[j]:
                        best[j], previous[j] = best[k] + 1, k
        if not best or max(best) < 2:
            return []
        j = max(range(len(found)), key=lambda i: (best[i], -i))
        chain = []
        while j >= 0:
            chain.append((found[j][0], found[j][2]))
            j = previous[j]
        chain.reverse()
        if max(int(number) for _, number in chain) < 2:
            return []
        return chain

    def _trim_trailing_heading(
        self, blocks: Sequence[list[_Line]], start: int, stop: int
    ) -> int:
        """Leave a section heading printed just before the next clause out."""
        inside = [b for b in blocks if b[0].start >= start and b[-1].end <= stop]
        if (
            len(inside) >= 2
            and _is_heading(inside[-1])
            and not _NUMBERED.match(inside[-1][0].text)
        ):
            return inside[-1][0].start
        return stop

    def _units(self, region: Sequence[_Line]) -> list[tuple[int, int, str]]:
        """Bullet items, headings and paragraphs of the clause region.

        A bullet item starting with a capital opens a unit; wrapped lines, and lines
        after a page break that start in lower case, continue it; a bullet starting
        in lower case continues the sentence before it ("genom: • att …").
        """
        units: list[list] = []
        gap = True
        ended = True  # the previous line ended a sentence
        for index, line in enumerate(region):
            if line.blank:
                gap = True
                continue
            following = next((n.text for n in region[index + 1 :] if not n.blank), "")
            if (gap or ended) and _heading_line(line.text, following):
                units.append([line.first, line.last, "heading", 1])
                gap, ended = True, True
                continue
            ended = line.text.rstrip().endswith((".", "!", "?", ":"))
            bullet = _BULLET.match(line.text)
            offset = (
                bullet.end() if bullet else len(line.text) - len(line.text.lstrip())
            )
            first_char = line.text[offset : offset + 1]
            if bullet and (first_char.isupper() or first_char.isdigit()):
                units.append([line.first, line.last, "bullet", 1])
            elif units and (not gap or first_char.islower()):
                units[-1][1] = line.last
                units[-1][3] += 1
            else:
                units.append([line.first, line.last, "paragraph", 1])
            gap = False
        shaped = []
        for start, stop, kind, count in units:
            if kind == "paragraph" and count == 1:
                key = " ".join(self.work[start:stop].split())
                if _is_heading([_Line(0, start, stop, key)]):
                    kind = "heading"
            shaped.append((start, stop, kind))
        return shaped

    # -- sentences and commitments -------------------------------------------------

    def _sentences(self, start: int, end: int) -> list[tuple[int, int]]:
        """Sentence ranges of ``work[start:end]``, bullets and numbers stripped."""
        chunk = self.work[start:end]
        cuts = {0, len(chunk)}
        for match in _SENTENCE_END.finditer(chunk):
            before = re.search(r"(\S+)$", chunk[: match.start()])
            word = before.group(1).rstrip(".").casefold() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            cuts.add(match.end())
        for pattern in (_LINE_BULLET, _PARAGRAPH):
            cuts.update(match.start() for match in pattern.finditer(chunk))
        # A heading printed right above its paragraph is not part of a sentence.
        lines = chunk.split("\n")
        offset = 0
        for index, line in enumerate(lines[:-1]):
            previous = lines[index - 1].rstrip() if index else ""
            following = next((n for n in lines[index + 1 :] if n.strip()), "")
            if (
                (not previous or previous.endswith((".", "!", "?", ":")))
                and line.strip()
                and _heading_line(line, following)
            ):
                cuts.update({offset, offset + len(line)})
            offset += len(line) + 1
        ordered = sorted(cuts)
        sentences = []
        for piece_start, piece_end in zip(ordered, ordered[1:], strict=False):
            piece = chunk[piece_start:piece_end]
            marker = (_MARKER if piece_start == 0 else _BULLET_ANYWHERE).match(piece)
            left = marker.end() if marker else 0
            left += len(piece[left:]) - len(piece[left:].lstrip())
            right = len(piece.rstrip())
            if right > left and _WORD.search(piece, left, right):
                sentences.append(
                    (start + piece_start + left, start + piece_start + right)
                )
        return sentences

    def _commitments(self, start: int, end: int) -> list[DraftCommitment]:
        found = []
        for sentence_start, sentence_end in self._sentences(start, end):
            items = self._items(sentence_start, sentence_end)
            for unit_start, unit_end, unit in self._split(
                sentence_start, sentence_end, items
            ):
                commitment = self._analyse(unit_start, unit_end, unit)
                if commitment is not None:
                    found.append(commitment)
        return found

    def _items(self, start: int, end: int) -> list[_Item]:
        tokens = _joined_tokens(self.work, start, end)
        words = [t.text.casefold() for t in tokens]
        by_start = {t.start: i for i, t in enumerate(tokens)}
        by_end = {t.end: i for i, t in enumerate(tokens)}
        spans: dict[int, tuple[int, _Item]] = {}
        for mention in self.x.gazetteer.find(self.work, start, end):
            first, last = by_start.get(mention.start), by_end.get(mention.end)
            if first is None or last is None:
                continue
            is_actor = self.x.gazetteer.kinds.get(mention.iri) in ACTOR_CLASSES
            spans[first] = (
                last,
                _Item(
                    "ACTOR" if is_actor else "NAME",
                    mention.start,
                    mention.end,
                    mention.surface,
                    iris=(mention.iri,),
                    genitive=mention.genitive,
                    score=mention.score,
                ),
            )
        covered = {
            i for first, (last, _) in spans.items() for i in range(first, last + 1)
        }
        for cue in _find_cues(words, self.x.cues):
            if any(i in covered for i in range(cue.first, cue.head_last + 1)):
                continue
            first_token, last_token = tokens[cue.first], tokens[cue.head_last]
            spans[cue.first] = (
                cue.head_last,
                _Item(
                    "CUE",
                    first_token.start,
                    last_token.end,
                    " ".join(self.work[first_token.start : last_token.end].split()),
                    modality=cue.modality,
                ),
            )
        items: list[_Item] = []
        index = 0
        previous_end = start
        while index < len(tokens):
            token = tokens[index]
            for offset, char in enumerate(self.work[previous_end : token.start]):
                if char in ",;:()":
                    position = previous_end + offset
                    items.append(_Item("PUNCT", position, position + 1, char))
            if index in spans:
                last, item = spans[index]
                items.append(item)
                index = last + 1
            else:
                party = _PARTY_REFERENCES.get(words[index], "")
                kind = "PARTY" if party else "WORD"
                items.append(
                    _Item(kind, token.start, token.end, token.text, party=party)
                )
                index += 1
            previous_end = tokens[index - 1].end
        return items

    # The two parts of "X medverkar i Y och tillsammans vill parterna Z" are two
    # commitments: a conjunction followed by a new subject and cue splits a sentence
    # when the part before it is already a complete predication.
    def _split(
        self, start: int, end: int, items: list[_Item]
    ) -> list[tuple[int, int, list[_Item]]]:
        for j, item in enumerate(items):
            if item.kind != "WORD" or item.word not in ("och", "samt") or j == 0:
                continue
            before, after = items[:j], items[j + 1 :]
            if self._opens_predication(after) and self._has_predication(before):
                head_end = before[-1].end
                return [
                    (start, head_end, before),
                    *self._split(after[0].start, end, after),
                ]
        return [(start, end, items)]

    @staticmethod
    def _skip_adverbs(items: Sequence[_Item], index: int, step: int = 1) -> int:
        while (
            0 <= index < len(items)
            and items[index].kind == "WORD"
            and (items[index].word in _ADVERBS)
        ):
            index += step
        return index

    def _phrase_forward(self, items: Sequence[_Item], index: int) -> int:
        """Index after an actor phrase ("X, Y och Z") starting at ``index``."""
        while index < len(items) and items[index].is_actorish:
            index += 1
            if (
                index + 1 < len(items)
                and (items[index].word in _CONNECTORS)
                and items[index + 1].is_actorish
            ):
                index += 1
            else:
                break
        return index

    def _opens_predication(self, items: Sequence[_Item]) -> bool:
        k = self._skip_adverbs(items, 0)
        if k < len(items) and items[k].kind == "CUE":
            k = self._skip_adverbs(items, k + 1)
            return k < len(items) and items[k].is_actorish
        if k < len(items) and items[k].is_actorish:
            k = self._skip_adverbs(items, self._phrase_forward(items, k))
            return k < len(items) and items[k].kind == "CUE"
        return False

    def _has_predication(self, items: Sequence[_Item]) -> bool:
        for index, item in enumerate(items):
            if not item.is_actorish:
                continue
            if index and items[index - 1].word in _PREPOSITIONS:
                continue
            k = self._skip_adverbs(items, self._phrase_forward(items, index))
            if k < len(items) and (
                items[k].kind == "CUE"
                or (items[k].kind == "WORD" and _verb_like(items[k].text))
            ):
                return True
        return False

    def _subject_before(self, items: Sequence[_Item], cue: int) -> list[_Item]:
        k = cue - 1
        while (
            k >= 0
            and items[k].kind == "WORD"
            and (items[k].word in _ADVERBS or items[k].word in _AUXILIARIES)
        ):
            k -= 1
        if k >= 2 and items[k].text == ",":
            # "X och Y, via Z, delfinansierar …": step over the parenthesis.
            for j in range(k - 1, max(k - 9, 0), -1):
                if items[j].text == ",":
                    if items[j - 1].is_actorish:
                        k = j - 1
                    break
        if (
            k >= 1
            and items[k].kind == "WORD"
            and items[k].text.islower()
            and items[k].word not in _NOT_VERBS
            and items[k - 1].is_actorish
            and items[k - 1].genitive
        ):
            k -= 1  # "Hedemoras kommuns och Region Dalarnas verksamheter bidrar"
        phrase: list[_Item] = []
        while k >= 0 and items[k].is_actorish:
            phrase.insert(0, items[k])
            if k >= 2 and items[k - 1].word in _CONNECTORS and items[k - 2].is_actorish:
                k -= 2
            else:
                k -= 1
                break
        if phrase and k >= 0 and items[k].word in _PREPOSITIONS:
            return []  # "För Hedemora kommun …", "i Hedemora kommun …"
        return phrase

    def _subject_after(self, items: Sequence[_Item], cue: int) -> list[_Item]:
        k = self._skip_adverbs(items, cue + 1)
        end = self._phrase_forward(items, k)
        return list(items[k:end])

    def _resolve(self, phrase: Sequence[_Item]) -> tuple[list[URIRef], float]:
        """Actors of a subject phrase, and a confidence factor."""
        actors: list[URIRef | None] = []
        factor = 1.0
        for item in phrase:
            if item.kind == "ACTOR":
                for iri in item.iris:
                    if self.x.gazetteer.kinds.get(iri) in ACTOR_CLASSES:
                        actors.append(iri)
                        factor *= item.score / 100
            elif self.kind == "agreement":
                party = item.party
                if party == "municipality-plural":
                    factor *= 0.7
                if party.startswith("municipality") or party == "both":
                    actors.append(self.municipality)
                if party in ("region", "both"):
                    actors.append(self.region)
        ordered: list[URIRef] = []
        for actor in actors:
            if actor is not None and actor not in ordered:
                ordered.append(actor)
        return ordered, factor

    def _is_purpose(self, items: Sequence[_Item], cue: int) -> bool:
        """A cue inside a purpose, relative or conditional clause ("för att … ska")."""
        words = [item.word for item in items[:cue]]
        for pair in _PURPOSE:
            for index in range(len(words) - 1):
                if (words[index], words[index + 1]) == pair:
                    return True
        return bool(
            (words and words[-1] == "som") or (words and words[0] in _SUBORDINATORS)
        )

    def _analyse(
        self, start: int, end: int, items: list[_Item]
    ) -> DraftCommitment | None:
        cues = [i for i, item in enumerate(items) if item.kind == "CUE"]
        implied = False
        if cues:
            first = cues[0]
            modality = items[first].modality
            cue_text = items[first].text
            if modality == SKG.Shall:
                for other in cues[1:]:
                    if other - first <= 4 and items[other].modality == SKG.StrivesFor:
                        modality = SKG.StrivesFor
                        cue_text = f"{cue_text} … {items[other].text}"
                        break
            phrase = self._subject_before(items, first)
            confidence = 0.9
            if not phrase:
                phrase = self._subject_after(items, first)
                confidence = 0.85
            actors, factor = self._resolve(phrase)
            if not actors:
                if (
                    self.kind == "agreement"
                    and items[first].modality == SKG.Shall
                    and not self._is_purpose(items, first)
                    and self.municipality is not None
                    and self.region is not None
                ):
                    actors, factor, implied = (
                        [self.region, self.municipality],
                        1.0,
                        True,
                    )
                    confidence = 0.5
                else:
                    return None
        else:
            phrase, actors, factor = self._statement_subject(items)
            if not actors:
                return None
            modality, confidence = SKG.States, 0.7
            verb = self._statement_verb(items, phrase)
            cue_text = f"(finite verb {verb!r})"
        assert modality is not None
        spans = _cut(self.text, start, end, self.blanked)
        if spans and spans[-1].exact.endswith(","):
            last = spans[-1]
            trimmed = last.exact[:-1].rstrip()
            spans[-1] = Span(last.start, last.start + len(trimmed), trimmed)
        spans = [span for span in spans if span.exact]
        if not spans:
            return None
        exclude = (
            {self.region, self.municipality}
            if self.kind == "agreement"
            else set(actors)
        )
        concerns = []
        for item in items:
            for iri in item.iris:
                if iri not in exclude and iri not in concerns:
                    concerns.append(iri)
        partners = [p for p in self._partners(items) if p not in actors]
        words = [t.text.casefold() for t in _joined_tokens(self.work, start, end)]
        subject = (
            "(implied: both parties)"
            if implied
            else " ".join(self.work[phrase[0].start : phrase[-1].end].split())
        )
        return DraftCommitment(
            spans=spans,
            committed_by=actors,
            modality=modality,
            cue=cue_text,
            subject=subject,
            confidence=round(confidence * factor, 2),
            concerns=concerns,
            partners=partners,
            themes=_find_themes(words, self.x.keywords),
            subject_implied=implied,
        )

    def _statement_subject(
        self, items: Sequence[_Item]
    ) -> tuple[list[_Item], list[URIRef], float]:
        """A party subject opening the sentence and followed by a finite verb."""
        if not items or not items[0].is_actorish:
            return [], [], 1.0
        end = self._phrase_forward(items, 0)
        phrase = list(items[:end])
        actors, factor = self._resolve(phrase)
        wanted = (
            {self.region, self.municipality}
            if self.kind == "agreement"
            else {
                a
                for a in actors
                if self.x.gazetteer.kinds.get(a) in (SKG.Region, SKG.Municipality)
            }
        )
        if not actors or not wanted.intersection(actors):
            return [], [], 1.0
        return (
            (phrase, actors, factor)
            if self._statement_verb(items, phrase)
            else ([], [], 1.0)
        )

    def _statement_verb(
        self, items: Sequence[_Item], phrase: Sequence[_Item]
    ) -> str | None:
        k = len(phrase)
        if (
            phrase
            and phrase[-1].genitive
            and k < len(items)
            and items[k].kind == "WORD"
        ):
            k += 1  # the noun the genitive owns
        if k < len(items) and items[k].kind == "PUNCT" and items[k].text == ",":
            for j in range(k + 1, min(k + 9, len(items))):
                if items[j].kind == "PUNCT" and items[j].text == ",":
                    k = j + 1
                    break
        k = self._skip_adverbs(items, k)
        if k >= len(items) or items[k].kind != "WORD":
            return None
        verb = items[k].text
        if verb in ("har", "hade"):
            j = self._skip_adverbs(items, k + 1)
            if (
                j < len(items)
                and items[j].kind == "WORD"
                and _supine_like(items[j].text)
            ):
                return f"{verb} … {items[j].text}"
            return None
        return verb if _verb_like(verb) else None

    def _partners(self, items: Sequence[_Item]) -> list[URIRef]:
        partners: list[URIRef] = []
        words = [item.word for item in items]
        for pattern in _PARTNER_WORDS:
            size = len(pattern)
            for index in range(len(words) - size + 1):
                if tuple(words[index : index + size]) == pattern:
                    end = self._phrase_forward(items, index + size)
                    actors, _ = self._resolve(items[index + size : end])
                    partners += [a for a in actors if a not in partners]
        return partners

    # -- unknown names ---------------------------------------------------------------

    def _candidates(self, start: int, end: int) -> list[Candidate]:
        """Capitalised names in ``work[start:end]`` the gazetteer does not know.

        Swedish capitalises proper nouns only, so a capital inside a sentence
        marks a name; a capital opening a sentence counts only when more capitals
        follow or the word is an acronym ("PRO", "MEKEN").
        """
        offsets: dict[str, list[int]] = defaultdict(list)
        for sentence_start, sentence_end in self._sentences(start, end):
            tokens = _tokens(self.work, sentence_start, sentence_end)
            known = {
                i
                for mention in self.x.gazetteer.find(
                    self.work, sentence_start, sentence_end
                )
                for i, t in enumerate(tokens)
                if mention.start <= t.start < mention.end
            }
            index = 0
            while index < len(tokens):
                token = tokens[index]
                if not self._name_like(token.text) or index in known:
                    index += 1
                    continue
                run = [index]
                while (
                    run[-1] + 1 < len(tokens)
                    and run[-1] + 1 not in known
                    and self._name_like(tokens[run[-1] + 1].text)
                    and _GAP_OK.match(
                        self.work[tokens[run[-1]].end : tokens[run[-1] + 1].start]
                    )
                ):
                    run.append(run[-1] + 1)
                opener = self.work[tokens[index - 1].end : token.start] if index else ""
                at_start = all(t.text.isdigit() for t in tokens[:index]) or (
                    opener.strip() in ("*", '"', "«", "(", ":", "–", "-")
                )
                index = run[-1] + 1
                if at_start and not tokens[run[0]].text.isupper():
                    run = run[1:]  # a capital that only opens the sentence
                words = [tokens[i].text for i in run]
                if not run or all(w in self.x.places for w in words):
                    continue
                if words[0].casefold() in _PARTY_REFERENCES:
                    continue
                name = " ".join(
                    self.work[tokens[run[0]].start : tokens[run[-1]].end].split()
                )
                offsets[name].append(tokens[run[0]].start)
        self._candidate_offsets = offsets
        return sorted(
            (
                Candidate(
                    name,
                    places[0],
                    self.text.count("\n", 0, places[0]) + 1,
                    len(places),
                )
                for name, places in offsets.items()
            ),
            key=lambda c: c.start,
        )

    @staticmethod
    def _name_like(word: str) -> bool:
        return (
            len(word) >= 2
            and word[:1].isupper()
            and not any(ch.isdigit() for ch in word)
            and not re.fullmatch(r"[IVXLC]+", word)
        )


# --- the draft graph --------------------------------------------------------------

_SKIP_NOTES = {
    "repeated": (
        "Upprepat sidhuvud eller sidfot (samma block på flera sidor).",
        "repeated page header or footer (the same block on several pages)",
    ),
    "repeated-line": (
        "Upprepad rad (sidhuvud eller sidfot).",
        "repeated line (page header or footer)",
    ),
    "contact": (
        "Kontakt- eller adressblock (telefon, e-post, adress).",
        "contact or address block (phone, e-mail, address)",
    ),
    "toc": ("Innehållsförteckning.", "table of contents"),
    "page-number": ("Sidnummer.", "page number"),
    "signature": (
        "Underskrifter (kurera skg:Signature för hand).",
        "signatures (curate skg:Signature by hand)",
    ),
}


_CLAUSE_KINDS_SV = {
    "numbered": "numrerad klausul",
    "bulleted": "klausul i punktlista",
    "headed": "klausul under rubrik",
    "paragraph": "stycke med åtagande, föreslaget som klausul",
}


def _skip_note(reason: str, lang: int) -> str:
    return " ".join(
        _SKIP_NOTES.get(part, (part, part))[lang] for part in reason.split("+")
    )


def _label(graph: Graph | None, iri: URIRef) -> str:
    return (
        preferred_label(graph, iri)
        if graph is not None
        else str(iri).rsplit("/", 1)[-1]
    )


def build_draft_graph(
    result: ExtractionResult,
    *,
    identifier: str | None = None,
    date: str | None = None,
) -> Graph:
    """The draft graph of an extraction, in the curated data model.

    Every drafted fact (agreement or plan, clause, commitment, skipped passage) has
    ``prov:wasGeneratedBy`` the extractor and a ``skos:editorialNote`` saying it is
    a machine proposal; clauses and commitments have evidence made with
    ``evidence.add_evidence`` from the spans found, so ``check_evidence`` passes.

    Args:
        result: the extraction.
        identifier: the diary number found, if any.
        date: the document date found (``YYYY-MM-DD``), if any.

    Returns:
        A new graph with the project's prefixes bound.
    """
    graph = bind_prefixes(Graph())
    activity = extractor_iri()
    document = result.document
    graph.add((activity, RDF.type, PROV.SoftwareAgent))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add(
        (
            activity,
            RDFS.label,
            Literal(f"samverkansgraf extractor {EXTRACTOR_VERSION}", lang="en"),
        )
    )
    graph.add(
        (
            activity,
            SKOS.definition,
            Literal(
                "Regelbaserad utkastextraktion (layout, namnregister, lexikon för "
                "modalitet och teman) som föreslår klausuler och åtaganden med "
                "textbelägg; varje förslag ska granskas av en person.",
                lang="sv",
            ),
        )
    )
    graph.add((activity, PROV.used, document))

    title = (
        result.title if result.title and not find_contact_data(result.title) else None
    )
    graph.add((document, RDF.type, SKG.SourceDocument))
    graph.add((document, SKG.fileName, Literal(result.file_name)))
    graph.add(
        (
            document,
            DCTERMS.title,
            Literal(title or f"(utan titel) {result.file_name}", lang="sv"),
        )
    )
    graph.add((document, SKG.sha256, Literal(result.sha256)))
    graph.add(
        (document, SKG.characterCount, Literal(len(result.text), datatype=XSD.integer))
    )
    graph.add((document, DCTERMS.format, Literal("text/plain")))
    if result.kind != "empty":
        graph.add((document, DCTERMS.language, Literal("sv")))
    if identifier and not find_contact_data(identifier):
        graph.add((document, DCTERMS.identifier, Literal(identifier)))
    if date:
        graph.add((document, DCTERMS.date, Literal(date, datatype=XSD.date)))
    for warning in result.warnings:
        graph.add(
            (
                document,
                SKOS.editorialNote,
                Literal(mask_contact_data(warning), lang="en"),
            )
        )

    def machine(node: URIRef, note: str) -> None:
        graph.add((node, PROV.wasGeneratedBy, activity))
        graph.add(
            (
                node,
                SKOS.editorialNote,
                Literal(f"Maskinförslag, granska: {note}", lang="sv"),
            )
        )

    holder = result.agreement
    if holder is not None and result.kind == "agreement" and title:
        graph.add((holder, RDF.type, SKG.Agreement))
        graph.add((holder, RDFS.label, Literal(title, lang="sv")))
        for party in result.parties:
            graph.add((holder, SKG.party, party))
        if result.period:
            graph.add(
                (
                    holder,
                    SKG.startYear,
                    Literal(str(result.period[0]), datatype=XSD.gYear),
                )
            )
            graph.add(
                (
                    holder,
                    SKG.endYear,
                    Literal(str(result.period[1]), datatype=XSD.gYear),
                )
            )
        for plan in result.based_on:
            graph.add((holder, SKG.basedOn, plan))
        graph.add((holder, DCTERMS.source, document))
        machine(holder, "titel, parter och period ur rubriken.")
        _add_spans(graph, holder, document, result.title_spans)
    elif holder is not None and result.kind == "plan" and title:
        graph.add((holder, RDF.type, SKG.Plan))
        graph.add((holder, RDFS.label, Literal(title, lang="sv")))
        if result.period:
            graph.add(
                (
                    holder,
                    SKG.startYear,
                    Literal(str(result.period[0]), datatype=XSD.gYear),
                )
            )
            graph.add(
                (
                    holder,
                    SKG.endYear,
                    Literal(str(result.period[1]), datatype=XSD.gYear),
                )
            )
        graph.add((holder, DCTERMS.source, document))
        machine(
            holder,
            "plan med titel ur rubriken; mål och aktiviteter är inte extraherade.",
        )
        _add_spans(graph, holder, document, result.title_spans)
    else:
        holder = None

    slug = (
        str(holder).rsplit("/", 1)[-1]
        if holder is not None
        else _file_slug(result.file_name)
    )
    if holder is not None and result.kind == "agreement":
        for clause in result.clauses:
            clause.iri = SKGID[f"clause/{slug}/{clause.position}"]
            graph.add((clause.iri, RDF.type, SKG.Clause))
            graph.add((clause.iri, DCTERMS.isPartOf, holder))
            graph.add(
                (
                    clause.iri,
                    SKG.position,
                    Literal(clause.position, datatype=XSD.integer),
                )
            )
            if clause.number is not None:
                graph.add((clause.iri, SKG.number, Literal(clause.number)))
            note = f"{_CLAUSE_KINDS_SV.get(clause.kind, clause.kind)}."
            if clause.candidates:
                note += (
                    " Okända namn (kandidater): " + ", ".join(clause.candidates) + "."
                )
            machine(clause.iri, note)
            _add_spans(graph, clause.iri, document, clause.spans)
            for index, commitment in enumerate(clause.commitments, 1):
                commitment.iri = SKGID[f"commitment/{slug}/{clause.position}-{index}"]
                _add_commitment(graph, commitment, document, clause.iri, machine)
    elif holder is not None and result.kind == "plan":
        for index, commitment in enumerate(result.loose_commitments, 1):
            commitment.iri = SKGID[f"commitment/{slug}/{index}"]
            _add_commitment(graph, commitment, document, None, machine)

    document_slug = str(document).rsplit("/", 1)[-1]
    number = 0
    for block in result.skipped:
        if not block.in_graph:
            continue
        number += 1
        passage = SKGID[f"skipped/{document_slug}/{number}"]
        graph.add((passage, RDF.type, SKG.SkippedPassage))
        graph.add((passage, SKOS.note, Literal(_skip_note(block.reason, 0), lang="sv")))
        graph.add((passage, PROV.wasGeneratedBy, activity))
        add_location(graph, passage, document, Span(block.start, block.end, ""))
    return graph


def _add_spans(
    graph: Graph, fact: URIRef, document: URIRef, spans: Sequence[Span]
) -> None:
    for index, span in enumerate(spans, 1):
        add_evidence(graph, fact, document, span, index)


def _add_commitment(
    graph: Graph,
    commitment: DraftCommitment,
    document: URIRef,
    clause: URIRef | None,
    machine: Callable[[URIRef, str], None],
) -> None:
    iri = commitment.iri
    assert iri is not None
    graph.add((iri, RDF.type, SKG.Commitment))
    if clause is not None:
        graph.add((iri, SKG.inClause, clause))
    for actor in commitment.committed_by:
        graph.add((iri, SKG.committedBy, actor))
    for partner in commitment.partners:
        graph.add((iri, SKG.partner, partner))
    graph.add((iri, SKG.modality, commitment.modality))
    for concern in commitment.concerns:
        graph.add((iri, SKG.concerns, concern))
    for theme in commitment.themes:
        graph.add((iri, SKG.theme, theme))
    if commitment.subject_implied:
        graph.add((iri, SKG.subjectImplied, Literal(True)))
    note = (
        f"modalitet ur {commitment.cue!r}, aktör ur {commitment.subject!r} "
        f"(säkerhet {commitment.confidence:.2f})."
    )
    machine(iri, note)
    _add_spans(graph, iri, document, commitment.spans)


_TURTLE_HEADER = """\
# Machine-proposed DRAFT of {file} — samverkansgraf extractor {version}.
# Every fact below was proposed by rules (prov:wasGeneratedBy {activity}) and
# must be reviewed by a person before it is curated into data/curated/ (see the
# review list written with --review). Evidence offsets are computed from the text
# (encoding: {encoding}); `samverkansgraf validate` checks the model.

"""


def serialise_draft(result: ExtractionResult) -> bytes:
    """The draft as Turtle: a header comment, then the resources in document order
    (extractor, document, agreement or plan, each clause followed by its
    commitments, skipped passages), each with its evidence; IRIs are written
    relative to ``@base <https://w3id.org/samverkansgraf/id/>``.

    The output is deterministic: the same input gives the same bytes.
    """
    graph = result.graph
    order: list[URIRef] = [extractor_iri(), result.document]
    if result.agreement is not None:
        order.append(result.agreement)
    for clause in result.clauses:
        order += [clause.iri] if clause.iri is not None else []
        order += [c.iri for c in clause.commitments if c.iri is not None]
    order += [c.iri for c in result.loose_commitments if c.iri is not None]
    order += sorted(
        s
        for s in set(graph.subjects(RDF.type, SKG.SkippedPassage))
        if isinstance(s, URIRef)
    )
    seen: set[URIRef] = set()
    chunks = []
    for subject in [
        *order,
        *sorted(s for s in set(graph.subjects()) if isinstance(s, URIRef)),
    ]:
        if subject in seen or "#" in str(subject) or (subject, None, None) not in graph:
            continue
        seen.add(subject)
        part = bind_prefixes(Graph())
        for triple in graph.triples((subject, None, None)):
            part.add(triple)
        # The evidence and location nodes are "fact#…" IRIs: keep them with the fact.
        dependants = sorted(
            {
                o
                for _, o in graph.predicate_objects(subject)
                if str(o).startswith(f"{subject}#")
            }
        )
        for node in dependants:
            for triple in graph.triples((node, None, None)):
                part.add(triple)
            for selector in sorted(graph.objects(node, OA.hasSelector)):
                for triple in graph.triples((selector, None, None)):
                    part.add(triple)
        chunks.append(_turtle_body(part))
    prefixes = _turtle_prefixes(graph)
    text = prefixes + "\n" + "\n".join(chunks)
    base = str(SKGID)
    if not any(f"<{base}" in str(o) for o in graph.objects() if isinstance(o, Literal)):
        text = re.sub(rf"<{re.escape(base)}([^>\s]*)>", r"<\1>", text)
        text = f"@base <{base}> .\n" + text
    header = _TURTLE_HEADER.format(
        file=result.file_name.replace("\n", " "),
        version=EXTRACTOR_VERSION,
        activity=f"<software/extractor/{EXTRACTOR_VERSION}>",
        encoding=result.encoding,
    )
    return (header + text).encode("utf-8")


def _turtle_prefixes(graph: Graph) -> str:
    used = {str(ns) for _, p, o in graph for ns in _namespaces_of(p, o)}
    lines = [
        f"@prefix {prefix}: <{namespace}> ."
        for prefix, namespace in sorted(PREFIXES.items())
        if str(namespace) in used and prefix != "skgid"
    ]
    return "\n".join(lines) + "\n"


def _namespaces_of(*nodes: object) -> Iterable[str]:
    for node in nodes:
        text = str(node)
        for namespace in PREFIXES.values():
            if text.startswith(str(namespace)):
                yield str(namespace)
        if isinstance(node, Literal) and node.datatype is not None:
            yield from _namespaces_of(node.datatype)


def _turtle_body(graph: Graph) -> str:
    """Turtle of a small graph without its prefix lines."""
    text = graph.serialize(format="turtle")
    return (
        "\n".join(
            line for line in text.splitlines() if not line.startswith("@prefix")
        ).strip()
        + "\n"
    )


# --- the review list --------------------------------------------------------------


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(mask_contact_data(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|") or "–"


def format_review(result: ExtractionResult, reference: Graph | None = None) -> str:
    """A Markdown list for the curator: metadata, warnings, each clause and its
    commitments (actor, modality, cue, confidence), unknown names, skipped blocks.

    Contact data in quoted text is masked (``privacy.mask_contact_data``).

    Args:
        result: the extraction.
        reference: a graph to label IRIs with (default: IRIs' last segment).

    Returns:
        The Markdown text.
    """
    names = lambda iris: ", ".join(_label(reference, i) for i in iris) or "–"  # noqa: E731
    modality = lambda iri: str(iri).rsplit("#", 1)[-1]  # noqa: E731
    commitment_count = sum(len(c.commitments) for c in result.clauses) + len(
        result.loose_commitments
    )
    lines = [
        f"# Extraction review: {result.file_name}",
        "",
        f"Machine-proposed draft by samverkansgraf extractor {EXTRACTOR_VERSION}. "
        "Nothing here is curated: check every clause boundary, actor, modality and "
        "theme against the text before copying facts into `data/curated/`.",
        "",
        "| | |",
        "|---|---|",
        f"| file | `{result.file_name}` ({len(result.text)} characters, sha256 "
        f"`{result.sha256[:16]}…`) |",
        f"| encoding | {result.encoding} |",
        f"| kind | {result.kind} |",
        f"| title | {_cell(result.title or '–', 300)} |",
        f"| parties | {names(result.parties)} |",
        "| period | "
        + (f"{result.period[0]}–{result.period[1]}" if result.period else "–")
        + " |",
        f"| based on | {names(result.based_on)} |",
        f"| clauses | {len(result.clauses)} |",
        f"| commitments | {commitment_count} |",
        f"| unknown names | {len(result.candidates)} |",
        f"| skipped blocks | {len(result.skipped)} |",
        "",
    ]
    if result.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {mask_contact_data(w)}" for w in result.warnings]
        lines.append("")

    def commitment_rows(
        commitments: Sequence[DraftCommitment], prefix: str
    ) -> list[str]:
        rows = [
            "| # | actor(s) | modality | cue | confidence | concerns | partner | "
            "themes | words |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for index, c in enumerate(commitments, 1):
            actors = names(c.committed_by) + (
                " *(implied)*" if c.subject_implied else ""
            )
            rows.append(
                f"| {prefix}{index} | {actors} | {modality(c.modality)} "
                f"| {_cell(c.cue, 40)} "
                f"| {c.confidence:.2f} | {names(c.concerns)} | {names(c.partners)} | "
                f"{', '.join(modality(t) for t in c.themes) or '–'} | {_cell(c.text)} |"
            )
        return rows

    if result.clauses:
        lines += ["## Clauses and commitments", ""]
        for clause in result.clauses:
            line = result.text.count("\n", 0, clause.start) + 1
            printed = f' (printed "{clause.number}")' if clause.number else ""
            lines += [
                f"### Clause {clause.position}{printed} — {clause.kind}, line {line}, "
                f"offsets {clause.start}–{clause.end}"
                + (f", {len(clause.spans)} pieces" if len(clause.spans) > 1 else ""),
                "",
                f"> {_cell(' '.join(s.exact for s in clause.spans), 400)}",
                "",
            ]
            if clause.candidates:
                lines += ["Unknown names: " + ", ".join(clause.candidates), ""]
            if clause.commitments:
                lines += commitment_rows(clause.commitments, f"{clause.position}-")
            else:
                lines.append("*No commitment found (context only?).*")
            lines.append("")
    if result.loose_commitments:
        drafted = result.kind == "plan"
        lines += [
            "## Commitments outside clauses"
            + ("" if drafted else " (listed only, not in the draft)"),
            "",
            *commitment_rows(result.loose_commitments, ""),
            "",
        ]
    if result.candidates:
        lines += [
            "## Unknown names (candidates)",
            "",
            "Capitalised names not in the reference graph. Add real actors or "
            "programmes to `data/reference/*.ttl` (or a variant as `skos:altLabel`) "
            "and extract again.",
            "",
            "| name | occurrences | first line |",
            "|---|---|---|",
        ]
        lines += [
            f"| {_cell(c.name, 80)} | {c.count} | {c.line} |" for c in result.candidates
        ]
        lines.append("")
    if result.context:
        lines += ["## Not clauses (headings and context in the clause region)", ""]
        lines += [f"- line {line}: {_cell(text, 200)}" for line, text in result.context]
        lines.append("")
    if result.skipped:
        lines += [
            "## Skipped blocks",
            "",
            "Set aside and never quoted (recorded as `skg:SkippedPassage` with offsets "
            "only, except signatures).",
            "",
            "| line | offsets | reason |",
            "|---|---|---|",
        ]
        lines += [
            f"| {b.line} | {b.start}–{b.end} | {_skip_note(b.reason, 1)} |"
            for b in result.skipped
        ]
        lines.append("")
    lines += [
        "## Confidence",
        "",
        "0.90 subject named next to a lexicon cue; 0.85 subject after the cue "
        '("vill regionen …"); 0.70 statement read from a finite verb; 0.50 subject '
        "implied (both parties); lower when a name matched only fuzzily or the subject "
        'is "kommunerna".',
        "",
    ]
    return "\n".join(lines)


# --- files ----------------------------------------------------------------------


def extract_file(
    path: str | Path,
    paths: ProjectPaths | None = None,
    *,
    extractor: Extractor | None = None,
) -> ExtractionResult:
    """Draft one source file.

    Args:
        path: the text file.
        paths: the project whose reference data to use (when ``extractor`` is not
            given).
        extractor: a prepared extractor (reused across files).

    Returns:
        The extraction result.

    Raises:
        SourceError: when the file cannot be read, or neither ``paths`` nor
            ``extractor`` is given.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read the file ({exc.strerror or exc})",
            path=path,
            hint="give the path of a plain-text source document",
        ) from exc
    if extractor is None:
        if paths is None:
            raise SourceError("no project given", hint="pass paths or an extractor")
        extractor = Extractor.from_project(paths)
    return extractor.extract_bytes(data, path.name)


def write_draft(
    result: ExtractionResult,
    out: str | Path | None,
    review: str | Path | None = None,
    reference: Graph | None = None,
) -> list[Path]:
    """Write the draft Turtle and the review list, atomically.

    Args:
        result: the extraction.
        out: the Turtle file (``None``: not written).
        review: the Markdown review list (``None``: not written).
        reference: graph for readable labels in the review list.

    Returns:
        The files written.

    Raises:
        OutputError: when a file cannot be written.
    """
    files: dict[Path, bytes] = {}
    if out is not None:
        files[Path(out)] = result.turtle()
    if review is not None:
        files[Path(review)] = result.review_markdown(reference).encode("utf-8")
    return write_files_atomically(files) if files else []
