"""Graph questions the static checks ask about a parsed flow (pure, no problems reported here).

The *sequence graph* has one vertex per node that is not ``anytime`` and an edge for every
transition, plus an edge ``node -> rules.on_exhausted`` (the token can end up there when the
node's repeats are used up).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lotline.workflow_engine.definition import Flow

Adjacency = Mapping[str, tuple[str, ...]]


def sequence_graph(flow: Flow, *, with_exhausted: bool = True) -> dict[str, tuple[str, ...]]:
    """Successors of every sequence node, in document order, without duplicates."""
    graph: dict[str, list[str]] = {node_id: [] for node_id, node in flow.nodes.items() if not node.anytime}
    for transition in flow.transitions:
        if transition.source in graph and transition.target in graph:
            _add(graph[transition.source], transition.target)
    if with_exhausted:
        for node_id in graph:
            target = flow.nodes[node_id].rules.on_exhausted
            if target in graph:
                _add(graph[node_id], target)
    return {k: tuple(v) for k, v in graph.items()}


def _add(successors: list[str], target: str) -> None:
    if target not in successors:
        successors.append(target)


def reverse(graph: Adjacency) -> dict[str, tuple[str, ...]]:
    back: dict[str, list[str]] = {node: [] for node in graph}
    for node, successors in graph.items():
        for target in successors:
            _add(back[target], node)
    return {k: tuple(v) for k, v in back.items()}


def reachable(graph: Adjacency, sources: Iterable[str]) -> set[str]:
    """Every vertex reachable from ``sources`` (the sources included)."""
    seen = {s for s in sources if s in graph}
    queue = deque(seen)
    while queue:
        for target in graph[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def strongly_connected(graph: Adjacency) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), each in discovery order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph[node]
            if position < len(successors):
                work.append((node, position + 1))
                target = successors[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def loops(graph: Adjacency) -> list[set[str]]:
    """Strongly connected components that contain a cycle (two or more nodes, or a self-loop)."""
    return [
        set(component)
        for component in strongly_connected(graph)
        if len(component) > 1 or component[0] in graph[component[0]]
    ]


def dominators(graph: Adjacency, roots: Iterable[str]) -> dict[str, set[str]]:
    """For every vertex reachable from ``roots``: the vertices every path from a root to it
    passes through (itself included). Iterative data-flow algorithm; flows are small."""
    root_set = {r for r in roots if r in graph}
    live = reachable(graph, root_set)
    back = reverse(graph)
    dom: dict[str, set[str]] = {v: ({v} if v in root_set else set(live)) for v in live}
    changed = True
    while changed:
        changed = False
        for vertex in live - root_set:
            preds = [dom[p] for p in back[vertex] if p in live]
            new = {vertex} | (set.intersection(*preds) if preds else set())
            if new != dom[vertex]:
                dom[vertex] = new
                changed = True
    return dom


def join_matches(flow: Flow, graph: Adjacency) -> dict[str, str | None]:
    """Every join node -> the split it joins, or None.

    A join matches the nearest split that *dominates* it (every path from a start node to the
    join passes through the split) and whose every parallel branch reaches it. Dominance makes
    nested blocks match their own split: an inner split's branches also reach the outer join
    (through the inner join), but the inner split does not dominate the outer join.
    """
    dom = dominators(graph, flow.start)
    matches: dict[str, str | None] = {}
    for node in flow.nodes.values():
        if not node.join:
            continue
        matches[node.id] = None
        ancestors = sorted(dom.get(node.id, set()) - {node.id}, key=lambda v: -len(dom[v]))
        for candidate in ancestors:  # nearest dominator first
            branches = flow.branches(candidate)
            if branches and all(node.id in reachable(graph, [b.target]) for b in branches):
                matches[node.id] = candidate
                break
    return matches
