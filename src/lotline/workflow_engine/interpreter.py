"""The interpreter: pure functions from (flow, state, input) to a new state and a decision.

- ``start(flow)``                               the initial ``State`` (status ``ready``).
- ``enabled(flow, state, context)``             one ``NodeStatus`` per node: enabled, or why not.
- ``submit(flow, state, node, submission, context)``  a ``Decision``: accepted with the new state,
  the transitions taken and the actions to perform; or rejected with every problem.
- ``replay(flow, steps)``                       the state rebuilt from accepted steps.

Token semantics (states are documented in ``state.py``)

- Where the subject is, is marked by tokens. A node is *in sequence* when it holds a token.
- Submitting at a node consumes one of its tokens, counts a completion, stores the result, and
  chooses the way out: the node's parallel transitions all at once (a split; each new token
  remembers its branch), else the first transition in document order whose condition holds, else
  the node's ``default`` transition. None -> the submission is rejected (``step.no_transition``).
- Entering a node whose ``max_repeats`` completions are used up sends the token to the node's
  ``on_exhausted`` node instead (e.g. scrap after the third rework); without one the submission is
  rejected (``step.repeats_exhausted``).
- A token arriving at a ``join`` node out of a branch of the split that join matches waits
  (``waiting_join``) until every branch of that split firing has arrived; then one token continues
  with the outer branch stack. Other tokens (e.g. back from a rework loop) pass the join.
- Completing an end node completes the instance; tokens still elsewhere are cancelled.
- A token at a ``skippable`` node lets a worker submit at the node after it directly: the skipped
  node becomes ``skipped`` and its token follows the node's skip route (see ``Flow.skip_route``),
  possibly across several skippable nodes.
- ``anytime`` nodes need no token and move none.

Replay re-runs the same code, so it reproduces the live state exactly. By default it enforces the
sequence and re-evaluates conditions but not the error-proofing rules (roles, station, holds,
statuses, expiry, materials, signatures), which were checked when the step was accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lotline.form_engine.logic import truthy
from lotline.form_engine.problems import DEFAULT_LOCALE, Problem, ProblemsError
from lotline.workflow_engine.actions import emit
from lotline.workflow_engine.definition import Flow, Node, Transition, as_flow
from lotline.workflow_engine.inputs import (
    Context,
    Step,
    Submission,
    as_context,
    as_step,
    as_submission,
)
from lotline.workflow_engine.rules import context_problems, submission_problems
from lotline.workflow_engine.state import (
    CANCELLED,
    COMPLETED,
    DONE,
    ENABLED,
    PENDING,
    READY,
    RUNNING,
    SKIPPED,
    WAITING_JOIN,
    Branch,
    JoinWait,
    NodeRecord,
    State,
    Token,
)

FlowLike = Flow | Mapping[str, Any]
StateLike = State | Mapping[str, Any]  # a State or its serialised form (State.to_dict())


@dataclass(frozen=True)
class TakenTransition:
    id: str
    source: str
    target: str  # where the token went (after any on_exhausted reroute)
    rerouted_from: str | None = None  # the transition's own target, when rerouted
    skip: bool = False  # followed because ``source`` was skipped

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.source,
            "to": self.target,
            "rerouted_from": self.rerouted_from,
            "skip": self.skip,
        }


@dataclass(frozen=True)
class NodeStatus:
    node: str
    status: str  # the node's status in the state (state.py)
    enabled: bool  # a submission here would be accepted now, as far as the context tells:
    # rules only a submission can answer (consumed materials, signatures) are checked by submit
    reasons: tuple[Problem, ...] = ()  # why not, when not enabled
    skips: tuple[str, ...] = ()  # nodes a submission here would skip
    anytime: bool = False

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "node": self.node,
            "status": self.status,
            "enabled": self.enabled,
            "reasons": [p.to_dict(locale) for p in self.reasons],
            "skips": list(self.skips),
            "anytime": self.anytime,
        }


@dataclass(frozen=True)
class Decision:
    accepted: bool
    node: str
    state: State  # the new state if accepted, else the state given
    problems: tuple[Problem, ...] = ()
    transitions: tuple[TakenTransition, ...] = ()
    skipped: tuple[str, ...] = ()
    actions: tuple[Mapping[str, Any], ...] = ()
    event: Mapping[str, Any] = field(default_factory=dict)  # the node's EPCIS semantics

    @property
    def completed(self) -> bool:
        return self.accepted and self.state.status == COMPLETED

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "node": self.node,
            "state": self.state.to_dict(),
            "problems": [p.to_dict(locale) for p in self.problems],
            "transitions": [t.to_dict() for t in self.transitions],
            "skipped": list(self.skipped),
            "actions": [dict(a) for a in self.actions],
            "event": dict(self.event),
            "completed": self.completed,
        }


class ReplayError(ProblemsError):
    """A step could not be replayed; problem paths start with ``("steps", index)``."""

    def __init__(self, index: int, problems: Iterable[Problem]) -> None:
        self.index = index
        super().__init__([replace(p, path=("steps", index, *p.path)) for p in problems], code="replay_failed")


def as_state(state: StateLike) -> State:
    return state if isinstance(state, State) else State.from_dict(state)


def start(flow: FlowLike) -> State:
    """The initial state: every (sequence) start node holds a token; status ``ready``."""
    flow = as_flow(flow)
    starts = [s for s in flow.start if not flow.nodes[s].anytime]
    return State(
        status=READY,
        seq=0,
        tokens=tuple(Token(s) for s in starts),
        joins=(),
        nodes={n: NodeRecord(ENABLED if n in starts else PENDING) for n in flow.nodes},
        results={},
        flow_key=flow.key,
        flow_version=flow.version,
    )


def enabled(
    flow: FlowLike, state: StateLike, context: Context | Mapping[str, Any] | None = None
) -> list[NodeStatus]:
    """For every node in document order: can it be submitted now, and if not, why not."""
    flow = as_flow(flow)
    state = as_state(state)
    ctx = as_context(context)
    routes = _skip_routes(flow, state)
    out = []
    for node in flow.nodes.values():
        problems, route = _gate(flow, state, node, ctx, routes, enforce=True)
        out.append(
            NodeStatus(
                node=node.id,
                status=state.nodes[node.id].status,
                enabled=not problems,
                reasons=tuple(problems),
                skips=route[2] if route and not problems else (),
                anytime=node.anytime,
            )
        )
    return out


def submit(
    flow: FlowLike,
    state: StateLike,
    node_id: str,
    submission: Submission | Mapping[str, Any] | None,
    context: Context | Mapping[str, Any] | None = None,
) -> Decision:
    """Accept or reject one submission at ``node_id``; never raises for a bad submission."""
    return _submit(
        as_flow(flow), as_state(state), node_id, as_submission(submission), as_context(context), enforce=True
    )


def replay(
    flow: FlowLike, steps: Iterable[Step | Mapping[str, Any]], *, enforce_rules: bool = False
) -> State:
    """Rebuild the state from accepted steps; ``ReplayError`` names the first step rejected."""
    flow = as_flow(flow)
    state = start(flow)
    for index, raw in enumerate(steps):
        step = as_step(raw)
        decision = _submit(flow, state, step.node, step.submission, step.context, enforce=enforce_rules)
        if not decision.accepted:
            raise ReplayError(index, decision.problems)
        state = decision.state
    return state


# --- gate: may this node run now? ---------------------------------------------------------------

# (kind, token index, skipped nodes): kind is "token", "skip" or "anytime".
Route = tuple[str, int, tuple[str, ...]]


def _gate(
    flow: Flow,
    state: State,
    node: Node,
    ctx: Context,
    routes: Mapping[str, tuple[int, tuple[str, ...]]],
    *,
    enforce: bool,
) -> tuple[list[Problem], Route | None]:
    if (state.flow_key, state.flow_version) not in ((None, None), (flow.key, flow.version)):
        return [
            Problem(
                ("flow",),
                "step.flow_mismatch",
                {
                    "expected": f"{state.flow_key} v{state.flow_version}",
                    "found": f"{flow.key} v{flow.version}",
                },
            )
        ], None
    if state.status == COMPLETED:
        return [Problem(("node",), "step.instance_completed", {})], None
    problems: list[Problem] = []
    route: Route | None = None
    if node.anytime:
        route = ("anytime", -1, ())
    elif any(t.node == node.id for t in state.tokens):
        route = ("token", next(i for i, t in enumerate(state.tokens) if t.node == node.id), ())
    elif node.id in routes:
        route = ("skip", *routes[node.id])
    else:
        problems.append(_sequence_problem(flow, state, node))
    limit = node.rules.max_repeats
    if limit is not None and state.nodes[node.id].completions >= limit:
        problems.append(Problem(("node",), "step.repeats_exhausted", {"node": node.id, "max": limit}))
    if enforce:
        problems.extend(context_problems(node, ctx))
    return problems, route


def _sequence_problem(flow: Flow, state: State, node: Node) -> Problem:
    waits = [w for w in state.joins if w.node == node.id]
    if waits:
        wait = waits[0]
        missing: list[str] = []
        for branch in flow.branches(wait.split):
            if branch.id in wait.arrived:
                continue
            at = [t.node for t in state.tokens if Branch(wait.split, wait.fire, branch.id) in t.stack]
            missing.extend(at or [branch.target])
        names = list(dict.fromkeys(missing))
        return Problem(
            ("node",),
            "step.join_waiting",
            {"node": node.id, "missing": ", ".join(names), "missing_nodes": names},
        )
    expected = state.token_nodes()
    return Problem(
        ("node",),
        "step.out_of_sequence",
        {"node": node.id, "expected": ", ".join(expected) or "-", "expected_nodes": expected},
    )


def _skip_routes(flow: Flow, state: State) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Nodes reachable now by skipping skippable nodes: target -> (token index, skipped nodes).

    Found by simulating the skips on a scratch copy; the first route found (lowest token index,
    fewest skips) wins, so ``submit`` repeats exactly the same moves.
    """
    found: dict[str, tuple[int, tuple[str, ...]]] = {}
    if state.status == COMPLETED:
        return found
    for first, token in enumerate(state.tokens):
        if flow.skip_route(token.node) is None:
            continue
        run = _Run(flow, state, Context())
        index: int | None = first
        chain: list[str] = []
        while index is not None:
            node_id = run.tokens[index].node
            if node_id in chain or flow.skip_route(node_id) is None:
                break
            moved = run.skip(index)
            if not isinstance(moved, int):
                break
            chain.append(node_id)
            found.setdefault(run.tokens[moved].node, (first, tuple(chain)))
            index = moved
    return found


# --- submit -------------------------------------------------------------------------------------


def _submit(
    flow: Flow, state: State, node_id: str, sub: Submission, ctx: Context, *, enforce: bool
) -> Decision:
    def reject(problems: Iterable[Problem]) -> Decision:
        return Decision(False, node_id, state, tuple(problems))

    node = flow.nodes.get(node_id)
    if node is None:
        return reject([Problem(("node",), "step.unknown_node", {"node": node_id})])
    problems, route = _gate(flow, state, node, ctx, _skip_routes(flow, state), enforce=enforce)
    if enforce and route is not None:
        problems.extend(submission_problems(node, sub, ctx))
    if problems or route is None:
        return reject(problems)
    run = _Run(flow, state, ctx)
    run.seq += 1
    kind, index, chain = route
    token_index: int | None = None if kind == "anytime" else index
    for _ in chain:
        assert token_index is not None
        moved = run.skip(token_index)
        if not isinstance(moved, int):  # cannot happen: the route was simulated just now
            return reject([moved] if isinstance(moved, Problem) else [])
        token_index = moved
    run.complete(node, token_index, sub)
    if run.problems:
        return reject(run.problems)
    return Decision(
        True,
        node_id,
        run.freeze(),
        (),
        tuple(run.taken),
        tuple(run.skipped),
        tuple(run.actions),
        dict(node.epcis),
    )


class _Run:
    """A mutable working copy of a ``State`` used inside one call, frozen again by ``freeze``."""

    def __init__(self, flow: Flow, state: State, ctx: Context) -> None:
        self.flow, self.ctx = flow, ctx
        self.status, self.seq = state.status, state.seq
        self.tokens = list(state.tokens)
        self.joins = list(state.joins)
        self.nodes = dict(state.nodes)
        self.results = {k: dict(v) for k, v in state.results.items()}
        self.flow_ref = (state.flow_key, state.flow_version)
        self.taken: list[TakenTransition] = []
        self.skipped: list[str] = []
        self.actions: list[dict[str, Any]] = []
        self.problems: list[Problem] = []

    def freeze(self) -> State:
        return State(
            self.status,
            self.seq,
            tuple(self.tokens),
            tuple(self.joins),
            dict(self.nodes),
            {k: dict(v) for k, v in self.results.items()},
            *self.flow_ref,
        )

    def cond(self, data: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
        """The record JSON Logic conditions are evaluated against."""
        return {
            "data": dict(data),
            "item": dict(self.ctx.item),
            "result": dict(result),
            "results": self.results,
            "counts": {k: v.completions for k, v in self.nodes.items()},
        }

    def settle(self, node_id: str, otherwise: str) -> None:
        status = (
            ENABLED
            if any(t.node == node_id for t in self.tokens)
            else WAITING_JOIN
            if any(w.node == node_id for w in self.joins)
            else otherwise
        )
        self.nodes[node_id] = replace(self.nodes[node_id], status=status)

    def consume(self, index: int) -> Token:
        token = self.tokens.pop(index)
        if self.status == READY:  # the first step chooses this start; withdraw the others
            withdrawn = [t.node for t in self.tokens]
            self.tokens.clear()
            for node_id in withdrawn:
                self.settle(node_id, PENDING)
            self.status = RUNNING
        return token

    def arrive(self, node_id: str, stack: tuple[Branch, ...]) -> int | None:
        """Put a token on ``node_id``; return its index, or None while a join waits."""
        if stack and self.flow.join_splits.get(node_id) == stack[-1].split:
            top = stack[-1]
            key = (node_id, top.split, top.fire)
            old = next((w for w in self.joins if (w.node, w.split, w.fire) == key), None)
            arrived = old.arrived if old else ()
            if top.transition not in arrived:
                arrived = (*arrived, top.transition)
            if old is not None:
                self.joins.remove(old)
            rest = old.stack if old else stack[:-1]
            needed = {b.id for b in self.flow.branches(top.split)}
            if not needed <= set(arrived):
                self.joins.append(JoinWait(node_id, top.split, top.fire, arrived, rest))
                self.settle(node_id, WAITING_JOIN)
                return None
            stack = rest
        self.tokens.append(Token(node_id, stack))
        self.settle(node_id, ENABLED)
        return len(self.tokens) - 1

    def target_of(self, transition: Transition) -> tuple[str, str | None] | Problem:
        """Where ``transition`` leads now, following ``on_exhausted`` past used-up nodes."""
        target, seen = transition.target, set()
        while True:
            node = self.flow.nodes[target]
            limit = node.rules.max_repeats
            if limit is None or self.nodes[target].completions < limit:
                return target, (transition.target if target != transition.target else None)
            seen.add(target)
            if node.rules.on_exhausted is None or node.rules.on_exhausted in seen:
                return Problem(("node",), "step.repeats_exhausted", {"node": target, "max": limit})
            target = node.rules.on_exhausted

    def follow(
        self,
        transition: Transition,
        stack: tuple[Branch, ...],
        cond: Mapping[str, Any],
        *,
        skip: bool = False,
    ) -> int | Problem | None:
        resolved = self.target_of(transition)
        if isinstance(resolved, Problem):
            return resolved
        target, rerouted_from = resolved
        if transition.parallel:
            stack = (*stack, Branch(transition.source, self.seq, transition.id))
        self.taken.append(TakenTransition(transition.id, transition.source, target, rerouted_from, skip))
        actions, problems = emit(
            transition.actions,
            node=transition.source,
            transition=transition.id,
            seq=self.seq,
            cond=cond,
            ctx=self.ctx,
        )
        self.actions.extend(actions)
        self.problems.extend(problems)
        return self.arrive(target, stack)

    def skip(self, index: int) -> int | Problem | None:
        """Pass over the skippable node holding token ``index`` along its skip route."""
        token = self.consume(index)
        route = self.flow.skip_route(token.node)
        assert route is not None
        record = self.nodes[token.node]
        self.nodes[token.node] = replace(record, skips=record.skips + 1)
        self.settle(token.node, SKIPPED)
        self.skipped.append(token.node)
        return self.follow(route, token.stack, self.cond({}, {}), skip=True)

    def complete(self, node: Node, token_index: int | None, sub: Submission) -> None:
        stack = self.consume(token_index).stack if token_index is not None else ()
        record = self.nodes[node.id]
        self.nodes[node.id] = replace(record, completions=record.completions + 1)
        self.results[node.id] = dict(sub.result)
        cond = self.cond(sub.data, sub.result)
        actions, problems = emit(
            node.actions, node=node.id, transition=None, seq=self.seq, cond=cond, ctx=self.ctx
        )
        self.actions.extend(actions)
        self.problems.extend(problems)
        if node.anytime:
            self.settle(node.id, DONE)
        elif node.id in self.flow.end:
            self.finish(node.id)
        else:
            self.settle(node.id, DONE)
            for transition in self.choose(node, cond):
                moved = self.follow(transition, stack, cond)
                if isinstance(moved, Problem):
                    self.problems.append(moved)

    def choose(self, node: Node, cond: Mapping[str, Any]) -> list[Transition]:
        outgoing = self.flow.outgoing[node.id]
        parallel = [t for t in outgoing if t.parallel]
        if parallel:
            return parallel
        for transition in outgoing:
            if transition.default:
                continue
            try:
                if not transition.conditional or truthy(transition.condition, cond):
                    return [transition]
            except Exception as error:  # the library raises plain exceptions on bad operands
                self.problems.append(
                    Problem(("node",), "step.condition_error", {"where": transition.id, "error": str(error)})
                )
                return []
        defaults = [t for t in outgoing if t.default]
        if defaults:
            return defaults[:1]
        self.problems.append(Problem(("node",), "step.no_transition", {"node": node.id}))
        return []

    def finish(self, end_id: str) -> None:
        """An end node was completed: the instance is done, every other token is cancelled."""
        left = [t.node for t in self.tokens] + [w.node for w in self.joins]
        self.tokens.clear()
        self.joins.clear()
        for node_id in left:
            self.settle(node_id, CANCELLED)
        self.settle(end_id, DONE)
        self.status = COMPLETED
