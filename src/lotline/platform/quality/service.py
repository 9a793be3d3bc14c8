"""Quality queries: inspection results by step, characteristic, outcome and time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lotline.platform.quality.models import QualityResult


def results(
    session: Session,
    organisation_id: int,
    *,
    node: str | None = None,
    characteristic: str | None = None,
    result: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> tuple[list[QualityResult], dict[str, Any]]:
    """Matching results (newest first) and a summary: counts per outcome, min/max/mean value."""
    where = [QualityResult.organisation_id == organisation_id]
    if node:
        where.append(QualityResult.node == node)
    if characteristic:
        where.append(QualityResult.characteristic == characteristic)
    if result:
        where.append(QualityResult.result == result)
    if since is not None:
        where.append(QualityResult.recorded_at >= since)
    if until is not None:
        where.append(QualityResult.recorded_at < until)
    rows = list(
        session.scalars(
            select(QualityResult)
            .where(*where)
            .order_by(QualityResult.recorded_at.desc(), QualityResult.id.desc())
            .limit(limit)
        )
    )
    counts = dict(
        session.execute(
            select(QualityResult.result, func.count()).where(*where).group_by(QualityResult.result)
        ).all()
    )
    low, high, mean = session.execute(
        select(
            func.min(QualityResult.value), func.max(QualityResult.value), func.avg(QualityResult.value)
        ).where(*where)
    ).one()
    summary = {
        "count": sum(counts.values()),
        "by_result": {str(k): v for k, v in counts.items()},
        "min": float(low) if low is not None else None,
        "max": float(high) if high is not None else None,
        "mean": float(mean) if mean is not None else None,
    }
    return rows, summary
