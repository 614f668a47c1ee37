"""Risk of bias in the browser: RoB 2 or ROBINS-I per study and outcome, question by
question, only the questions that apply shown, the engine's proposal redrawn as answers
change (``static/assess.js`` posts the form to ``.../rob/propose``; without the script a
save shows the same), overrides with a reason, two assessors blind to each other and their
consensus; the traffic-light and summary figures of the agreed judgments.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import NotFoundError, ValidationError
from evidens.rob import Answer, Instrument, Override, dump_assessment
from evidens.rob.dual import ConsensusRecord
from evidens.services.assessment.risk_of_bias_edit import (
    add_assessment,
    compare_in,
    record_consensus,
)
from evidens.services.review.permissions import Action, Membership, require
from evidens.services.web import assess as web_assess
from evidens.services.web import assess_rob as web_rob
from evidens.services.web.assess import FormData
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.render import page, plain, wants_json
from evidens.web.routes_assess import Posted, member_study, one, review_of

MAX_OUTCOME = 300


def _outcome(text: str) -> str:
    outcome = text.strip()
    if not outcome or len(outcome) > MAX_OUTCOME:
        raise ValidationError(
            "name the outcome (the result assessed), up to 300 characters",
            field="outcome",
            hint="e.g. Cessation of spasms at 14 days",
        )
    return outcome


def _link(slug: str, study_id: int, tail: str, **query: str) -> str:
    return f"/r/{slug}/studies/{study_id}/{tail}?{urlencode(query)}"


def add_rob_routes(app: FastAPI) -> None:
    _add_overview(app)
    _add_form(app)
    _add_consensus(app)


def _add_overview(app: FastAPI) -> None:
    @app.get("/r/{slug}/rob")
    @app.get("/r/{slug}/rob.json")
    def rob_overview(request: Request, user: User, slug: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        store = member.store(engine_of(request))
        figures = web_rob.figures(store)
        data = {
            "review": review_of(member),
            "assessed": web_rob.overview(store, user.username),
            "studies": web_assess.studies(store),
            "figures": [f"/r/{slug}/rob/figures/{name}" for name in figures],
        }
        extra = {"member": member, "Action": Action, "instruments": web_rob.INSTRUMENTS}
        return page(request, "rob.html", data, extra=extra)

    @app.get("/r/{slug}/rob/start")
    def rob_start(
        request: Request,
        user: User,
        slug: str,
        study_id: int,
        outcome: str = "",
        instrument: str = "rob2",
    ) -> Response:
        """The overview's "assess a result" form lands on that result's page."""
        member_study(request, user.username, slug, study_id, Action.ASSESS)
        chosen = web_rob.instrument(instrument).id
        return RedirectResponse(
            _link(slug, study_id, "rob", outcome=_outcome(outcome), instrument=chosen), 303
        )

    @app.get("/r/{slug}/rob/figures/{name}")
    def rob_figure(request: Request, user: User, slug: str, name: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        drawn = web_rob.figures(member.store(engine_of(request)))
        if name not in drawn:
            raise NotFoundError(f"no figure {name!r}", hint="the figures follow a consensus")
        return Response(
            drawn[name],
            media_type="image/svg+xml",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )


def _form_data(member: Membership, found: web_rob.RobPage, study_id: int) -> dict[str, Any]:
    return {
        "review": review_of(member),
        "study": {"id": study_id, "label": found.study},
        "outcome": found.outcome,
        "instrument": found.instrument.id,
        "settings": found.settings,
        "own": web_rob.result_data(found.result),
        "asked": found.asked,
        "agreed": web_rob.result_data(found.agreed),
    }


def _form_objects(found: web_rob.RobPage, csrf: str) -> dict[str, Any]:
    """What the HTML page reads besides the JSON twin's data (the same things, as objects)."""
    return {
        "tool": found.instrument,
        "csrf": csrf,
        "own": found.own,
        "result": found.result,
        "agreed": found.agreed,
    }


def _add_form(app: FastAPI) -> None:
    @app.get("/r/{slug}/studies/{study_id}/rob")
    @app.get("/r/{slug}/studies/{study_id}/rob.json")
    def rob_form(
        request: Request,
        user: User,
        slug: str,
        study_id: int,
        outcome: str = "",
        instrument: str = "rob2",
    ) -> Response:
        member, ref = member_study(request, user.username, slug, study_id, Action.ASSESS)
        found = web_rob.rob_page(
            member.store(engine_of(request)),
            ref.label,
            _outcome(outcome),
            instrument,
            user.username,
        )
        extra = _form_objects(found, user.csrf_token)
        return page(request, "rob_study.html", _form_data(member, found, study_id), extra=extra)

    @app.post("/r/{slug}/studies/{study_id}/rob/propose")
    def rob_propose(
        request: Request, user: User, slug: str, study_id: int, posted: Posted
    ) -> Response:
        check_csrf(request, user, one(posted, "csrf"))
        _, ref = member_study(request, user.username, slug, study_id, Action.ASSESS)
        tool = web_rob.instrument(one(posted, "instrument"))
        outcome = _outcome(one(posted, "outcome"))
        found = web_rob.propose_from_form(tool, ref.label, outcome, user.username, posted)
        return JSONResponse(found)

    @app.post("/r/{slug}/studies/{study_id}/rob")
    def rob_save(
        request: Request, user: User, slug: str, study_id: int, posted: Posted
    ) -> Response:
        check_csrf(request, user, one(posted, "csrf"))
        member, ref = member_study(request, user.username, slug, study_id, Action.ASSESS)
        tool = web_rob.instrument(one(posted, "instrument"))
        outcome = _outcome(one(posted, "outcome"))
        assessment = web_rob.assessment_from_form(tool, ref.label, outcome, user.username, posted)
        result = add_assessment(
            member.store(engine_of(request)),
            dump_assessment(assessment),
            path=None,
            actor=user.username,
        )
        if wants_json(request):
            return JSONResponse({"saved": web_rob.proposal(result, tool)})
        target = _link(slug, study_id, "rob", outcome=outcome, instrument=tool.id, saved="1")
        return RedirectResponse(target, 303)


def _add_consensus(app: FastAPI) -> None:
    @app.get("/r/{slug}/studies/{study_id}/rob/compare")
    @app.get("/r/{slug}/studies/{study_id}/rob/compare.json")
    def rob_compare(
        request: Request, user: User, slug: str, study_id: int, outcome: str = ""
    ) -> Response:
        member, ref = member_study(request, user.username, slug, study_id, Action.RESOLVE)
        store = member.store(engine_of(request))
        chosen = _outcome(outcome)
        report = compare_in(store, ref.label, chosen)
        found = web_rob.rob_page(store, ref.label, chosen, "rob2", user.username)
        data = {
            "review": review_of(member),
            "study": {"id": study_id, "label": ref.label},
            "outcome": chosen,
            "report": report,
            "agreed": web_rob.result_data(found.agreed),
        }
        extra = {
            "csrf": user.csrf_token,
            "answers": [a.value for a in Answer],
            "agreed": found.agreed,
            "tool": web_rob.instrument_of(store, ref.label, chosen),
        }
        return page(request, "rob_compare.html", data, extra=extra)

    @app.post("/r/{slug}/studies/{study_id}/rob/consensus")
    def rob_consensus(
        request: Request, user: User, slug: str, study_id: int, posted: Posted
    ) -> Response:
        check_csrf(request, user, one(posted, "csrf"))
        member, ref = member_study(request, user.username, slug, study_id, Action.RESOLVE)
        store = member.store(engine_of(request))
        outcome = _outcome(one(posted, "outcome"))
        report = compare_in(store, ref.label, outcome)
        asked = [(q.domain, q.question) for q in report.questions]
        record = record_consensus(
            store,
            ref.label,
            outcome,
            web_rob.resolutions_from_form(asked, posted),
            decided_by=user.username,
            actor=user.username,
            overrides=_agreed_overrides(posted),
        )
        if wants_json(request):
            return JSONResponse(
                {"consensus": plain(web_rob.proposal(record.result, _tool(record)))}
            )
        return RedirectResponse(_link(slug, study_id, "rob/compare", outcome=outcome), 303)


def _tool(record: ConsensusRecord) -> Instrument:
    return web_rob.instrument(record.assessment.instrument)


def _agreed_overrides(posted: FormData) -> dict[str, Override] | None:
    """The overrides the resolver typed (``override.<domain>``), or None to keep the
    assessors' own (the engine refuses when those differ)."""
    if not any(k.startswith("override.") and v and v[0] for k, v in posted.items()):
        return None
    tool = web_rob.instrument(one(posted, "instrument") or "rob2")
    return web_rob.overrides_from_form(tool, None, posted)
