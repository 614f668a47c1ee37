"""Title/abstract and full-text screening: blinding rules, conflicts, agreement statistics,
prioritisation and stopping rules.

Modules (imported one by one, so a command that only simulates does not pay for scipy.stats):

* :mod:`~evidens.screening.workflow` - record status, blinding (``visible_decisions``);
* :mod:`~evidens.screening.highlight` - include/exclude term spans in title and abstract;
* :mod:`~evidens.screening.agreement` - kappa, PABAK, AC1 with CIs; pilot samples;
* :mod:`~evidens.screening.ranking` - prioritisation with "why" terms (warm ``Ranker``);
* :mod:`~evidens.screening.simulate` / :mod:`~evidens.screening.metrics` - simulated screening
  and ASReview-compatible metrics; :mod:`~evidens.screening.plot` - the recall curve;
* :mod:`~evidens.screening.stopping` - hypergeometric test and heuristics, with a report;
  :mod:`~evidens.screening.stopping_curves` (knee, counting process) and
  :mod:`~evidens.screening.stopping_sampled` (target, random sample, SAFE);
  :mod:`~evidens.screening.stopping_rules` names them, marks the default and replays them.
"""
