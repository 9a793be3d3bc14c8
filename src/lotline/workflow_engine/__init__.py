"""Lotline workflow engine: flow definitions, static checks and the interpreter (pure library).

No web, database or job code here; the platform stores flows and instance states and performs the
actions this library decides. Typical use::

    from lotline.workflow_engine import check_flow, load_flow, start, enabled, submit

    problems = check_flow(document, forms)          # before publishing
    flow = load_flow(document)                      # once per published version
    state = start(flow)
    decision = submit(flow, state, "final_test", {"data": {...}, "result": {"passed": True}},
                      {"roles": ["operator"], "station": "ST-9", "item": {...}, "now": "..."})
    if decision.accepted:
        state = decision.state                      # store state.to_dict(); perform actions
"""

from lotline.workflow_engine import compliance as _compliance  # noqa: F401  (registers FSMA 204)
from lotline.workflow_engine import messages as _messages  # noqa: F401  (registers the catalogue)
from lotline.workflow_engine.checks import (
    Check,
    check_flow,
    known_var,
    register_check,
    registered_checks,
    unregister_check,
)
from lotline.workflow_engine.definition import (
    ACTION_TYPES,
    EVENT_TYPES,
    ITEM_FACTS,
    ITEM_STATUSES,
    NODE_TYPES,
    RESULT_KEYS,
    SUBJECT_KINDS,
    Flow,
    FormInfo,
    FormRef,
    Node,
    Rules,
    Transition,
    flow_schema,
    load_flow,
)
from lotline.workflow_engine.inputs import Context, Step, Submission
from lotline.workflow_engine.interpreter import (
    Decision,
    NodeStatus,
    ReplayError,
    TakenTransition,
    enabled,
    replay,
    start,
    submit,
)
from lotline.workflow_engine.messages import MESSAGES
from lotline.workflow_engine.state import INSTANCE_STATUSES, NODE_STATUSES, State
from lotline.workflow_engine.upgrades import (
    FLOW_FORMAT_VERSION,
    FLOW_UPGRADES,
    STATE_UPGRADES,
    STATE_VERSION,
    UpgradeRegistry,
    upgrade_flow,
    upgrade_state,
)

__all__ = [
    "ACTION_TYPES",
    "EVENT_TYPES",
    "FLOW_FORMAT_VERSION",
    "FLOW_UPGRADES",
    "INSTANCE_STATUSES",
    "ITEM_FACTS",
    "ITEM_STATUSES",
    "MESSAGES",
    "NODE_STATUSES",
    "NODE_TYPES",
    "RESULT_KEYS",
    "STATE_UPGRADES",
    "STATE_VERSION",
    "SUBJECT_KINDS",
    "Check",
    "Context",
    "Decision",
    "Flow",
    "FormInfo",
    "FormRef",
    "Node",
    "NodeStatus",
    "ReplayError",
    "Rules",
    "State",
    "Step",
    "Submission",
    "TakenTransition",
    "Transition",
    "UpgradeRegistry",
    "check_flow",
    "enabled",
    "flow_schema",
    "known_var",
    "load_flow",
    "register_check",
    "registered_checks",
    "replay",
    "start",
    "submit",
    "unregister_check",
    "upgrade_flow",
    "upgrade_state",
]
