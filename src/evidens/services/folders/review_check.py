"""`evidens check`: every problem of a review folder, found without building a store.

The folder's TOML files are compared with their declaration (:mod:`review_schema`): a key
nobody reads, a value of the wrong type or outside its choices, a required key missing.
CSV logs are checked for their columns (and for semicolons, which Excel writes in locales
with decimal commas). Then the readers the run uses are run without a store - the folder
reader, the export formats, extraction, risk of bias and GRADE - so that what would stop
the run stops here first. Every problem is a :class:`ConfigError` naming file:line:key.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from evidens.errors import ConfigError, EvidensError
from evidens.formats.csv_formats import SEMICOLON_HINT, semicolon_delimited
from evidens.services.folders.review_files import load_toml_text, log_problems, read_review_dir
from evidens.services.folders.review_schema import CSV_FILES, TOML_FILES, Key, Kind, Table
from evidens.services.folders.toml_lines import KeyLines, Trail, key_lines

Problems = list[ConfigError]


def check_review_dir(root: Path, *, read_exports: bool = True, readers: bool = True) -> Problems:
    """Every problem found in the review folder ``root`` (an empty list: it is fine).

    ``readers=False`` checks the files against their declaration only, leaving out what
    the run's own readers would find (the run reads them anyway)."""
    if not (root / "review.toml").is_file():
        return [
            ConfigError(
                "no review.toml in this folder",
                path=root,
                hint="a review folder starts with review.toml (see examples/riss)",
            )
        ]
    problems: Problems = []
    problems += _unknown_files(root)
    for name, table in TOML_FILES.items():
        if (root / name).is_file():
            problems += check_toml(root / name, table)
    for name, (required, optional) in CSV_FILES.items():
        if (root / name).is_file():
            header = _check_csv_header(root / name, required, optional)
            problems += header or log_problems(root / name, required)
    if problems or not readers:
        return problems  # the readers below would stop at the first of these
    problems += _run_readers(root, read_exports=read_exports)
    return problems


def refuse_problems(root: Path) -> None:
    """Raise the first problem of the folder (saying how many more there are), if any."""
    problems = check_review_dir(root, readers=False)
    if not problems:
        return
    first = problems[0]
    more = len(problems) - 1
    hint = first.hint or ""
    if more:
        hint += " " if hint.endswith("?") else "; " if hint else ""
        hint += f"and {more} more problem{'s' if more > 1 else ''}: see `evidens check {root}`"
    raise ConfigError(
        first.message, path=first.path, line=first.line, field=first.field, hint=hint or None
    )


# --- TOML files -------------------------------------------------------------------------


def check_mapping(data: Mapping[str, Any], table: Table, *, source: str) -> Problems:
    """The same check for keys that come from a command or a form, not a file: each
    problem names ``source`` and the key."""
    walker = _Walker(Path(source), key_lines(""))
    walker.table(data, table, ())
    return walker.problems


def check_toml(path: Path, table: Table) -> Problems:
    try:
        data, text = load_toml_text(path)
    except ConfigError as exc:
        return [exc]
    walker = _Walker(path, key_lines(text))
    walker.table(data, table, ())
    return walker.problems


class _Walker:
    """Compares parsed TOML with its declaration, collecting problems with their lines."""

    def __init__(self, path: Path, lines: KeyLines) -> None:
        self.path, self.lines = path, lines
        self.problems: Problems = []

    def add(self, trail: Trail, message: str, hint: str | None = None) -> None:
        self.problems.append(
            ConfigError(
                message,
                path=self.path,
                line=self.lines.line_of(trail),
                field=_field(trail),
                hint=hint,
            )
        )

    def table(self, data: Mapping[str, Any], table: Table, trail: Trail) -> None:
        known = [k.name for k in table.keys]
        for name, value in data.items():
            here = (*trail, name)
            spec = table.key(name)
            if spec is not None:
                self.value(value, spec, here)
            elif table.values is not None:
                self.value(value, table.values, here)
            elif table.extra:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
                if close:
                    self.add(here, f"unknown key {name!r}", f"did you mean {close[0]!r}?")
            else:
                self.add(here, f"unknown {_noun(value)} {name!r}", _suggest(name, known, value))
        for spec in table.keys:
            if spec.required and spec.name not in data:
                self.add(trail, f"missing {spec.name!r}", f"add {spec.name} = ... here")

    def value(self, value: Any, spec: Key, trail: Trail) -> None:
        if spec.kind in (Kind.TABLE, Kind.TABLES, Kind.TEXTS):
            self.container(value, spec, trail)
        elif not _IS[spec.kind](value):
            self.add(trail, f"must be {spec.kind.value}, not {_shown(value)}")
        elif spec.minimum is not None and value < spec.minimum:
            self.add(trail, f"{value!r} is below the minimum {spec.minimum:g}")
        elif isinstance(value, str):
            self.choice(value, spec, trail)

    def container(self, value: Any, spec: Key, trail: Trail) -> None:
        item_type = {Kind.TABLE: None, Kind.TABLES: dict, Kind.TEXTS: str}[spec.kind]
        if item_type is None:
            if not isinstance(value, dict):
                self.add(trail, f"must be a table, not {_shown(value)}")
            elif spec.table is not None:
                self.table(value, spec.table, trail)
        elif not isinstance(value, list) or not all(isinstance(v, item_type) for v in value):
            self.add(trail, f"must be {spec.kind.value}, not {_shown(value)}")
        elif spec.table is not None:
            for i, item in enumerate(value):
                self.table(item, spec.table, (*trail, i))
        else:
            for item in value:
                self.choice(item, spec, trail)

    def choice(self, value: str, spec: Key, trail: Trail) -> None:
        if spec.choices and value not in spec.choices:
            close = difflib.get_close_matches(value, spec.choices, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.add(trail, f"{value!r} is not allowed", hint + "use " + _either(spec.choices))


_IS: dict[Kind, Callable[[Any], bool]] = {
    Kind.TEXT: lambda v: isinstance(v, str),
    Kind.INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
    Kind.NUMBER: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    Kind.BOOL: lambda v: isinstance(v, bool),
    Kind.DATE: lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
}


def _field(trail: Trail) -> str:
    text = ""
    for part in trail:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _noun(value: Any) -> str:
    return "table" if isinstance(value, dict) else "key"


def _suggest(name: str, known: list[str], value: Any) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        shown = f"[{close[0]}]" if isinstance(value, dict) else close[0]
        return f"did you mean {shown}?"
    return "known here: " + ", ".join(known) if known else "nothing is read here"


def _either(choices: tuple[str, ...]) -> str:
    quoted = [repr(c) for c in choices]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def _shown(value: Any) -> str:
    kinds = {str: "text", bool: "true/false", int: "a number", float: "a number"}
    kinds |= {list: "a list", dict: "a table", dt.date: "a date"}
    return next((label for t, label in kinds.items() if type(value) is t), type(value).__name__)


# --- file names and CSV logs ------------------------------------------------------------


def _unknown_files(root: Path) -> Problems:
    """A misnamed file is never read: say so, with the name it was probably meant to have."""
    expected = [*TOML_FILES, *CSV_FILES]
    found = list(root.glob("*.toml"))
    for folder in ("screening", "fulltext", "dedup"):
        found += list((root / folder).glob("*.csv"))
    problems = []
    for path in sorted(found):
        name = path.relative_to(root).as_posix()
        if name not in expected:
            close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else "known files: " + ", ".join(expected)
            problems.append(ConfigError("a file evidens does not read", path=path, hint=hint))
    return problems


def _check_csv_header(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> Problems:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except UnicodeDecodeError as exc:
        return [ConfigError(f"not UTF-8 text (byte {exc.start})", path=path, line=1)]
    if semicolon_delimited(first):
        message = "the columns are separated by semicolons, not commas"
        return [ConfigError(message, path=path, line=1, hint=SEMICOLON_HINT)]
    header = [c.strip() for c in next(csv.reader(io.StringIO(first)), [])]
    known = [*required, *optional]
    problems = [
        ConfigError(
            f"unknown column {name!r}",
            path=path,
            line=1,
            field=name,
            hint=_suggest(name, known, ""),
        )
        for name in header
        if name and name not in known
    ]
    problems += [
        ConfigError(
            f"missing column {name!r}",
            path=path,
            line=1,
            hint="the header needs: " + ", ".join(required),
        )
        for name in required
        if name not in header
    ]
    return problems


# --- the readers the run uses -----------------------------------------------------------


def _run_readers(root: Path, *, read_exports: bool) -> Problems:
    """What the run's own readers refuse, one problem per file (they stop at the first)."""
    from evidens.services.folders import step_files  # the later steps' readers, pure here
    from evidens.services.synthesis import grading

    try:
        files = read_review_dir(root)
    except EvidensError as exc:
        return [_as_config(exc)]
    problems: Problems = []
    if read_exports:
        problems += _read_exports([p for entry in files.searches for p in entry.files])
    try:
        analysed = _analysis_problems(root, files.analyses)
    except EvidensError as exc:  # the extraction folder itself
        analysed = [_as_config(exc)]
    problems += analysed
    steps: list[Any] = [lambda: step_files.folder_rob_results(root)]
    judgments = root / step_files.GRADE_FILE
    if not analysed and judgments.is_file():  # GRADE derives its numbers from the analyses
        steps.append(lambda: grading.load_grade(judgments))
    for step in steps:
        try:
            step()
        except EvidensError as exc:
            problems.append(_as_config(exc))
    return problems


def _analysis_problems(root: Path, analyses: tuple[dict[str, Any], ...]) -> Problems:
    """Each [[analysis]] fitted as the run fits it, on the extraction folder's agreed data:
    an outcome the form does not have, or data the measure cannot use, is found here."""
    from evidens.extraction import outcome_data
    from evidens.meta import MetaAnalysis, effects_from_arms
    from evidens.services.folders.step_files import folder_extraction
    from evidens.services.synthesis.analyses import OPTIONS

    extraction = folder_extraction(root)
    consensus = extraction.consensus if extraction else ()
    if not analyses:
        return []
    data = outcome_data(consensus)
    path = root / "review.toml"
    lines = key_lines(load_toml_text(path)[1])
    problems: Problems = []
    for i, spec in enumerate(analyses):
        outcome, trail = str(spec.get("outcome", "")), ("analysis", i, "outcome")
        if outcome not in data:
            known = sorted(data)
            hint = _suggest(outcome, known, "") if known else "no agreed arm data in extraction/"
            problems.append(
                ConfigError(
                    f"outcome {outcome!r} has no agreed arm data",
                    path=path,
                    line=lines.line_of(trail),
                    field=_field(trail),
                    hint=hint,
                )
            )
            continue
        try:
            studies = [(s.study, s.experimental, s.comparator) for s in data[outcome]]
            effects = effects_from_arms(str(spec.get("measure", "RR")), studies)
            MetaAnalysis(**{k: spec[k] for k in OPTIONS if k in spec}).fit(effects)
        except EvidensError as exc:
            where = ("analysis", i)
            problems.append(
                ConfigError(exc.message, path=path, line=lines.line_of(where), field=_field(where))
            )
    return problems


def _read_exports(paths: list[Path]) -> Problems:
    from evidens.formats import read_records
    from evidens.services.identification.imports import read_export

    problems: Problems = []
    for path in paths:
        try:
            read_records(read_export(path), name=str(path))
        except EvidensError as exc:
            problems.append(_as_config(exc))
    return problems


def _as_config(exc: EvidensError) -> ConfigError:
    if isinstance(exc, ConfigError):
        return exc
    path = getattr(exc, "path", None)
    return ConfigError(
        exc.message,
        path=path,
        line=getattr(exc, "line", None),
        field=getattr(exc, "field", None),
        hint=exc.hint,
    )
