"""The authorization matrix's table: one row per route of the web app (method, path), saying
what the route needs and how to ask it with the ids of the seeded review of
test_web_authz_complete.py. A new route needs one line here: that test fails naming any
(method, path) without one, e.g.

    ("GET", "/r/{slug}/searches"): Row(VIEW),
    ("POST", "/r/{slug}/searches"): Row(IMPORT, "/r/{slug}/searches", {"source": "PubMed"}),

The ids a url or form may name in braces: slug, stage (title_abstract), box
(records_identified); record (undecided), blinded (Alice's open decision, with a note; also
record_id), complete (agreed, may be reopened), conflict, pdf (past title/abstract, with a
PDF), fulltext (past title/abstract, none); study_id (two risk-of-bias assessments and a
consensus), own_study (a study of the asker's own), study_label, outcome, analysis; reset
(a password reset link), invite (an invitation), job_id; unique (new for each request)."""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD = "correct horse battery"

# what a route needs: an action of services/review/permissions.py, or
PUBLIC = "public"  # nobody signed in may use it
SIGNED = "signed in"  # anyone signed in (whatever their reviews)
VIEW, SCREEN, RESOLVE, IMPORT = "view", "screen", "resolve", "import"
MANAGE, EXTRACT, ASSESS, SYNTHESISE = "manage", "extract", "assess", "synthesise"


@dataclass(frozen=True)
class Row:
    """How to ask one route and who may: ``url`` and ``form`` values name ids of the seed
    in braces ({slug}, {record}, {study}...); ``ok`` is what a permitted request answers
    (a change the service then refuses, 400/409, still got past authorization);
    ``fresh`` asks on a throwaway session (logging out, logging in); ``last`` after the
    rows that do not change the review for everyone."""

    needs: str
    url: str = ""
    form: dict[str, str] | None = None
    ok: tuple[int, ...] = (200,)
    upload: str = ""
    fresh: bool = False
    last: bool = False
    login_form: bool = False


ROB = {"outcome": "Authz", "instrument": "rob2", "answer.D1.1.1": "Y"}
# (method, path) -> Row; a GET row without url asks the path with the seed's ids
# fmt: off
MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/login"): Row(PUBLIC),
    ("POST", "/login"): Row(PUBLIC, "/login", {"username": "vera", "password": PASSWORD}, fresh=True, login_form=True),  # noqa: E501
    ("GET", "/reset/{token}"): Row(PUBLIC, "/reset/{reset}"),
    ("POST", "/reset/{token}"): Row(PUBLIC, "/reset/{reset}", {"new_password": "a", "repeat_password": "b"}, ok=(400,)),  # noqa: E501
    ("POST", "/logout"): Row(SIGNED, "/logout", {}, ok=(303,), fresh=True),
    ("POST", "/logout-everywhere"): Row(SIGNED, "/logout-everywhere", {}, fresh=True),
    ("GET", "/"): Row(SIGNED),
    ("GET", "/reviews.json"): Row(SIGNED),
    ("GET", "/reviews/new"): Row(SIGNED),
    ("GET", "/reviews/new.json"): Row(SIGNED),
    ("POST", "/reviews"): Row(SIGNED, "/reviews", {"title": "A new review", "slug": "{unique}", "question": "Does it work?"}),  # noqa: E501
    ("GET", "/account"): Row(SIGNED),
    ("GET", "/account.json"): Row(SIGNED),
    ("POST", "/account/password"): Row(SIGNED, "/account/password", {"current_password": PASSWORD, "new_password": "one long phrase", "repeat_password": "another"}, ok=(400,)),  # noqa: E501
    ("GET", "/invite/{token}"): Row(SIGNED, "/invite/{invite}"),
    ("POST", "/invite/{token}"): Row(SIGNED, "/invite/not-a-token", {}, ok=(404,)),  # no link used up  # noqa: E501
    ("GET", "/r/{slug}"): Row(VIEW),
    ("GET", "/r/{slug}.json"): Row(VIEW),
    ("GET", "/r/{slug}/records/{box}"): Row(VIEW),
    ("GET", "/r/{slug}/records/{box}.json"): Row(VIEW),
    ("GET", "/r/{slug}/screen/{stage}"): Row(SCREEN, "/r/{slug}/screen/{stage}?record={blinded}"),
    ("GET", "/r/{slug}/screen/{stage}.json"): Row(SCREEN, "/r/{slug}/screen/{stage}.json?record={blinded}"),  # noqa: E501
    ("POST", "/r/{slug}/screen/{stage}"): Row(SCREEN, "/r/{slug}/screen/{stage}", {"record_id": "{record}", "decision": "include"}),  # noqa: E501
    ("POST", "/r/{slug}/screen/{stage}/undo"): Row(SCREEN, "/r/{slug}/screen/{stage}/undo", {}),
    ("POST", "/r/{slug}/screen/{stage}/labels"): Row(SCREEN, "/r/{slug}/screen/{stage}/labels", {"record_id": "{record}", "label": "authz"}),  # noqa: E501
    ("POST", "/r/{slug}/screen/{stage}/reopen"): Row(RESOLVE, "/r/{slug}/screen/{stage}/reopen", {"record_id": "{complete}", "reason": "misclick"}),  # noqa: E501
    ("GET", "/r/{slug}/conflicts/{stage}"): Row(RESOLVE),
    ("GET", "/r/{slug}/conflicts/{stage}.json"): Row(RESOLVE),
    ("POST", "/r/{slug}/conflicts/{stage}"): Row(RESOLVE, "/r/{slug}/conflicts/{stage}", {"record_id": "{conflict}", "decision": "exclude"}),  # noqa: E501
    ("GET", "/r/{slug}/records"): Row(VIEW, "/r/{slug}/records?q=spasms"),
    ("GET", "/r/{slug}/records.json"): Row(VIEW, "/r/{slug}/records.json?q=spasms"),
    ("GET", "/r/{slug}/mine/{stage}"): Row(SCREEN),
    ("GET", "/r/{slug}/mine/{stage}.json"): Row(SCREEN),
    ("GET", "/r/{slug}/record/{record_id}"): Row(VIEW, "/r/{slug}/record/{blinded}"),
    ("GET", "/r/{slug}/record/{record_id}.json"): Row(VIEW, "/r/{slug}/record/{blinded}.json"),
    ("GET", "/r/{slug}/record/{record_id}/pdf"): Row(VIEW, "/r/{slug}/record/{pdf}/pdf"),
    ("POST", "/r/{slug}/record/{record_id}/pdf"): Row(SCREEN, "/r/{slug}/record/{pdf}/pdf", {}, upload="pdf"),  # noqa: E501
    ("POST", "/r/{slug}/record/{record_id}/not-retrieved"): Row(SCREEN, "/r/{slug}/record/{fulltext}/not-retrieved", {"reason": "not available"}),  # noqa: E501
    ("GET", "/r/{slug}/fulltexts"): Row(VIEW),
    ("GET", "/r/{slug}/fulltexts.json"): Row(VIEW),
    ("GET", "/r/{slug}/studies"): Row(VIEW),
    ("GET", "/r/{slug}/studies.json"): Row(VIEW),
    ("POST", "/r/{slug}/studies"): Row(SCREEN, "/r/{slug}/studies", {"label": "{unique}", "design": "RCT"}),  # noqa: E501
    ("POST", "/r/{slug}/studies/link"): Row(SCREEN, "/r/{slug}/studies/link", {"record_id": "{pdf}", "label": "{study_label}", "action": "link"}, ok=(200, 409)),  # noqa: E501 (linked already: 409)
    ("GET", "/r/{slug}/duplicates"): Row(IMPORT),
    ("GET", "/r/{slug}/duplicates.json"): Row(IMPORT),
    ("POST", "/r/{slug}/duplicates"): Row(IMPORT, "/r/{slug}/duplicates", {"record_a": "{record}", "record_b": "{blinded}", "verdict": "different"}),  # noqa: E501
    ("POST", "/r/{slug}/duplicates/run"): Row(IMPORT, "/r/{slug}/duplicates/run", {}),
    ("POST", "/r/{slug}/dedup-job"): Row(IMPORT, "/r/{slug}/dedup-job", {}, ok=(202,)),
    ("POST", "/r/{slug}/imports"): Row(IMPORT, "/r/{slug}/imports", {"source": "PubMed"}, upload="ris"),  # noqa: E501
    ("GET", "/r/{slug}/setup"): Row(MANAGE),
    ("GET", "/r/{slug}/setup.json"): Row(MANAGE),
    ("POST", "/r/{slug}/setup"): Row(MANAGE, "/r/{slug}/setup", {"required_title_abstract": "0"}, ok=(400,)),  # noqa: E501
    ("POST", "/r/{slug}/pilot"): Row(MANAGE, "/r/{slug}/pilot", {"size": "0"}, ok=(400,)),
    ("POST", "/r/{slug}/invitations"): Row(MANAGE, "/r/{slug}/invitations", {"role": "viewer"}),
    ("GET", "/r/{slug}/team"): Row(VIEW),
    ("GET", "/r/{slug}/team.json"): Row(VIEW),
    ("POST", "/r/{slug}/team/role"): Row(MANAGE, "/r/{slug}/team/role", {"name": "tess", "role": "viewer"}),  # noqa: E501
    ("POST", "/r/{slug}/team/reset"): Row(MANAGE, "/r/{slug}/team/reset", {"name": "tess"}),
    ("POST", "/r/{slug}/team/remove"): Row(MANAGE, "/r/{slug}/team/remove", {"name": "tess"}, last=True),  # noqa: E501
    ("POST", "/r/{slug}/rounds"): Row(MANAGE, "/r/{slug}/rounds", {"label": "an update"}, last=True),  # noqa: E501
    ("GET", "/r/{slug}/audit"): Row(VIEW),
    ("GET", "/r/{slug}/audit.json"): Row(VIEW),
    ("GET", "/r/{slug}/extraction"): Row(VIEW),
    ("GET", "/r/{slug}/extraction.json"): Row(VIEW),
    ("GET", "/r/{slug}/studies/{study_id}/extraction"): Row(EXTRACT, "/r/{slug}/studies/{own_study}/extraction"),  # noqa: E501
    ("GET", "/r/{slug}/studies/{study_id}/extraction.json"): Row(EXTRACT, "/r/{slug}/studies/{own_study}/extraction.json"),  # noqa: E501
    ("POST", "/r/{slug}/studies/{study_id}/extraction"): Row(EXTRACT, "/r/{slug}/studies/{own_study}/extraction", {}),  # noqa: E501
    ("GET", "/r/{slug}/studies/{study_id}/discrepancies"): Row(RESOLVE),
    ("GET", "/r/{slug}/studies/{study_id}/discrepancies.json"): Row(RESOLVE),
    ("POST", "/r/{slug}/studies/{study_id}/settle"): Row(RESOLVE, "/r/{slug}/studies/{study_id}/settle", {"field": "x.y", "settle_with": "empty", "note": "n"}, ok=(409,)),  # nothing extracted  # noqa: E501
    ("GET", "/r/{slug}/rob"): Row(VIEW),
    ("GET", "/r/{slug}/rob.json"): Row(VIEW),
    ("GET", "/r/{slug}/rob/start"): Row(ASSESS, "/r/{slug}/rob/start?study_id={own_study}&outcome=Authz", ok=(303,)),  # noqa: E501
    ("GET", "/r/{slug}/rob/figures/{name}"): Row(VIEW, "/r/{slug}/rob/figures/rob-summary.svg"),
    ("GET", "/r/{slug}/studies/{study_id}/rob"): Row(ASSESS, "/r/{slug}/studies/{own_study}/rob?outcome=Authz"),  # noqa: E501
    ("GET", "/r/{slug}/studies/{study_id}/rob.json"): Row(ASSESS, "/r/{slug}/studies/{own_study}/rob.json?outcome=Authz"),  # noqa: E501
    ("POST", "/r/{slug}/studies/{study_id}/rob/propose"): Row(ASSESS, "/r/{slug}/studies/{own_study}/rob/propose", ROB),  # noqa: E501
    ("POST", "/r/{slug}/studies/{study_id}/rob"): Row(ASSESS, "/r/{slug}/studies/{own_study}/rob", ROB),  # noqa: E501
    ("GET", "/r/{slug}/studies/{study_id}/rob/compare"): Row(RESOLVE, "/r/{slug}/studies/{study_id}/rob/compare?outcome={outcome}"),  # noqa: E501
    ("GET", "/r/{slug}/studies/{study_id}/rob/compare.json"): Row(RESOLVE, "/r/{slug}/studies/{study_id}/rob/compare.json?outcome={outcome}"),  # noqa: E501
    ("POST", "/r/{slug}/studies/{study_id}/rob/consensus"): Row(RESOLVE, "/r/{slug}/studies/{study_id}/rob/consensus", {"outcome": "{outcome}", "agree.D1.1.3": "NI", "because.D1.1.3": "ok"}),  # noqa: E501
    ("GET", "/r/{slug}/analyses"): Row(VIEW),
    ("GET", "/r/{slug}/analyses.json"): Row(VIEW),
    ("POST", "/r/{slug}/analyses"): Row(SYNTHESISE, "/r/{slug}/analyses", {"name": "a", "outcome": "none", "preset": "revman"}, ok=(400,)),  # noqa: E501
    ("POST", "/r/{slug}/analyses/remove"): Row(SYNTHESISE, "/r/{slug}/analyses/remove", {"name": "none"}, ok=(400,)),  # noqa: E501
    ("GET", "/r/{slug}/analyses/{name}/{figure}.svg"): Row(VIEW, "/r/{slug}/analyses/{analysis}/forest.svg"),  # noqa: E501
    ("GET", "/r/{slug}/grade"): Row(VIEW),
    ("GET", "/r/{slug}/grade.json"): Row(VIEW),
    ("POST", "/r/{slug}/grade"): Row(SYNTHESISE, "/r/{slug}/grade", {"outcome": "x", "domain": "imprecision", "rating": "x"}, ok=(400,)),  # noqa: E501
    ("POST", "/r/{slug}/grade/outcomes"): Row(SYNTHESISE, "/r/{slug}/grade/outcomes", {"analysis": "none"}, ok=(400,)),  # noqa: E501
    ("GET", "/r/{slug}/grade/{name}"): Row(VIEW, "/r/{slug}/grade/sof.html"),
    ("POST", "/r/{slug}/grade/header"): Row(SYNTHESISE, "/r/{slug}/grade/header", {"per": "1000"}, ok=(400,)),  # no title  # noqa: E501
    ("POST", "/r/{slug}/grade/details"): Row(SYNTHESISE, "/r/{slug}/grade/details", {"outcome": "none"}, ok=(400,)),  # noqa: E501
    ("GET", "/r/{slug}/outputs"): Row(VIEW),
    ("GET", "/r/{slug}/outputs.json"): Row(VIEW),
    ("POST", "/r/{slug}/outputs/build"): Row(SYNTHESISE, "/r/{slug}/outputs/build", {}, ok=(202,)),
    # the seed's outputs are not built (no worker runs): a permitted request is told so
    ("GET", "/r/{slug}/outputs/files/{name}"): Row(VIEW, "/r/{slug}/outputs/files/report.html", ok=(404,)),  # noqa: E501
    ("GET", "/r/{slug}/outputs/all.zip"): Row(VIEW, ok=(404,)),
    ("GET", "/r/{slug}/searches"): Row(VIEW),
    ("GET", "/r/{slug}/searches.json"): Row(VIEW),
    # the forms are asked with input they refuse: past authorization, nothing is logged
    ("POST", "/r/{slug}/searches"): Row(IMPORT, "/r/{slug}/searches", {"source": ""}, ok=(400,)),
    ("POST", "/r/{slug}/searches/translate"): Row(IMPORT, "/r/{slug}/searches/translate", {"query": ""}, ok=(400,)),  # noqa: E501
    ("POST", "/r/{slug}/searches/hits"): Row(IMPORT, "/r/{slug}/searches/hits", {"search": "none"}, ok=(400,)),  # noqa: E501
    ("POST", "/r/{slug}/searches/run"): Row(IMPORT, "/r/{slug}/searches/run", {"source": "nowhere", "query": "x"}, ok=(400,)),  # noqa: E501
    # the seed's job is an outputs build: its progress shows on the import page too
    ("GET", "/r/{slug}/imports/jobs/{job_id}"): Row(VIEW),
    ("GET", "/r/{slug}/imports/jobs/{job_id}.json"): Row(VIEW),
    ("GET", "/r/{slug}/exports/{name}"): Row(VIEW, "/r/{slug}/exports/records.csv"),
    ("GET", "/r/{slug}/jobs/{job_id}"): Row(VIEW),
    ("GET", "/r/{slug}/jobs/{job_id}.json"): Row(VIEW),
}
# fmt: on
# the JSON twins Bruno (who has not decided the blinded record) must see without Alice's
BLINDED_TWINS = {
    ("GET", "/r/{slug}/screen/{stage}.json"),
    ("GET", "/r/{slug}/record/{record_id}.json"),
    ("GET", "/r/{slug}/conflicts/{stage}.json"),
    ("GET", "/r/{slug}/mine/{stage}.json"),
}
