"""Helpers for demo-data recipes: a plant's history through the public HTTP API only.

A recipe gets ``client`` (anything with ``get(path)`` and ``post(path, json=…)`` answering like
Flask's test client or a ``requests`` wrapper) and drives the same endpoints a tablet or an
integration would: master data, users, ``/api/records/batch`` for captures. Nothing here touches
the database; a recipe is therefore as good a test of the API as of the pack.

``Recipe`` queues captures and sends them in batches (each record is still accepted or refused on
its own, in order, so a record may use what an earlier one in the same batch created). Every
refusal that was not expected stops the recipe with the server's reasons.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any


def with_check_digit(body: str) -> str:
    """A GS1 key (GTIN, SSCC, GLN …) from its digits without the check digit (mod 10, 3-1 weights)."""
    digits = [int(c) for c in body]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return body + str((10 - total % 10) % 10)


class RecipeError(RuntimeError):
    """The server refused something the recipe expected to be accepted (or the reverse)."""


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


class Recipe:
    """A recipe run: clock, random numbers (seeded: the same history every time), batching."""

    def __init__(
        self,
        client: Any,
        *,
        pack: str,
        scale: float = 1.0,
        seed: int = 7,
        days: int = 5,
        utc_offset: str = "+00:00",
        now: datetime | None = None,
        batch_size: int = 250,
    ) -> None:
        self.client, self.pack, self.scale, self.days = client, pack, scale, days
        self.random = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        self.zone = _offset(utc_offset)
        now = (now or datetime.now(UTC)).astimezone(self.zone)
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.first_day = today - timedelta(days=days)  # the history ends yesterday
        self.batch_size = batch_size
        self.run_id = secrets.token_hex(4)
        self.queue: list[tuple[dict[str, Any], str]] = []
        self.sequence = 0
        self.stats: Counter[str] = Counter()
        self.summary: dict[str, Any] = {"pack": pack, "scale": scale, "days": days}

    # --- sizes and time ---------------------------------------------------------------------

    def count(self, base: int, minimum: int = 1) -> int:
        """``base`` scaled, at least ``minimum``."""
        return max(minimum, round(base * self.scale))

    def at(self, day: int, hour: float, jitter_minutes: int = 0) -> str:
        """ISO time with the plant's offset: ``day`` 0 is the first day of the history."""
        minutes = hour * 60 + (self.random.randint(0, jitter_minutes) if jitter_minutes else 0)
        moment = self.first_day + timedelta(days=day, minutes=minutes)
        return moment.isoformat()

    def date(self, day: int) -> str:
        return (self.first_day + timedelta(days=day)).date().isoformat()

    def chance(self, probability: float) -> bool:
        return self.random.random() < probability

    # --- plain API calls --------------------------------------------------------------------

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        if response.status_code != 200:
            raise RecipeError(f"GET {path}: {response.status_code} {response.get_json()}")
        return response.get_json()

    def post(self, path: str, body: Mapping[str, Any], accept: tuple[int, ...] = (200, 201)) -> Any:
        response = self.client.post(path, json=dict(body))
        if response.status_code not in accept:
            raise RecipeError(f"POST {path}: {response.status_code} {response.get_json()}")
        return response.get_json()

    def person(self, username: str, full_name: str, *roles: str) -> dict[str, str]:
        """A demo user with a random password known only to this run (for e-signatures).

        Returns ``{"username", "password"}``; an existing user of that name is an error, so a
        recipe never learns or changes a real person's credentials.
        """
        password = "Demo-" + secrets.token_urlsafe(12)
        self.post(
            "/api/users",
            {
                "username": username,
                "full_name": full_name,
                "password": password,
                "roles": [{"role": role, "site_id": None} for role in roles],
            },
        )
        return {"username": username, "password": password}

    # --- captures ---------------------------------------------------------------------------

    def record(
        self,
        flow: str,
        node: str,
        subject: str,
        payload: Mapping[str, Any],
        *,
        station: str,
        at: str,
        signatures: list[dict[str, Any]] | None = None,
        expect: str = "accepted",
    ) -> None:
        """Queue one capture (``expect="rejected"`` for a deliberate error-proofing refusal)."""
        self.sequence += 1
        body: dict[str, Any] = {
            "idempotency_key": f"{self.pack}-demo-{self.run_id}-{self.sequence:07d}",
            "flow": flow,
            "node": node,
            "subject": subject,
            "station": station,
            "event_time": at,
            "payload": dict(payload),
        }
        if signatures:
            body["signatures"] = signatures
        self.queue.append((body, expect))
        if len(self.queue) >= self.batch_size:
            self.flush()

    def now(
        self,
        flow: str,
        node: str,
        subject: str,
        payload: Mapping[str, Any],
        *,
        station: str,
        at: str,
        **kw: Any,
    ) -> dict[str, Any]:
        """Capture at once (after what is queued) and return the server's answer."""
        self.record(flow, node, subject, payload, station=station, at=at, **kw)
        return self.flush()[-1]

    def flush(self) -> list[dict[str, Any]]:
        """Send what is queued; every answer must match its expectation."""
        queued, self.queue = self.queue, []
        answers: list[dict[str, Any]] = []
        for start in range(0, len(queued), self.batch_size):
            chunk = queued[start : start + self.batch_size]
            result = self.post("/api/records/batch", {"records": [body for body, _ in chunk]})
            for (body, expect), answer in zip(chunk, result["results"], strict=True):
                if answer["status"] != expect:
                    reasons = "; ".join(
                        e.get("message", "") for e in answer.get("errors") or []
                    ) or answer.get("message", "")
                    raise RecipeError(
                        f"{body['flow']}/{body['node']} {body['subject']}: {answer['status']}, "
                        f"expected {expect}: {reasons}"
                    )
                self.stats[answer["status"]] += 1
                self.stats["items"] += len(answer.get("created_items") or [])
                answers.append(answer)
        return answers

    def finish(self, **summary: Any) -> dict[str, Any]:
        self.flush()
        return {
            **self.summary,
            **summary,
            "records": self.stats["accepted"],
            "refused_on_purpose": self.stats["rejected"],
            "items": self.stats["items"],
        }
