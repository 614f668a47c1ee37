"""The de-duplication review queue over HTTP: a pair the engine is unsure of (same title and
authors, different journals) shown side by side with the journal marked as differing, a
verdict that re-runs de-duplication, who may give one, CSRF, and escaping of the records'
markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from evidens.services.identification import dedup, imports

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
# a second copy of conftest's crafted record 2 (same title and author) in another journal:
# the engine's rule "same title, different journal" leaves it to a person
TWIN = (
    "TY  - JOUR\nTI  - <script>alert('title')</script> Ketogenic <b>diet</b> & spasms\n"
    "AB  - <svg onload=alert('twin')> a conference version\nAU  - Osei, Kwame\nPY  - 2019\n"
    "JO  - Seizure\nER  - \n"
)


def _queue_twin(site: Site, tmp_path: Path) -> tuple[int, int]:
    path = tmp_path / "twin.ris"
    path.write_text(TWIN, encoding="utf-8")
    imports.import_file(site.store, path, source="Embase", actor="olga")
    dedup.deduplicate(site.store, actor="olga")
    pairs = dedup.pending_pairs(site.store)
    assert len(pairs) == 1, "the twin should be queued for a person, not merged"
    return pairs[0].record_a, pairs[0].record_b


def _judge(site: Site, client: TestClient, pair: tuple[int, int], verdict: str) -> Any:
    form = {
        "record_a": str(pair[0]),
        "record_b": str(pair[1]),
        "verdict": verdict,
        "csrf": site.csrf_of(client),
    }
    return client.post("/r/main/duplicates", data=form, headers=JSON)


def test_pair_side_by_side_with_differences_marked(site: Site, tmp_path: Path) -> None:
    a, b = _queue_twin(site, tmp_path)
    client = site.login("olga")
    data = client.get("/r/main/duplicates.json").json()
    assert data["waiting"] == 1
    (pair,) = data["pairs"]
    assert (pair["record_a"], pair["record_b"]) == (a, b)
    fields = {f["field"]: f for f in pair["fields"]}
    assert fields["journal"]["differs"] is True
    assert {fields["journal"]["a"], fields["journal"]["b"]} == {"Epilepsia", "Seizure"}
    assert fields["title"]["differs"] is False
    assert "journal differs" in pair["reasons"]
    html = client.get("/r/main/duplicates").text
    assert 'data-field="journal"' in html
    assert html.count('class="differs"') >= 2  # journal and DOI (one record has none)


def test_pair_text_is_escaped(site: Site, tmp_path: Path) -> None:
    _queue_twin(site, tmp_path)
    html = site.login("olga").get("/r/main/duplicates").text
    assert "<script>alert" not in html
    assert "<svg onload" not in html
    assert "<b>diet" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;svg onload=" in html


def test_merge_re_runs_deduplication(site: Site, tmp_path: Path) -> None:
    pair = _queue_twin(site, tmp_path)
    client = site.login("olga")
    answer = _judge(site, client, pair, "same")
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["duplicates_removed"] == 1
    assert client.get("/r/main/duplicates.json").json()["waiting"] == 0
    # the merged copy left the screening total: 3 records to screen, not 4
    screen = client.get("/r/main/screen/title_abstract.json").json()
    assert screen["progress"]["total"] == 3


def test_keep_apart_is_remembered(site: Site, tmp_path: Path) -> None:
    pair = _queue_twin(site, tmp_path)
    client = site.login("ivan")  # a viewer with "can import"
    answer = _judge(site, client, pair, "different")
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["duplicates_removed"] == 0
    dedup.deduplicate(site.store, actor="olga")  # a later run does not ask again
    assert client.get("/r/main/duplicates.json").json()["waiting"] == 0


def test_who_may_see_and_judge_pairs(site: Site, tmp_path: Path) -> None:
    pair = _queue_twin(site, tmp_path)
    expected = {"olga": 200, "ivan": 200, "alice": 403, "rita": 403, "vera": 403, "zed": 404}
    for name, status in expected.items():
        client = site.login(name)
        assert client.get("/r/main/duplicates.json").status_code == status, name
        if status != 200:
            assert _judge(site, client, pair, "same").status_code == status, name
    assert site.app_client().get("/r/main/duplicates.json").status_code == 401
    assert len(dedup.pending_pairs(site.store)) == 1  # no refused request decided it


def test_csrf_and_other_reviews_records_are_refused(site: Site, tmp_path: Path) -> None:
    pair = _queue_twin(site, tmp_path)
    client = site.login("olga")
    form = {"record_a": str(pair[0]), "record_b": str(pair[1]), "verdict": "same"}
    assert client.post("/r/main/duplicates", data=form, headers=JSON).status_code == 403
    bad = _judge(site, client, (pair[0], site.other_record), "same")
    assert bad.status_code == 404
    assert _judge(site, client, pair, "perhaps").status_code == 400
    assert _judge(site, client, (pair[0], pair[0]), "same").status_code == 400
    assert len(dedup.pending_pairs(site.store)) == 1
