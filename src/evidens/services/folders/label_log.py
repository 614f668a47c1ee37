"""``screening/labels.csv`` of a review folder: every screening label, in the order given.

Columns ``record,stage,reviewer,label``: the record by the key the other screening logs use
(the record kept after de-duplication), the stage it was labelled at, who labelled it and
the label. ``evidens folder`` writes it from a store and ``evidens run`` reads it back into
one, so labels survive store -> folder -> run; no output of the review depends on them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from evidens.core import Stage
from evidens.core.files import TEXT_LIMIT, read_text_bounded
from evidens.errors import ConfigError, EvidensError
from evidens.formats.csv_formats import SEMICOLON_HINT, semicolon_delimited
from evidens.services.folders.review_folder_logs import FolderKeys
from evidens.services.screening.labels import clean_label, label_rows
from evidens.services.store import UnitOfWork

LABEL_LOG = "screening/labels.csv"
LABEL_COLUMNS = ("record", "stage", "reviewer", "label")


@dataclass(frozen=True)
class LabelLine:
    """One line of the label log, still naming its record by key."""

    path: Path
    line: int
    record: str
    stage: Stage
    person: str
    label: str


def label_log(uow: UnitOfWork, keys: FolderKeys) -> dict[str, bytes]:
    """The label log of the review (nothing when no record is labelled); labels on a record
    merged into another after it was labelled are left out, as its decisions are."""
    lines = [
        (keys.of_kept(x.record_id), x.stage.value, x.member, x.label)
        for x in label_rows(uow)
        if x.record_id in keys.kept_ids
    ]
    if not lines:
        return {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LABEL_COLUMNS)
    writer.writerows(lines)
    return {LABEL_LOG: buffer.getvalue().encode("utf-8")}


def read_label_log(path: Path) -> tuple[LabelLine, ...]:
    """Every line of ``path`` (none when it is absent); the first bad one raises a
    ConfigError naming its line."""
    problems, lines = _read(path)
    if problems:
        raise problems[0]
    return lines


def label_problems(path: Path) -> list[ConfigError]:
    """Every bad line of ``path`` (for `evidens check`)."""
    return _read(path)[0]


def _read(path: Path) -> tuple[list[ConfigError], tuple[LabelLine, ...]]:
    if not path.is_file():
        return [], ()
    text = read_text_bounded(path, TEXT_LIMIT, what="label log")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in LABEL_COLUMNS if c not in header]
    if missing:
        semicolons = semicolon_delimited(",".join(header))
        message = "the columns are separated by semicolons, not commas"
        return [
            ConfigError(
                message if semicolons else f"missing column {missing[0]!r}",
                path=path,
                line=1,
                hint=SEMICOLON_HINT
                if semicolons
                else "the header needs: " + ",".join(LABEL_COLUMNS),
            )
        ], ()
    problems: list[ConfigError] = []
    lines: list[LabelLine] = []
    for row in reader:
        try:
            lines.append(_line(path, reader.line_num, row))
        except ConfigError as exc:
            problems.append(exc)
    return problems, tuple(lines)


def _line(path: Path, line: int, row: dict[str, str | None]) -> LabelLine:
    values = {c: (row.get(c) or "").strip() for c in LABEL_COLUMNS}
    for column in ("record", "reviewer"):
        if not values[column]:
            raise ConfigError("empty value", path=path, line=line, field=column)
    try:
        stage = Stage(values["stage"])
    except ValueError:
        raise ConfigError(
            f"stage {values['stage']!r} is not title_abstract or full_text",
            path=path,
            line=line,
            field="stage",
        ) from None
    try:
        label = clean_label(values["label"])
    except EvidensError as exc:
        raise ConfigError(exc.message, path=path, line=line, field="label") from None
    return LabelLine(path, line, values["record"], stage, values["reviewer"], label)
