"""A small review of our own making: a RIS export of five records (two of them the same
article) imported into a fresh store on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evidens.services.identification import dedup, imports
from evidens.services.store import ReviewStore, create_review

RIS = """TY  - JOUR
TI  - Ketogenic diet for refractory spasms in infants: a randomized trial
AU  - Rivera, Ana
PY  - 2020
JO  - Journal of Child Neurology
VL  - 35
SP  - 101
EP  - 108
DO  - 10.1000/evidens.test.1
ER  -
TY  - JOUR
TI  - Vigabatrin versus hormonal therapy: a cohort study
AU  - Osei, Kwame
PY  - 2019
JO  - Epilepsia
DO  - 10.1000/evidens.test.2
ER  -
TY  - JOUR
TI  - Epilepsy surgery outcomes in children with epileptic spasms
AU  - Tanaka, Yui
PY  - 2021
JO  - Epilepsy Research
DO  - 10.1000/evidens.test.3
ER  -
TY  - JOUR
TI  - Modified Atkins diet in refractory infantile spasms
AU  - Nowak, Piotr
PY  - 2022
JO  - Seizure
DO  - 10.1000/evidens.test.4
ER  -
TY  - JOUR
TI  - Ketogenic Diet for Refractory Spasms in Infants: A Randomized Trial.
AU  - Rivera, A.
PY  - 2020
JO  - J Child Neurol
VL  - 35
SP  - 101
EP  - 8
DO  - https://doi.org/10.1000/EVIDENS.TEST.1
ER  -
"""


@pytest.fixture
def ris_file(tmp_path: Path) -> Path:
    path = tmp_path / "pubmed.ris"
    path.write_text(RIS, encoding="utf-8")
    return path


@pytest.fixture
def review(store_url: str, ris_file: Path) -> Iterator[ReviewStore]:
    store = create_review(
        store_url,
        title="Test review",
        settings={
            "reviewers_required": {"title_abstract": 2, "full_text": 2},
            "exclusion_reasons": ["Not randomized", "Wrong population"],
        },
    )
    imports.import_file(store, ris_file, source="PubMed", actor="importer")
    dedup.deduplicate(store, actor="importer")
    yield store
    store.dispose()
