"""The whole-file registry-id pre-check may say "maybe" too often, never "no" wrongly:
readers skip the per-record id search when it says no."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.formats._base import find_registry_ids, mentions_registry

IDS = [
    "NCT01234567",
    "ISRCTN12345678",
    "CTRI/2020/01/123456",
    "ACTRN12345678901234",
    "ChiCTR-IOR-17012345",
    "DRKS00012345",
    "EUCTR2019-001234-56-DE",
    "JPRN-UMIN000012345",
    "IRCT2015012345N1",
    "PACTR201901234567890",
]


@pytest.mark.parametrize("trial_id", IDS)
def test_every_registry_id_is_announced_by_the_hint(trial_id: str) -> None:
    text = f"registered as {trial_id}."
    assert find_registry_ids(text) == [trial_id.upper()]
    assert mentions_registry(text)


def test_text_without_hints_is_a_certain_no() -> None:
    assert not mentions_registry("randomised trial of exercise, ID 12345678, CONSORT")


@given(st.lists(st.sampled_from([*IDS, "abc ", "NC", "T0123", " ", "CT", "\n", "DRK"])))
def test_ids_found_imply_the_hint(parts: list[str]) -> None:
    text = "".join(parts)
    if find_registry_ids(text):
        assert mentions_registry(text)
