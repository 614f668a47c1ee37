"""A translation as logged with its search: one plain shape (store column and
[search.translation] table) read back to the same value; a wrong value names its field."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
import tomli_w

from evidens.errors import ConfigError
from evidens.search import translate
from evidens.search.logged import LoggedTranslation, read_translation

QUERY = '"Asthma"[majr] AND inhaler*[tiab]'


def test_the_shape_reads_back_to_the_same_translation_through_toml() -> None:
    result = translate(QUERY, target="wos")
    logged = LoggedTranslation.of(result, f"  {QUERY}\n")
    assert logged.query == QUERY  # as designed, without the file's surrounding blanks
    assert logged.warnings == result.notes
    assert logged.warnings  # [majr] cannot be said in WoS: at least one warning
    text = tomli_w.dumps({"translation": logged.to_dict()})  # TOML has no null: none written
    assert read_translation(tomllib.loads(text)["translation"]) == logged
    assert logged.database == "Web of Science (advanced search)"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"from": "medline"}, "t.from", "'medline' is not allowed"),
        ({"to": "embse"}, "t.to", "'embse' is not allowed"),
        ({"query": "  "}, "t.query", "query must be non-empty text"),
        ({"warnings": "none"}, "t.warnings", "must be a list of tables"),
        ({"warnings": [{"part": "x"}]}, "t.warnings[0].message", "message must be"),
        ({"warnings": [{"message": "m", "line": 0}]}, "t.warnings[0].line", "line must be"),
    ],
)
def test_a_wrong_value_names_file_and_field(change: dict[str, Any], field: str, words: str) -> None:
    data = {"from": "pubmed", "to": "embase", "query": QUERY, **change}
    with pytest.raises(ConfigError) as caught:
        read_translation(data, path="searches.toml", field="t")
    assert caught.value.location == f"searches.toml:{field}"
    assert words in caught.value.message


def test_a_translation_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(ConfigError, match="must be a table") as caught:
        read_translation("pubmed to embase", path="searches.toml", field="search[0].translation")
    assert caught.value.field == "search[0].translation"
