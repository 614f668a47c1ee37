"""Assessment files: malformed input fails with a located message, never a traceback."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.errors import EvidensError, FormatError, ValidationError
from evidens.rob import Answer, Assessment, Judgment, Override, dump_assessment, load_assessment

HEAD = 'study = "S"\noutcome = "O"\nassessor = "A"\ninstrument = "rob2"\n'


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ('[answers.D1]\n"1.1" = "maybe"\n', ValidationError, "answers.D1.1.1"),
        ('[answers.D1]\n"1.1" = 3\n', FormatError, "answers.D1.1.1"),
        ('answers = "D1"\n', FormatError, "answers"),
        ('[overrides]\nD1 = "high"\n', FormatError, "overrides.D1"),
        ('[overrides]\nD1 = { judgment = "awful" }\n', ValidationError, "overrides.D1"),
    ],
)
def test_malformed_fields_are_located(body: str, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as info:
        load_assessment(HEAD + body, path="a.toml")
    assert isinstance(info.value, FormatError | ValidationError)
    assert info.value.field == field
    assert info.value.path == "a.toml"


def test_missing_study_and_bad_toml() -> None:
    with pytest.raises(ValidationError, match="missing or empty 'study'"):
        load_assessment(HEAD.replace('study = "S"\n', ""))
    with pytest.raises(FormatError, match="not valid TOML"):
        load_assessment("study = ")


def test_boolean_settings_read_as_yes_no() -> None:
    a = load_assessment(HEAD + "[settings]\nadherence = false\n")
    assert a.settings["adherence"] == "no"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30)


@given(
    study=_text.filter(str.strip),
    why=st.text(max_size=40),
    reason=_text,
    answer=st.sampled_from(list(Answer)),
)
def test_dump_then_load_is_identity(study: str, why: str, reason: str, answer: Answer) -> None:
    a = Assessment(
        study,
        "O",
        "A",
        "rob2",
        {"D1": {"1.1": answer}},
        {"D1": {"1.1": why}} if why else {},
        {"overall": Override(Judgment.HIGH, reason)},
    )
    back = load_assessment(dump_assessment(a))
    assert back.study == study
    assert back.answers == a.answers
    assert dict(back.justifications.get("D1", {})) == ({"1.1": why} if why else {})
    assert back.overrides == a.overrides


_toml_value = st.one_of(
    st.integers(), st.booleans(), st.text(max_size=5), st.lists(st.integers(), max_size=2)
)


@given(
    key=st.sampled_from(["answers", "overrides", "settings", "study", "instrument"]),
    value=_toml_value,
)
def test_any_wrong_type_is_an_evidens_error(key: str, value: object) -> None:
    text = "\n".join(line for line in HEAD.splitlines() if not line.startswith(key))
    text = f"{key} = {json.dumps(value)}\n" + text
    with contextlib.suppress(EvidensError):
        load_assessment(text)
