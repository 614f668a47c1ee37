"""What each TOML file of a review folder may hold: the one declaration of its keys.

``evidens check`` and the start of ``evidens run`` compare a folder's files with these
tables, so a misspelt key (``[pcio]``, ``mesure``) is an error naming file:line:key instead
of a setting silently ignored. A key the readers learn must be declared here too, or the
check refuses it: that is the point. Choices are taken from the code that uses them (the
meta-analysis presets, the PRISMA templates, the member roles), never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from evidens.core import SourceKind, Stage
from evidens.meta.effects import BINARY_MEASURES, CONTINUOUS_MEASURES
from evidens.meta.model import PRESETS
from evidens.meta.nma import MODELS as NETWORK_MODELS
from evidens.meta.tau2 import TAU2_METHODS
from evidens.prisma.counts import BOXES
from evidens.prisma.diagram import Template
from evidens.search import TARGETS
from evidens.search.parser import DIALECTS
from evidens.services.identification.dedup import DEDUP_OPTIONS
from evidens.services.identification.dedup_verdicts import PAIR_COLUMNS, PAIR_LOG
from evidens.services.review.permissions import PERMISSION_ACTIONS, ROLE_ACTIONS


class Kind(StrEnum):
    """The TOML type a key's value must have (``table``/``tables`` hold nested keys)."""

    TEXT = "text"
    INTEGER = "a whole number"
    NUMBER = "a number"
    BOOL = "true or false"
    DATE = "a TOML date such as 2024-03-05"
    TEXTS = "a list of text"
    TABLE = "a table"
    TABLES = "a list of tables ([[name]] or [{...}, ...])"


@dataclass(frozen=True)
class Key:
    """One key: its kind, whether it must be there, its allowed values, its nested keys."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    table: Table | None = None
    minimum: float | None = None


@dataclass(frozen=True)
class Table:
    """The keys of one table. ``values`` makes it a map whose key names are the person's
    own (a reason -> a count); ``extra`` lets other keys through as free details (a study's
    country), still refusing any that is one letter away from a declared key."""

    keys: tuple[Key, ...] = ()
    values: Key | None = None
    extra: bool = False

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)


def _texts(*names: str) -> tuple[Key, ...]:
    return tuple(Key(n) for n in names)


def _counts(*names: str) -> tuple[Key, ...]:
    return tuple(Key(n, Kind.INTEGER, minimum=0) for n in names)


_COUNT = Key("count", Kind.INTEGER, minimum=0)
_STAGES = tuple(s.value for s in Stage)

ANALYSIS = Table(
    (
        Key("name", required=True),
        Key("outcome", required=True),
        Key("measure", choices=(*BINARY_MEASURES, *CONTINUOUS_MEASURES)),
        Key("preset", choices=tuple(PRESETS)),
        Key("method", choices=("FE", *TAU2_METHODS)),
        Key("pooling", choices=("IV", "MH", "PETO")),
        Key("test", choices=("z", "knha")),
        Key("prediction", choices=("metafor", "higgins", "none")),
        Key("level", Kind.NUMBER, minimum=50),
        Key("labels", Kind.TEXTS),
        Key("kind", choices=("pairwise", "network")),
        # kind = "network" only (evidens.services.synthesis.network):
        Key("model", choices=NETWORK_MODELS),
        Key("reference"),
        Key("small_values", choices=("good", "bad")),
        Key("treatments", Kind.TEXTS),
        Key(
            "arms",
            Kind.TABLES,
            table=Table((Key("outcome", required=True), Key("experimental"), Key("comparator"))),
        ),
    )
)
"""One meta-analysis: ``[[analysis]]`` of review.toml, or ``evidens analyse add``; pairwise
(the default) or ``kind = "network"``, whose extra keys name the treatments and the arm pairs."""

REVIEW = Table(
    (
        Key(
            "review",
            Kind.TABLE,
            required=True,
            table=Table(
                (
                    *_texts("slug", "question", "registration"),
                    Key("title", required=True),
                    Key("study_designs", Kind.TEXTS),
                    Key("languages", Kind.TEXTS),
                )
            ),
        ),
        Key(
            "pico",
            Kind.TABLE,
            table=Table(_texts("population", "intervention", "comparator", "outcomes")),
        ),
        Key(
            "eligibility",
            Kind.TABLE,
            table=Table((Key("include", Kind.TEXTS), Key("exclude", Kind.TEXTS))),
        ),
        Key(
            "outcomes",
            Kind.TABLES,
            table=Table(
                (
                    Key("name", required=True),
                    Key("role", choices=("primary", "secondary")),
                    Key("importance", choices=("critical", "important", "not important")),
                )
            ),
        ),
        Key(
            "team",
            Kind.TABLE,
            table=Table(
                (
                    Key(
                        "members",
                        Kind.TABLES,
                        table=Table(
                            (
                                Key("name", required=True),
                                Key("role", choices=tuple(ROLE_ACTIONS)),
                                Key("permissions", Kind.TEXTS, choices=tuple(PERMISSION_ACTIONS)),
                            )
                        ),
                    ),
                )
            ),
        ),
        Key(
            "screening",
            Kind.TABLE,
            table=Table(
                (
                    Key(
                        "reviewers_required",
                        Kind.TABLE,
                        table=Table(tuple(Key(s, Kind.INTEGER, minimum=1) for s in _STAGES)),
                    ),
                    Key("maybe_is_conflict", Kind.BOOL),
                    Key("exclusion_reasons", Kind.TEXTS),
                    Key(
                        "highlight",
                        Kind.TABLE,
                        table=Table((Key("include", Kind.TEXTS), Key("exclude", Kind.TEXTS))),
                    ),
                )
            ),
        ),
        Key("dedup", Kind.TABLE, table=Table(tuple(Key(o, Kind.BOOL) for o in DEDUP_OPTIONS))),
        Key(
            "prisma",
            Kind.TABLE,
            table=Table(
                (
                    Key("template", choices=tuple(t.value for t in Template)),
                    Key(
                        "previous",
                        Kind.TABLE,
                        table=Table(
                            (
                                Key("studies", Kind.INTEGER, required=True, minimum=0),
                                Key("reports", Kind.INTEGER, required=True, minimum=0),
                            )
                        ),
                    ),
                    Key(
                        "other_methods",
                        Kind.TABLE,
                        table=Table(
                            (
                                *_counts("sought", "not_retrieved", "assessed"),
                                Key("excluded", Kind.TABLE, table=Table(values=_COUNT)),
                            )
                        ),
                    ),
                    Key(
                        "reported",
                        Kind.TABLE,
                        table=Table(
                            (
                                *_counts(*(b for b in BOXES if b != "reports_excluded")),
                                Key("reports_excluded", Kind.TABLE, table=Table(values=_COUNT)),
                                Key("sources", Kind.TABLE, table=Table(values=_COUNT)),
                            )
                        ),
                    ),
                )
            ),
        ),
        Key(
            "methods",
            Kind.TABLE,
            table=Table(
                (
                    *_texts("dedup_method", "disagreements", "automation", "synthesis"),
                    Key("reporting_bias"),
                    *_counts("extraction_reviewers", "rob_reviewers"),
                    Key(
                        "software",
                        Kind.TABLES,
                        table=Table((Key("name", required=True), Key("version"))),
                    ),
                )
            ),
        ),
        Key("analysis", Kind.TABLES, table=ANALYSIS),
        Key(
            "round",
            Kind.TABLES,
            table=Table(
                (
                    Key("number", Kind.INTEGER, required=True, minimum=2),
                    Key("label", required=True),
                    Key("searched_from", Kind.DATE),
                )
            ),
        ),
    )
)
"""review.toml: the protocol, the team, settings, reported counts, methods and analyses."""

_TRANSLATION = Table(
    (
        Key("from", required=True, choices=DIALECTS),
        Key("to", required=True, choices=TARGETS),
        Key("query", required=True),
        Key(
            "warnings",
            Kind.TABLES,
            table=Table(
                (Key("message", required=True), Key("part"), Key("line", Kind.INTEGER, minimum=1))
            ),
        ),
    )
)
"""[search.translation]: a logged strategy's source (evidens.search.logged)."""

SEARCHES = Table(
    (
        Key(
            "search",
            Kind.TABLES,
            table=Table(
                (
                    Key("source", required=True),
                    Key("kind", choices=tuple(k.value for k in SourceKind)),
                    *_texts("platform", "strategy", "limits", "run_by"),
                    Key("date", Kind.DATE),
                    Key("hits", Kind.INTEGER, minimum=0),
                    Key("files", Kind.TEXTS),
                    Key("round", Kind.INTEGER, minimum=1),
                    Key("translation", Kind.TABLE, table=_TRANSLATION),
                )
            ),
        ),
    )
)
"""searches.toml: one [[search]] per source searched, with its exports."""

STUDIES = Table(
    (
        Key(
            "study",
            Kind.TABLES,
            table=Table(
                (
                    Key("label", required=True),
                    Key("design"),
                    Key("round", Kind.INTEGER, minimum=1),
                    Key(
                        "reports",
                        Kind.TABLES,
                        table=Table((Key("record"), Key("citation", required=True))),
                    ),
                ),
                extra=True,  # country, participants...: kept as the study's details
            ),
        ),
    )
)
"""studies.toml: one [[study]] per study, its reports, and free details."""

TOML_FILES: dict[str, Table] = {
    "review.toml": REVIEW,
    "searches.toml": SEARCHES,
    "studies.toml": STUDIES,
}
"""The TOML files of a review folder the run reads directly, by their path in the folder."""

CSV_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **{
        f"screening/{s}.csv": (("record", "reviewer", "decision"), ("reason", "note"))
        for s in _STAGES
    },
    **{
        f"screening/{s}_resolutions.csv": (("record", "resolver", "decision"), ("reason", "note"))
        for s in _STAGES
    },
    "fulltext/retrieval.csv": (("record", "retrieved"), ("reason", "file")),
    PAIR_LOG: (PAIR_COLUMNS, ()),
    "screening/labels.csv": (("record", "stage", "reviewer", "label"), ()),
}
"""The CSV files of a review folder: (required columns, optional columns)."""
