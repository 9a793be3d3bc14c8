"""Numbering rules for items a node creates, e.g. ``LOT-{site}-{date:%y%m%d}-{seq:04}``.

A rule is a template with placeholders: ``{site}`` and ``{line}`` (codes), ``{material}``,
``{date:<strftime>}`` (the event's local date), ``{seq:<width>}`` (a counter). The counter's
scope is the rule with every placeholder but ``seq`` filled in, so a ``{date}`` in the rule
makes it a daily sequence and a ``{site}`` a per-site one. Counters live in
``number_sequence`` and are taken under a row lock, so concurrent captures never share a number.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.genealogy.models import Sequence

_PLACEHOLDER = re.compile(r"\{(site|line|material|station|date|seq)(?::([^}]*))?\}")

register_messages(
    {
        "numbering_bad_rule": {
            "en": "The numbering rule {rule} is not valid: {detail}.",
            "zh-CN": "编号规则 {rule} 无效：{detail}。",
        }
    }
)


def next_number(
    session: Session, organisation_id: int, rule: str, when: datetime, values: dict[str, Any]
) -> str:
    """The next identifier for ``rule`` (the caller's transaction holds the counter row)."""
    if "{seq" not in rule:
        raise ProblemsError(
            [Problem(("numbering",), "numbering_bad_rule", {"rule": rule, "detail": "no {seq}"})]
        )

    def fill(match: re.Match[str], seq: int | None) -> str:
        name, spec = match.group(1), match.group(2)
        if name == "date":
            return when.strftime(spec or "%Y%m%d")
        if name == "seq":
            return f"{seq:0{int(spec or 4)}d}" if seq is not None else "{seq}"
        return str(values.get(name) or "")

    scope = _PLACEHOLDER.sub(lambda m: fill(m, None), rule)
    counter = session.scalar(
        select(Sequence)
        .where(Sequence.organisation_id == organisation_id, Sequence.name == scope)
        .with_for_update()
    )
    if counter is None:
        counter = Sequence(organisation_id=organisation_id, name=scope, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return _PLACEHOLDER.sub(lambda m: fill(m, counter.value), rule)
