"""Named, one-step upgrade functions for the engine's serialised formats.

Two formats are versioned independently:

- the **flow definition** (``format_version`` in the document, see ``definition.py``);
- the **instance state** (``state_version`` in the state, see ``state.py``).

Each registry holds functions that take a document at version *N* and return a new document at
version *N + 1* (they never mutate their input). ``upgrade`` chains them until the target version
and returns the new document together with the names of the functions applied, so the platform can
log exactly what happened. A published flow is never rewritten in place: the platform upgrades a
copy when it loads it, and a running instance keeps pointing at the version it started with.

Adding a format version ``N + 1`` therefore means: bump the ``CURRENT`` constant, add the new
meta-schema, and register ``@FLOW_UPGRADES.register(N)`` with a descriptive function name
(``def v1_to_v2_split_rules_into_checks(doc): ...``). Version 1 is the first released format, so
both registries are empty today; the mechanism is exercised by the unit tests.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lotline.form_engine.problems import Problem, ProblemsError

Document = dict[str, Any]
UpgradeFn = Callable[[Document], Document]


@dataclass(frozen=True)
class Upgrade:
    """One registered step: ``fn`` turns a version ``from_version`` document into the next one."""

    from_version: int
    name: str
    fn: UpgradeFn


@dataclass
class UpgradeRegistry:
    """Upgrade steps for one format, keyed by the version they upgrade *from*."""

    kind: str
    version_key: str
    current: int
    steps: dict[int, Upgrade] = field(default_factory=dict)

    def register(self, from_version: int, name: str | None = None) -> Callable[[UpgradeFn], UpgradeFn]:
        """Decorator: register ``fn`` as the upgrade from ``from_version`` to the next version."""

        def decorate(fn: UpgradeFn) -> UpgradeFn:
            if from_version in self.steps:
                raise ValueError(
                    f"{self.kind}: an upgrade from version {from_version} is already registered "
                    f"({self.steps[from_version].name})"
                )
            self.steps[from_version] = Upgrade(from_version, name or fn.__name__, fn)
            return fn

        return decorate

    def version_of(self, document: Mapping[str, Any]) -> int:
        value = document.get(self.version_key, 0)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def upgrade(self, document: Mapping[str, Any], target: int | None = None) -> tuple[Document, list[str]]:
        """Return ``(upgraded copy, names of the functions applied)``.

        A document already at (or above) the target is returned as a copy with no names; the
        caller decides whether a newer-than-supported version is an error. A missing step raises
        ``ProblemsError`` with ``upgrade.missing``.
        """
        goal = self.current if target is None else target
        doc: Document = copy.deepcopy(dict(document))
        applied: list[str] = []
        version = self.version_of(doc)
        while version < goal:
            step = self.steps.get(version)
            if step is None:
                raise ProblemsError(
                    [
                        Problem(
                            (self.version_key,),
                            "upgrade.missing",
                            {"kind": self.kind, "found": version, "target": goal},
                        )
                    ],
                    code="upgrade_missing",
                )
            doc = step.fn(copy.deepcopy(doc))
            new_version = self.version_of(doc)
            if new_version != version + 1:
                raise RuntimeError(
                    f"{self.kind} upgrade {step.name} produced version {new_version}, expected {version + 1}"
                )
            applied.append(step.name)
            version = new_version
        return doc, applied


FLOW_FORMAT_VERSION = 1
STATE_VERSION = 1

FLOW_UPGRADES = UpgradeRegistry("flow", "format_version", FLOW_FORMAT_VERSION)
STATE_UPGRADES = UpgradeRegistry("state", "state_version", STATE_VERSION)


def upgrade_flow(document: Mapping[str, Any]) -> tuple[Document, list[str]]:
    """Upgrade a flow definition to ``FLOW_FORMAT_VERSION`` with the registered named steps."""
    return FLOW_UPGRADES.upgrade(document)


def upgrade_state(document: Mapping[str, Any]) -> tuple[Document, list[str]]:
    """Upgrade a serialised instance state to ``STATE_VERSION`` with the registered named steps."""
    return STATE_UPGRADES.upgrade(document)
