"""Risk-of-bias instruments (RoB 2, ROBINS-I) declared as data and run by one engine.

Typical use: ``assess(load_assessment(text))`` gives a :class:`Result` with each domain's
proposed and final judgment and the overall judgment; ``rob_json`` turns results into the
document written as OUT/rob.json; :mod:`evidens.rob.robvis` reads and writes robvis CSV;
:mod:`evidens.rob.dual` compares two assessors and records their consensus.
"""

from evidens.rob.engine import OVERALL, assess, fired_rules, overall, propose
from evidens.rob.files import (
    dump_assessment,
    dump_assessments,
    load_assessment,
    load_assessments,
    rob_json,
)
from evidens.rob.instrument import Domain, Instrument, Question, get_instrument, parse_instrument
from evidens.rob.model import Answer, Assessment, DomainResult, Judgment, Override, Result

__all__ = [
    "OVERALL",
    "Answer",
    "Assessment",
    "Domain",
    "DomainResult",
    "Instrument",
    "Judgment",
    "Override",
    "Question",
    "Result",
    "assess",
    "dump_assessment",
    "dump_assessments",
    "fired_rules",
    "get_instrument",
    "load_assessment",
    "load_assessments",
    "overall",
    "parse_instrument",
    "propose",
    "rob_json",
]
