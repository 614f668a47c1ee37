"""A review kept as files: what each file holds, read into domain objects.

Layout of a review folder (every file but ``review.toml`` is optional)::

    review.toml                    protocol, team, screening and [dedup] settings, reported
                                   PRISMA counts
    searches.toml                  [[search]] source, kind, platform, date, strategy, hits, files;
                                   [search.translation] what the strategy was translated from
                                   (see evidens.search.logged)
    screening/title_abstract.csv   record,reviewer,decision,reason,note
    screening/title_abstract_resolutions.csv   record,resolver,decision,reason,note
    fulltext/retrieval.csv         record,retrieved,reason,file
    screening/full_text.csv        record,reviewer,decision,reason,note
    screening/full_text_resolutions.csv        record,resolver,decision,reason,note
    studies.toml                   [[study]] label, design, reports = [{record, citation}]
    dedup/decisions.csv            record_a,record_b,same,person: people's merges and
                                   keep-aparts, applied after automatic de-duplication
    screening/labels.csv           record,stage,reviewer,label: screening labels
                                   (evidens.services.folders.label_log)

Records are named by ``pmid:N``, ``doi:10.x/y``, or ``FILE#N`` (the N-th record of an
export file as listed in searches.toml). Errors name the file, line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidens.core import Decision, OutcomeSpec, Pico, Protocol, Search, SourceKind, Stage
from evidens.core.files import TEXT_LIMIT, read_bounded
from evidens.core.toml import parse_toml
from evidens.errors import ConfigError
from evidens.formats.csv_formats import SEMICOLON_HINT, semicolon_delimited
from evidens.search.logged import LoggedTranslation, read_translation
from evidens.services.identification.dedup import dedup_options
from evidens.services.identification.dedup_verdicts import (
    PAIR_COLUMNS,
    PAIR_LOG,
    PairLine,
    pair_problems,
    read_pair_log,
)


@dataclass(frozen=True)
class SearchEntry:
    search: Search
    kind: SourceKind
    files: tuple[Path, ...]
    round: int = 1  # a living review's round (``[[round]]`` in review.toml)
    translation: LoggedTranslation | None = None  # ``[search.translation]``


@dataclass(frozen=True)
class DecisionLine:
    """One line of a decision log, still naming its record by key."""

    path: Path
    line: int
    record: str
    person: str
    decision: Decision
    reason: str | None
    note: str | None


@dataclass(frozen=True)
class RetrievalLine:
    path: Path
    line: int
    record: str
    retrieved: bool
    reason: str | None
    file: str | None


@dataclass(frozen=True)
class StudyEntry:
    label: str
    design: str
    reports: tuple[tuple[str | None, str], ...]  # (record key or None, citation)
    details: dict[str, Any] = field(default_factory=dict)
    round: int = 1  # the round that first included the study


@dataclass(frozen=True)
class ReviewFiles:
    root: Path
    slug: str
    protocol: Protocol
    settings: dict[str, Any]
    members: tuple[dict[str, Any], ...]
    reported: dict[str, Any]
    searches: tuple[SearchEntry, ...]
    decisions: dict[Stage, tuple[DecisionLine, ...]]
    resolutions: dict[Stage, tuple[DecisionLine, ...]]
    retrievals: tuple[RetrievalLine, ...]
    studies: tuple[StudyEntry, ...]
    methods: dict[str, Any] = field(default_factory=dict)
    analyses: tuple[dict[str, Any], ...] = ()
    rounds: tuple[dict[str, Any], ...] = ()  # a living review's updates: number, label, ...
    pairs: tuple[PairLine, ...] = ()  # people's de-duplication verdicts (dedup/decisions.csv)


def load_toml(path: Path) -> dict[str, Any]:
    """A review file's TOML, or a ConfigError naming the file (and line) at fault."""
    return load_toml_text(path)[0]


def load_toml_text(path: Path) -> tuple[dict[str, Any], str]:
    """The same, with the text it was read from (to point later problems at their line)."""
    data = read_bounded(path, TEXT_LIMIT, what="review file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start})", path=path, hint="save the file as UTF-8"
        ) from None
    return parse_toml(text, path=path), text


def _need(table: dict[str, Any], key: str, path: Path, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"missing {key!r}", path=path, field=f"{where}.{key}".strip("."))
    return table[key]


def read_review_dir(root: Path) -> ReviewFiles:
    """Read and check every file of a review folder (nothing is written anywhere)."""
    if not (root / "review.toml").is_file():
        raise ConfigError(
            "no review.toml in this folder",
            path=root,
            hint="a review folder starts with review.toml (see examples/riss)",
        )
    config = load_toml(root / "review.toml")
    review = _need(config, "review", root / "review.toml", "")
    files = ReviewFiles(
        root=root,
        slug=str(review.get("slug", root.name)),
        protocol=protocol_of(config, root / "review.toml"),
        settings=settings_of(config, root / "review.toml"),
        members=tuple(config.get("team", {}).get("members", ())),
        reported=dict(config.get("prisma", {}).get("reported", {})),
        searches=_searches(root),
        decisions={
            s: read_decision_log(root / "screening" / f"{s.value}.csv", "reviewer") for s in Stage
        },
        resolutions={
            s: read_decision_log(root / "screening" / f"{s.value}_resolutions.csv", "resolver")
            for s in Stage
        },
        retrievals=_retrievals(root / "fulltext" / "retrieval.csv"),
        studies=_studies(root / "studies.toml"),
        methods=dict(config.get("methods", {})),
        analyses=tuple(dict(a) for a in config.get("analysis", [])),
        rounds=_rounds(config, root / "review.toml"),
        pairs=read_pair_log(root / PAIR_LOG),
    )
    last = 1 + len(files.rounds)
    for name, entries in (("searches.toml", files.searches), ("studies.toml", files.studies)):
        late = next((e for e in entries if e.round > last), None)
        if late is not None:
            raise ConfigError(
                f"round {late.round} is not declared in review.toml",
                path=root / name,
                field="round",
                hint=f"add [[round]] number = {late.round} with its label to review.toml",
            )
    return files


def settings_of(config: dict[str, Any], path: Path) -> dict[str, Any]:
    """A review.toml's settings as the store keeps them ([screening] keys at the top,
    [dedup] options checked, [prisma] options without the reported counts)."""
    return {
        **config.get("screening", {}),
        "dedup": dedup_options(config.get("dedup", {}), path),
        "prisma": {k: v for k, v in config.get("prisma", {}).items() if k != "reported"},
    }


def protocol_of(config: dict[str, Any], path: Path) -> Protocol:
    review = config["review"]
    pico = config.get("pico", {})
    eligibility = config.get("eligibility", {})
    outcomes = tuple(
        OutcomeSpec(
            name=str(_need(o, "name", path, f"outcomes[{i}]")),
            role=str(o.get("role", "secondary")),
            importance=str(o.get("importance", "critical")),
        )
        for i, o in enumerate(config.get("outcomes", []))
    )
    return Protocol(
        title=str(_need(review, "title", path, "review")),
        question=str(review.get("question", "")),
        pico=Pico(
            **{
                k: str(pico.get(k, ""))
                for k in ("population", "intervention", "comparator", "outcomes")
            }
        ),
        inclusion_criteria=tuple(eligibility.get("include", ())),
        exclusion_criteria=tuple(eligibility.get("exclude", ())),
        study_designs=tuple(review.get("study_designs", ())),
        outcomes=outcomes,
        registration=review.get("registration"),
        languages=tuple(review.get("languages", ())),
    )


def _searches(root: Path) -> tuple[SearchEntry, ...]:
    path = root / "searches.toml"
    if not path.is_file():
        return ()
    entries = []
    for i, item in enumerate(load_toml(path).get("search", [])):
        where = f"search[{i}]"
        kind_text = str(item.get("kind", "database"))
        try:
            kind = SourceKind(kind_text)
        except ValueError:
            raise ConfigError(
                f"kind {kind_text!r} is not database, register or other",
                path=path,
                field=f"{where}.kind",
            ) from None
        date = item.get("date")
        if date is not None and not isinstance(date, dt.date):
            raise ConfigError(
                "date must be a TOML date such as 2024-03-05", path=path, field=f"{where}.date"
            )
        files = tuple((root / f).resolve() for f in item.get("files", ()))
        for f in files:
            if not f.is_file():
                raise ConfigError(f"export file not found: {f}", path=path, field=f"{where}.files")
        search = Search(
            source=str(_need(item, "source", path, where)),
            strategy=str(item.get("strategy", "")).strip(),
            date_run=date,
            hits=item.get("hits"),
            platform=item.get("platform"),
            limits=item.get("limits"),
            run_by=item.get("run_by"),
            files=tuple(str(f) for f in item.get("files", ())),
        )
        logged = item.get("translation")  # [search.translation]: see evidens.search.logged
        translation = (
            None
            if logged is None
            else read_translation(logged, path=path, field=f"{where}.translation")
        )
        entries.append(SearchEntry(search, kind, files, _round_of(item, path, where), translation))
    return tuple(entries)


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing and semicolon_delimited(",".join(reader.fieldnames or [])):
            raise ConfigError(
                "the columns are separated by semicolons, not commas",
                path=path,
                line=1,
                hint=SEMICOLON_HINT,
            )
        if missing:
            raise ConfigError(
                f"missing column {missing[0]!r}",
                path=path,
                line=1,
                hint=f"the header needs: {', '.join(required)}",
            )
        return [
            (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader
        ]


def read_decision_log(path: Path, person_column: str) -> tuple[DecisionLine, ...]:
    """Every line of a decision log; the first bad one raises ConfigError naming it."""
    rows = _rows(path, ("record", person_column, "decision"))
    return tuple(_decision_line(path, line, row, person_column) for line, row in rows)


def _decision_line(path: Path, line: int, row: dict[str, str], person: str) -> DecisionLine:
    try:
        decision = Decision(row["decision"].lower())
    except ValueError:
        raise ConfigError(
            f"decision {row['decision']!r} is not include, exclude or maybe",
            path=path,
            line=line,
            field="decision",
        ) from None
    for column in ("record", person):
        if not row[column]:
            raise ConfigError("empty value", path=path, line=line, field=column)
    return DecisionLine(
        path,
        line,
        row["record"],
        row[person],
        decision,
        row.get("reason") or None,
        row.get("note") or None,
    )


RETRIEVAL = ("record", "retrieved")


def _retrievals(path: Path) -> tuple[RetrievalLine, ...]:
    return tuple(_retrieval_line(path, line, row) for line, row in _rows(path, RETRIEVAL))


def _retrieval_line(path: Path, line: int, row: dict[str, str]) -> RetrievalLine:
    flag = row["retrieved"].lower()
    if flag not in {"yes", "no", "true", "false", "1", "0"}:
        raise ConfigError(
            f"retrieved must be yes or no, not {row['retrieved']!r}",
            path=path,
            line=line,
            field="retrieved",
        )
    if not row["record"]:
        raise ConfigError("empty value", path=path, line=line, field="record")
    return RetrievalLine(
        path,
        line,
        row["record"],
        flag in {"yes", "true", "1"},
        row.get("reason") or None,
        row.get("file") or None,
    )


def log_problems(path: Path, required: tuple[str, ...]) -> list[ConfigError]:
    """Every bad line of a decision, retrieval or de-duplication log (the readers stop at
    the first)."""
    if required == PAIR_COLUMNS:
        return pair_problems(path)
    if path.name == "labels.csv":
        from evidens.services.folders.label_log import label_problems  # imports the store

        return label_problems(path)
    person = next((c for c in required if c in {"reviewer", "resolver"}), None)
    problems = []
    for line, row in _rows(path, required):
        try:
            if person is None:
                _retrieval_line(path, line, row)
            else:
                _decision_line(path, line, row, person)
        except ConfigError as exc:
            problems.append(exc)
    return problems


def _studies(path: Path) -> tuple[StudyEntry, ...]:
    if not path.is_file():
        return ()
    studies = []
    for i, item in enumerate(load_toml(path).get("study", [])):
        where = f"study[{i}]"
        reports = tuple(
            (r.get("record"), str(_need(r, "citation", path, f"{where}.reports[{j}]")))
            for j, r in enumerate(item.get("reports", []))
        )
        own = {"label", "design", "reports", "round"}
        details = {k: v for k, v in item.items() if k not in own}
        studies.append(
            StudyEntry(
                str(_need(item, "label", path, where)),
                str(item.get("design", "RCT")),
                reports,
                details,
                _round_of(item, path, where),
            )
        )
    return tuple(studies)


def _round_of(item: dict[str, Any], path: Path, where: str) -> int:
    value = item.get("round", 1)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(
            "round must be a whole number from 1",
            path=path,
            field=f"{where}.round",
            hint="round = 2",
        )
    return value


def _rounds(config: dict[str, Any], path: Path) -> tuple[dict[str, Any], ...]:
    """A living review's updates, ``[[round]]`` tables numbered 2, 3, ... in order."""
    found = []
    for i, item in enumerate(config.get("round", [])):
        where = f"round[{i}]"
        if not isinstance(item, dict) or item.get("number") != i + 2:
            raise ConfigError(
                f"the rounds of an update are numbered 2, 3, ... in order; expected {i + 2}",
                path=path,
                field=f"{where}.number",
                hint="round 1 is the first version; list each update as [[round]]",
            )
        date = item.get("searched_from")
        if date is not None and not isinstance(date, dt.date):
            raise ConfigError(
                "searched_from must be a TOML date", path=path, field=f"{where}.searched_from"
            )
        found.append(
            {
                "number": i + 2,
                "label": str(_need(item, "label", path, where)),
                "searched_from": date,
            }
        )
    return tuple(found)
