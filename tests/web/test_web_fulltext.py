"""Full texts over HTTP: a PDF attached to a record that passed title/abstract, read back
inline under a cleaned name, shown beside the abstract; the upload abuse the server refuses
(wrong type, oversize, a file that claims to be a PDF and is not, path tricks in names);
"not retrieved" with a reason; and reports linked to studies."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.services.screening.decisions import record_decision
from evidens.services.screening.studies import list_studies
from evidens.web.app import create_app
from evidens.web.settings import ServerSettings

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}


def make_pdf(text: str = "Ketogenic diet trial: full text") -> bytes:
    """A small, whole one-page PDF (with a correct cross-reference table) showing ``text``."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pass_title_abstract(site: Site, record_id: int) -> None:
    """Both required reviewers include ``record_id`` at title/abstract (agreed)."""
    for reviewer in ("alice", "bruno"):
        record_decision(
            site.store,
            ScreeningDecision(record_id, Stage.TITLE_ABSTRACT, reviewer, Decision.INCLUDE),
        )


def attach(
    site: Site, client: TestClient, record_id: int, data: bytes, name: str, kind: str = ""
) -> Any:
    upload = {"file": (name, data, kind or "application/pdf")}
    return client.post(
        f"/r/main/record/{record_id}/pdf",
        data={"csrf": site.csrf_of(client)},
        files=upload,
        headers=JSON,
    )


def test_attach_then_read_inline_under_a_clean_name(site: Site) -> None:
    rid = site.record_ids[0]
    pass_title_abstract(site, rid)
    alice = site.login("alice")
    pdf = make_pdf()
    sent = attach(site, alice, rid, pdf, '..\\..\\etc/"evil"\r\nSet-Cookie: x=1;.pdf')
    assert sent.status_code == 200, sent.text
    assert sent.json()["attached"] == rid
    got = alice.get(f"/r/main/record/{rid}/pdf")
    assert got.status_code == 200
    assert got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    shown = re.fullmatch(r"inline; filename=\"([^\"]*)\"; filename\*=UTF-8''(\S+)", disposition)
    assert shown is not None, disposition
    name = shown.group(1)  # no folder, quote, line break or header separator survives
    assert name.endswith("Set-Cookie_ x_1_.pdf"), name
    assert not any(bad in name for bad in ("/", "\\", "..", '"', "\r", "\n", ":", ";"))
    assert "set-cookie" not in got.headers
    assert "frame-ancestors 'self'" in got.headers["content-security-policy"]
    # a viewer reads it too (members only; the authz module covers the rest)
    assert site.login("vera").get(f"/r/main/record/{rid}/pdf").content == pdf
    # the record page and the full-text screening page show it beside the abstract
    page = alice.get(f"/r/main/record/{rid}").text
    assert f'src="/r/main/record/{rid}/pdf"' in page
    screen = alice.get(f"/r/main/screen/full_text?record={rid}").text
    assert f'src="/r/main/record/{rid}/pdf"' in screen
    listed = alice.get("/r/main/fulltexts.json").json()["reports"]
    assert [(r["record_id"], r["has_pdf"]) for r in listed] == [(rid, True)]


def test_upload_abuse_is_refused_and_nothing_is_kept(site: Site) -> None:
    rid = site.record_ids[0]
    pass_title_abstract(site, rid)
    olga = site.login("olga")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    html = b"<html><body>Access denied</body></html>\n%%EOF"
    cases = {
        "wrong type": (png, "figure.png", "image/png"),
        "claims to be a PDF": (html, "article.pdf", "application/pdf"),
        "cut off": (make_pdf()[:-8], "article.pdf", "application/pdf"),
    }
    for case, (data, name, kind) in cases.items():
        refused = attach(site, olga, rid, data, name, kind)
        assert refused.status_code == 400, case
        assert refused.json()["error"]["field"] == "file", case
    assert olga.get(f"/r/main/record/{rid}/pdf", headers=JSON).status_code == 404
    # a record of another review, named through this review's address: as if absent
    other = attach(site, olga, site.other_record, make_pdf(), "a.pdf")
    assert other.status_code == 404
    # a record that did not pass title/abstract: no report is sought for it
    early = attach(site, olga, site.record_ids[1], make_pdf(), "a.pdf")
    assert early.status_code == 409


def test_oversize_upload_is_refused_before_its_body(site: Site) -> None:
    rid = site.record_ids[0]
    pass_title_abstract(site, rid)
    small = ServerSettings(max_upload_bytes=4096, max_form_bytes=4096)
    client = TestClient(create_app(site.store.engine, small), follow_redirects=False)
    site.sign_in(client, "olga")
    big = make_pdf() + b"%" + b"x" * 8192 + b"\n%%EOF\n"
    refused = attach(site, client, rid, big, "big.pdf")
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "too_large"
    client.close()


def test_not_retrieved_needs_a_reason(site: Site) -> None:
    rid = site.record_ids[0]
    pass_title_abstract(site, rid)
    alice = site.login("alice")
    form = {"csrf": site.csrf_of(alice), "reason": "  "}
    empty = alice.post(f"/r/main/record/{rid}/not-retrieved", data=form, headers=JSON)
    assert empty.status_code == 400
    assert empty.json()["error"]["field"] == "reason"
    form["reason"] = "Not available from the library or the authors"
    done = alice.post(f"/r/main/record/{rid}/not-retrieved", data=form)
    assert done.status_code == 303
    assert done.headers["location"] == f"/r/main/record/{rid}"
    shown = alice.get(f"/r/main/record/{rid}.json").json()["record"]["retrieval"]
    assert shown == {
        "retrieved": False,
        "reason": "Not available from the library or the authors",
        "file_name": None,
        "has_pdf": False,
    }
    assert "Not available from the library" in alice.get(f"/r/main/record/{rid}").text


def test_decide_at_full_text_from_the_record_page(site: Site) -> None:
    rid = site.record_ids[0]
    pass_title_abstract(site, rid)
    alice = site.login("alice")
    page = alice.get(f"/r/main/record/{rid}").text
    assert 'action="/r/main/screen/full_text"' in page
    form = {"csrf": site.csrf_of(alice), "record_id": str(rid), "decision": "exclude"}
    refused = alice.post("/r/main/screen/full_text", data=form, headers=JSON)
    assert refused.status_code == 400  # a full-text exclusion needs a reason
    form["reason"] = "Not randomized"
    assert alice.post("/r/main/screen/full_text", data=form).status_code == 303
    stages = alice.get(f"/r/main/record/{rid}.json").json()["record"]["stages"]
    assert stages[1]["status"] == "your decision: exclude"
    assert [d["reason"] for d in stages[1]["decisions"]] == ["Not randomized"]
    # bruno is blind to alice's open decision on the same page
    bruno = site.login("bruno").get(f"/r/main/record/{rid}.json").json()["record"]
    assert bruno["stages"][1]["decisions"] == []
    assert bruno["stages"][1]["status"] is None


def test_link_move_and_unlink_reports(site: Site) -> None:
    first, second = site.record_ids[0], site.record_ids[2]
    pass_title_abstract(site, first)
    pass_title_abstract(site, second)
    olga = site.login("olga")
    csrf = site.csrf_of(olga)
    for label in ("Rivera 2020", "Tanaka 2021"):
        made = olga.post("/r/main/studies", data={"csrf": csrf, "label": label}, headers=JSON)
        assert made.status_code == 200, made.text
    again = olga.post("/r/main/studies", data={"csrf": csrf, "label": "Rivera 2020"}, headers=JSON)
    assert again.status_code == 409

    def act(action: str, record: int, label: str = "") -> Any:
        form = {"csrf": csrf, "record_id": str(record), "label": label, "action": action}
        return olga.post("/r/main/studies/link", data=form, headers=JSON)

    assert act("link", first, "Rivera 2020").status_code == 200
    assert act("link", second, "Rivera 2020").status_code == 200
    assert act("link", first, "Tanaka 2021").status_code == 409  # a move, said as such
    assert act("move", second, "Tanaka 2021").json() == {
        "moved": second,
        "from": "Rivera 2020",
        "to": "Tanaka 2021",
    }
    reports = {s.label: [r for r, _ in s.reports] for s in list_studies(site.store)}
    assert reports == {"Rivera 2020": [first], "Tanaka 2021": [second]}
    assert act("unlink", second).json() == {"unlinked": second, "study": "Tanaka 2021"}
    assert act("frobnicate", first).status_code == 400
    # a record excluded at title/abstract is no report of an included study
    for reviewer in ("alice", "bruno"):
        made = ScreeningDecision(
            site.record_ids[1], Stage.TITLE_ABSTRACT, reviewer, Decision.EXCLUDE
        )
        record_decision(site.store, made)
    assert act("link", site.record_ids[1], "Tanaka 2021").status_code == 409
    data = olga.get("/r/main/studies.json").json()
    assert {r["record_id"]: r["study"] for r in data["records"]} == {
        first: "Rivera 2020",
        second: None,
    }
    html = olga.get("/r/main/studies").text
    assert "Rivera 2020" in html
    assert 'value="move"' in html
