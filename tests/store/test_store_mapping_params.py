"""Row building for bulk imports: the fast tuple path must store exactly what the dict path
(and ``json.dumps``) would, for any text a reader can produce."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from evidens.core import Record, doi_key
from evidens.store.mapping import JSON_COLUMNS, RECORD_COLUMNS, record_params, record_values

texts = st.text(max_size=40)
pairs = st.lists(st.tuples(texts, texts), max_size=6).map(tuple)
records = st.builds(
    Record,
    title=st.none() | texts,
    authors=st.lists(texts, max_size=4).map(tuple),
    year=st.none() | st.integers(1000, 2999),
    doi=st.none() | st.sampled_from(["10.1000/ABC", "doi:10.1234/x.y", "junk"]),
    accessions=pairs,
    keywords=st.lists(texts, max_size=3).map(tuple),
    raw=pairs,
    source_line=st.none() | st.integers(1, 10**6),
)


@given(st.lists(records, max_size=5))
def test_params_match_the_dict_rows_and_json_dumps(batch: list[Record]) -> None:
    params = list(record_params(batch, review_id=3, batch_id=7, first_ordinal=5))
    assert len(params) == len(batch)
    for ordinal, (record, row) in enumerate(zip(batch, params, strict=True), start=5):
        assert len(row) == len(RECORD_COLUMNS)
        got = dict(zip(RECORD_COLUMNS, row, strict=True))
        expected = record_values(record, review_id=3, batch_id=7, ordinal=ordinal)
        assert set(got) == set(expected)
        for column, value in expected.items():
            if column in JSON_COLUMNS:
                # Byte-identical to the standard encoder, so stored rows never depend on
                # which import path wrote them.
                assert got[column] == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            else:
                assert got[column] == value, column


def test_params_hold_a_control_character_and_backslashes_verbatim() -> None:
    record = Record(
        title='A "quoted" title',
        doi="10.1000/ABC",
        raw=(("TI", 'A "quoted" title'), ("N1", "tab\there \\u0000 \x00 \x01 end")),
    )
    (row,) = record_params([record], review_id=1, batch_id=2)
    got = dict(zip(RECORD_COLUMNS, row, strict=True))
    assert got["ordinal"] == 1
    assert got["doi_key"] == doi_key("10.1000/ABC") == "10.1000/abc"
    assert json.loads(got["raw"]) == [[tag, value] for tag, value in record.raw]
    assert got["authors"] == "[]"
