"""Run the engine over the network golden cases (``rma.mv.nma`` in the rma.mv golden file)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from evidens.meta.golden_mv import fit_json
from evidens.meta.mv_profile import profile_ci
from evidens.meta.nma import NetworkMetaAnalysis, NetworkResult, league_json
from evidens.meta.nma_data import NetworkArm, NetworkContrasts, contrasts_from_arms

Case = Mapping[str, Any]
Json = dict[str, Any]


def dataset_contrasts(dataset: Case, spec: Case) -> NetworkContrasts:
    cols = dataset["columns"]
    binary = dataset["type"] == "nma_arms_binary"
    arms = [
        NetworkArm(
            str(cols["study"][i]),
            str(cols["treatment"][i]),
            float(cols["ni"][i]),
            events=float(cols["xi"][i]) if binary else None,
            mean=None if binary else float(cols["mi"][i]),
            sd=None if binary else float(cols["sdi"][i]),
        )
        for i in range(len(cols["study"]))
    ]
    return contrasts_from_arms(
        arms,
        spec["measure"],
        treatments=dataset["treatments"],
        add=float(spec.get("add", 0.5)) if spec.get("to", "all") == "all" else 0.0,
    )


def case_nma(case: Case, dataset: Case) -> Json:
    s, ref = case["spec"], case["result"]
    con = dataset_contrasts(dataset, s)
    model = s["model"]
    analysis = NetworkMetaAnalysis(
        model="FE"
        if model == "design_by_treatment" and s["method"] == "FE"
        else ("RE" if model == "design_by_treatment" else model),
        method=s["method"],
        reference=s["reference"],
        small_values=s.get("pscore_small_values", "good"),
        level=float(s.get("level", 95)),
    )
    common: Json = {
        "n_studies": len(set(con.study)),
        "n_designs": len(set(con.design)),
        "input_t1": list(con.t1),
        "input_t2": list(con.t2),
        "input_design": list(con.design),
        "input_comp": list(con.comp),
    }
    if model == "design_by_treatment":
        return common | _dbt(analysis, con)
    res = analysis.fit(con)
    out = common | fit_json(res.fit) | _nma_extras(res)
    return out | profile_ci(res.fit, ref)


def _nma_extras(res: NetworkResult) -> Json:
    m = res.pscore_matrix()
    return {
        "treatments": list(res.treatments),
        "reference": res.reference,
        "n_treatments": len(res.treatments),
        "input_X": res.fit.X.tolist(),
        "pscore_small_values": res.small_values,
        "pscore": [float(x) for x in res.pscores()],
        "pscore_matrix": [[None if math.isnan(x) else float(x) for x in row] for row in m],
        "league": league_json(res.league()),
    }


def _dbt(analysis: NetworkMetaAnalysis, con: NetworkContrasts) -> Json:
    t = analysis.inconsistency(con)
    fit = t.fit
    out: Json = {
        "k": fit.k,
        "p": fit.p,
        "designs": list(t.designs),
        "n_design_parameters": fit.p,
        "inconsistency_df": t.df,
        "QM": t.QM,
        "QMdf": t.df,
        "QMp": t.pval,
        "QE": fit.QE,
        "QE_df": fit.k - fit.p,
        "QEp": fit.QEp,
    }
    if analysis.model == "FE":
        from scipy import stats

        k, p0 = fit.k, fit.p - t.df
        out |= {
            "Q_total": t.Q_total,
            "Q_total_df": k - p0,
            "Q_within_designs": t.Q_within,
            "Q_within_designs_df": k - fit.p,
            "Q_within_designs_p": fit.QEp,
            "Q_between_designs": t.Q_between,
            "Q_between_designs_df": t.df,
            "Q_between_designs_p": float(stats.chi2.sf(t.Q_between, t.df)),
        }
    else:
        full = fit_json(fit)
        out |= {k: full[k] for k in ("tau2", "tau", "rho", "struct", "tau2_fixed", "rho_fixed")}
        out |= {"logLik": full["logLik"], "n_parms": full["n_parms"]}
    return out
