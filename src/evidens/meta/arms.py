"""Effect sizes from the review's extracted arm data (:class:`evidens.core.ArmData`).

Why a separate entry point: services hold one pair of arms per study and outcome; this turns
them into one :class:`EffectSizes` with the review defaults (studies without events in both arms
excluded from ratio measures, Peto without correction) so a caller never re-implements them.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidens.core import ArmData
from evidens.errors import ValidationError
from evidens.meta.effects import (
    BINARY_MEASURES,
    EffectSizes,
    binary_effects,
    continuous_effects,
)


def effects_from_arms(
    measure: str,
    studies: Sequence[tuple[str, ArmData, ArmData]],
    *,
    groups: Sequence[str] | None = None,
    add: float = 0.5,
    vtype: str = "LS",
) -> EffectSizes:
    """``(label, treatment arm, control arm)`` per study → effect sizes for ``measure``.

    Binary measures read ``events``/``total``; MD and SMD read ``mean``/``sd``/``n``.
    """
    m = measure.upper()
    labels = [s[0] for s in studies]
    if m in BINARY_MEASURES:
        cols = [
            [_need(arm, f, label) for label, *arms in studies for arm in [arms[j]]]
            for j, f in ((0, "events"), (0, "total"), (1, "events"), (1, "total"))
        ]
        ai, n1, ci, n2 = cols
        for label, a, n in zip(labels * 2, ai + ci, n1 + n2, strict=True):
            if a > n:
                raise ValidationError(
                    f"{label}: {a:g} events out of {n:g} participants",
                    field="events",
                    hint="events cannot exceed the total",
                )
        es = binary_effects(
            m,
            ai=ai,
            ci=ci,
            n1i=n1,
            n2i=n2,
            labels=labels,
            add=0.0 if m == "PETO" else add,
            to="none" if m == "PETO" else "only0",
            drop00=m != "RD",
        )
    else:
        cols = [
            [_need(arms[j], f, label) for label, *arms in studies]
            for j, f in ((0, "mean"), (0, "sd"), (0, "n"), (1, "mean"), (1, "sd"), (1, "n"))
        ]
        es = continuous_effects(
            m,
            m1i=cols[0],
            sd1i=cols[1],
            n1i=cols[2],
            m2i=cols[3],
            sd2i=cols[4],
            n2i=cols[5],
            labels=labels,
            vtype="UB" if vtype == "UB" else "LS",
        )
    if groups is not None:
        from dataclasses import replace

        es = replace(es, groups=tuple(str(g) for g in groups))
    return es


def _need(arm: ArmData, name: str, label: str) -> float:
    value = getattr(arm, name)
    if value is None:
        raise ValidationError(
            f"{label}: arm {arm.arm!r} has no {name}",
            field=name,
            hint="extract it, or leave the study out of this analysis",
        )
    return float(value)
