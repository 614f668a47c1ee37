"""Knee, counting-process, target, random-sample and SAFE rules, and their replay, on
sequences whose answer can be worked out by hand; properties checked with hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import hypergeom

from evidens.errors import ValidationError
from evidens.screening.stopping import (
    _smallest_p,
    _tail_p_values,
    hypergeometric_cdf,
    hypergeometric_stop,
    remaining_upper_bound,
)
from evidens.screening.stopping_curves import RateFit, counting_process_stop, knee_stop
from evidens.screening.stopping_rules import (
    DEFAULT_RULE,
    hindsight_saved,
    live_reports,
    replay,
    rules,
)
from evidens.screening.stopping_sampled import (
    RandomSample,
    safe_first_stop,
    sample_estimate_stop,
    target_size,
    target_stop,
)


def test_knee_threshold_with_few_relevant_found() -> None:
    # 10 relevant then z irrelevant: the knee is at 10, the ratio (10/10)/(1/z) = z, and
    # with 10 relevant before the knee the threshold is 6 + 150 - 10 = 146.
    assert not knee_stop([1] * 10 + [0] * 145, 1000).stop
    report = knee_stop([1] * 10 + [0] * 146, 1000)
    assert report.stop
    assert "Knee at record 10" in report.detail
    assert "threshold of 146" in report.detail
    assert report.recall_low is None  # a heuristic: no probability statement


def test_knee_threshold_is_six_once_150_relevant_are_found() -> None:
    assert not knee_stop([1] * 200 + [0] * 5, 1000).stop
    assert knee_stop([1] * 200 + [0] * 6, 1000).stop


def test_rate_fit_at_a_flat_rate_expects_the_same_density_in_the_rest() -> None:
    ranks = np.array([3.0, 10.0, 40.0])
    for shape in ("power", "exponential"):
        fit = RateFit(ranks, 50, 200, shape)
        # k = 0 is a constant rate: 3 relevant in 50 ranks predicts 3·150/50 = 9 more.
        assert fit.expected_remaining(0.0) == pytest.approx(9.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 300), min_size=3, max_size=40, unique=True),
    st.sampled_from(["power", "exponential"]),
)
def test_rate_fit_solves_its_score_equation(ranks: list[int], shape: str) -> None:
    """At the maximum-likelihood exponent the mean of g(x) over the relevant ranks equals
    its rate-weighted mean over all screened ranks (the derivative of the profile is zero),
    unless the optimum sits on the edge of the searched range."""
    screened, total = 300, 1000
    fit = RateFit(np.array(sorted(ranks), dtype=float), screened, total, shape)
    low, high = fit.range
    if not low + 1e-3 < fit.k < high - 1e-3:
        return
    g = fit.log_x[:screened]
    weights = np.exp(fit.k * g)
    observed = fit.sum_log_ranks / len(ranks)
    assert observed == pytest.approx(float((weights * g).sum() / weights.sum()), abs=1e-3)


def test_counting_process_waits_for_its_minimum_sample() -> None:
    report = counting_process_stop([1] * 25 + [0] * 200, 1000)  # 22.5% screened
    assert not report.stop
    assert "waits for 30%" in report.detail


def test_counting_process_stops_after_a_cliff_and_not_on_a_flat_rate() -> None:
    cliff = [1] * 40 + [0] * 460  # all 40 in the first 40 ranks, then half the set empty
    report = counting_process_stop(cliff, 1000, shape="exponential", rate_uncertainty=True)
    assert report.stop
    assert report.remaining_high is not None
    assert report.remaining_high <= 2  # 40/(40 + 2) ≥ 0.95
    flat = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] * 50  # one in ten, half the set screened
    report = counting_process_stop(flat, 1000, shape="exponential", rate_uncertainty=True)
    assert not report.stop
    assert report.remaining_estimate is not None
    assert report.remaining_estimate > 20  # about 50 more at the same rate


def test_published_counting_process_cannot_stop_with_few_relevant_records() -> None:
    # The paper's Poisson quantile covers the whole set's count: with 40 found the 95%
    # quantile of Poisson(40) is 51, and 40 < 0.95·51, however empty the rest looks.
    report = counting_process_stop([1] * 40 + [0] * 900, 1000)
    assert not report.stop
    assert report.remaining_high == 11


def test_target_set_sizes_are_cormack_and_grossmans() -> None:
    assert target_size(0.95, 0.95) == 60  # ⌈ln 20 / 0.05⌉ = ⌈59.9⌉
    assert target_size(0.70, 0.95) == 10  # their 70%-recall setting


def test_target_method_stops_when_every_target_has_come_up() -> None:
    sample_labels = (1,) * 60 + (0,) * 40
    reached = (True,) * 59 + (False,) + (False,) * 40
    labels = [1] * 59 + [0] * 100
    report = target_stop(labels, 1000, RandomSample(sample_labels, reached))
    assert not report.stop
    assert "59 of the 60 targets" in report.detail
    assert report.records_screened == 159 + 41  # the unreached sample counts once
    assert report.relevant_found == 60
    done = target_stop(labels, 1000, RandomSample(sample_labels, (True,) * 60 + (False,) * 40))
    assert done.stop
    assert done.recall_low == pytest.approx(0.05 ** (1 / 60))
    short = target_stop(labels, 1000, RandomSample((1, 0), (True, True)))
    assert not short.stop
    assert "1 of the 60 targets" in short.detail


@given(st.integers(1, 3000), st.data())
def test_hypergeometric_cdf_matches_scipy(urn: int, data: st.DataObject) -> None:
    relevant = data.draw(st.integers(0, urn))
    draws = data.draw(st.integers(0, urn))
    k = data.draw(st.integers(0, min(draws, relevant, 300)))
    ours = float(hypergeometric_cdf(k, urn, relevant, draws))
    assert ours == pytest.approx(float(hypergeom.cdf(k, urn, relevant, draws)), rel=1e-8, abs=1e-12)


def test_hypergeometric_cdf_hands_very_large_inputs_to_scipy() -> None:
    k = np.arange(0, 2000)
    ours = hypergeometric_cdf(k, 5000, 2500, 3000)  # 2000 × 2000 terms: over the bound
    assert np.allclose(ours, hypergeom.cdf(k, 5000, 2500, 3000))


def test_remaining_upper_bound_by_hand() -> None:
    # No hit in 10 draws from a pool of 20: P(no hit | U) = C(20-U, 10)/C(20, 10) is 0.105
    # for U = 3 and 0.043 for U = 4, so 3 is the largest not rejected at 5%.
    assert remaining_upper_bound(10, 10, 0, 0.05) == 3
    assert remaining_upper_bound(0, 10, 0, 0.05) == 0
    # 200 unscreened, 5 drawn, none relevant: far more than 64 hidden ones stay possible.
    assert remaining_upper_bound(200, 5, 0, 0.05) > 64
    assert math.comb(17, 10) / math.comb(20, 10) > 0.05 > math.comb(16, 10) / math.comb(20, 10)


@given(st.integers(1, 200), st.integers(1, 100), st.integers(0, 20))
def test_remaining_upper_bound_grows_with_hits(unscreened: int, drawn: int, hits: int) -> None:
    hits = min(hits, drawn)
    bound = remaining_upper_bound(unscreened, drawn, hits, 0.05)
    assert 0 <= bound <= unscreened
    pool = unscreened + drawn
    # (1e-9: where the exact probability is 0.05 itself, rounding decides either way)
    assert hypergeom.cdf(hits, pool, hits + bound, drawn) >= 0.05 - 1e-9  # not rejected
    if bound < unscreened:  # and one more hidden relevant record would be
        assert hypergeom.cdf(hits, pool, hits + bound + 1, drawn) < 0.05 + 1e-9
    if hits < drawn:
        assert remaining_upper_bound(unscreened, drawn, hits + 1, 0.05) >= bound


def test_random_sample_estimate_reads_only_the_unreached_sample() -> None:
    labels = [1] * 20 + [0] * 80
    nothing_beyond = RandomSample((1, 0), (True, True))
    assert not sample_estimate_stop(labels, 200, nothing_beyond).stop
    # 90 sampled records beyond the queue, none relevant; 10 records left unscreened: at most
    # 0 or 1 relevant there, and 20/21 ≥ 0.95.
    sample = RandomSample((0,) * 90, (False,) * 90)
    report = sample_estimate_stop(labels, 200, sample)
    assert report.records_screened == 190
    assert report.remaining_high is not None
    assert report.remaining_high <= 1
    assert report.stop
    assert "random sample of 90" in report.methods_text()


def test_sample_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValidationError, match="reached"):
        RandomSample((1, 0), (True,))


def test_safe_needs_every_condition() -> None:
    labels = [1] * 5 + [0] * 60
    sample = RandomSample((1,) + (0,) * 99, (True,) + (False,) * 99)  # 1% → 10 expected
    report = safe_first_stop(labels, 1000, sample)
    assert report.records_screened == 164
    assert report.stop
    assert not safe_first_stop(labels, 2000, sample).stop  # 164 < 10% of 2000
    assert not safe_first_stop(labels[:54], 1000, sample).stop  # run of 49
    assert "twice the 10 relevant" in report.detail


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=120), st.integers(0, 200))
def test_every_plain_rule_reports_consistent_numbers(labels: list[int], extra: int) -> None:
    total = len(labels) + extra
    for report in live_reports(labels, total):
        assert report.records_screened == len(labels)
        assert report.relevant_found == sum(labels)
        if report.recall_low is not None and report.recall_estimate is not None:
            assert 0 <= report.recall_low <= report.recall_estimate + 1e-12 <= 1 + 1e-12
        if report.remaining_high is not None:
            assert report.remaining_high >= 0
        text = report.methods_text()
        assert ("may stop" in text) != ("continues" in text)  # one verdict, never both


@given(st.lists(st.integers(0, 1), min_size=5, max_size=80), st.integers(0, 100))
def test_hypergeometric_stops_at_lower_confidence_whenever_it_stops_at_higher(
    labels: list[int], extra: int
) -> None:
    total = len(labels) + extra
    if hypergeometric_stop(labels, total, confidence=0.95).stop:
        assert hypergeometric_stop(labels, total, confidence=0.8).stop


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=1, max_size=150),
    st.integers(0, 300),
    st.sampled_from([0.5, 0.8, 0.95]),
    st.integers(0, 20),
)
def test_smallest_p_over_candidate_tails_equals_the_full_search(
    labels: list[int], extra: int, target: float, first: int
) -> None:
    """Only tails that end just short of a relevant record can hold the minimum p: the fast
    search must agree with the p-value of every tail length, and with its shortest argmin."""
    y = np.asarray(labels)
    first = min(first, len(y) - 1)
    if not y.sum():
        return
    every = _tail_p_values(y, len(y) + extra, target, first)
    p_value, length = _smallest_p(y, len(y) + extra, target, first)
    assert p_value == pytest.approx(float(every.min()), rel=1e-9, abs=1e-300)
    assert every[length - 1] == pytest.approx(p_value, rel=1e-9, abs=1e-300)
    if p_value == 0:
        assert length == int(np.argmin(every)) + 1


def test_default_rule_comes_first_and_needs_no_sample() -> None:
    specs = rules()
    assert specs[0].key == DEFAULT_RULE
    assert specs[0].plain is not None
    assert len({spec.key for spec in specs}) == len(specs)


def test_replay_finds_each_rules_first_stop() -> None:
    labels = [1, 0] + [1] * 8 + [0] * 190  # 9 relevant, all in the first 10 of 200
    draw = list(range(199, -1, -1))  # a "random" order that draws from the end first
    outcomes = {o.key: o for o in replay(labels, 200, draw_order=draw)}
    consecutive = outcomes["consecutive-50"]
    assert consecutive.stopped_at == 60  # checked every 10: the run reaches 50 at 60
    assert consecutive.recall == 1.0
    assert consecutive.saved == pytest.approx(0.7)
    assert outcomes[DEFAULT_RULE].default
    assert sum(o.default for o in outcomes.values()) == 1
    target = outcomes["target"]
    assert target.stopped_at == 200  # only 9 relevant: the target set is never complete
    row = consecutive.as_dict("by hand")
    assert row["rule"] == "consecutive-50"
    assert "Records were screened by hand." in str(row["methods_text"])


def test_replay_without_a_whole_run_leaves_sampled_rules_out() -> None:
    outcomes = {o.key: o for o in replay([1, 0, 1, 0], 100, draw_order=[0, 1, 2])}
    assert outcomes["target"].report is None
    assert outcomes["target"].stopped_at is None


def test_hindsight_optimum_by_hand() -> None:
    # 3 relevant: 95% recall needs all 3, reached at the 4th record of 10.
    assert hindsight_saved([1, 1, 0, 1, 0, 0, 0, 0, 0, 0]) == pytest.approx(0.6)
    # 40 relevant: 95% needs 38; the 38th comes at record 38 of 100.
    assert hindsight_saved([1] * 40 + [0] * 60) == pytest.approx(0.62)
