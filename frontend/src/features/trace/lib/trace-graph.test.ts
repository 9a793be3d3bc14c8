import { describe, expect, it } from 'vitest';

import { layoutGraph } from '@/features/trace/lib/graph-layout';
import { BACKWARD, FORWARD, item, PALLET } from '@/features/trace/lib/trace-fixtures';
import { buildTraceGraph, customersByItem, neighbourCodes } from '@/features/trace/lib/trace-graph';

describe('buildTraceGraph', () => {
  it('makes one box per item and merges parallel edges, summing their quantities', () => {
    const graph = buildTraceGraph(BACKWARD);
    expect(graph.nodes.map((node) => node.code)).toEqual(['WDG-00003', 'RES-2611-A', 'CAP-2611-B']);
    expect(graph.nodes.find((node) => node.isStart)?.code).toBe('WDG-00003');
    expect(graph.links).toHaveLength(2);
    const cap = graph.links.find((link) => link.source === 'item-2')!;
    expect(cap).toMatchObject({ target: 'item-6', quantity: 3, count: 2, relation: 'consumed' });
    expect(graph.levels).toBe(1);
  });

  it('adds the customers that shipping events reached, one level after the shipped item', () => {
    const graph = buildTraceGraph(FORWARD);
    const customer = graph.nodes.find((node) => node.type === 'customer');
    expect(customer).toMatchObject({ id: 'customer-CUST-ACME', code: 'CUST-ACME', depth: 2 });
    expect(graph.links.find((link) => link.relation === 'shipped')).toMatchObject({
      source: 'item-6',
      target: 'customer-CUST-ACME',
    });
  });

  it('adds no customers to a backward trace', () => {
    const graph = buildTraceGraph({ ...BACKWARD, events: FORWARD.events });
    expect(graph.nodes.some((node) => node.type === 'customer')).toBe(false);
  });

  it('marks the last level as collapsed when the trace stopped at max_depth', () => {
    const cut = { ...FORWARD, items: FORWARD.items.slice(0, 2), depth: { '1': 0, '6': 1 }, truncated: true };
    const graph = buildTraceGraph(cut, { maxDepth: 1 });
    expect(graph.nodes.filter((node) => node.frontier).map((node) => node.code)).toEqual(['WDG-00003']);
    // the edge to the pallet, which is not in the answer, is left out
    expect(graph.links.filter((link) => link.relation === 'contained')).toEqual([]);
    expect(buildTraceGraph(FORWARD, { maxDepth: 5 }).nodes.some((node) => node.frontier)).toBe(false);
  });
});

describe('neighbourCodes and customersByItem', () => {
  it('lists what each item came from and went into', () => {
    const links = neighbourCodes(FORWARD);
    expect(links.get(6)).toEqual({ from: ['RES-2611-A'], into: ['095060001343520000'] });
    expect(links.get(1)).toEqual({ from: [], into: ['WDG-00003'] });
  });

  it('finds the customer of each shipped item', () => {
    expect(customersByItem(FORWARD.events).get(6)).toEqual([
      { customer: 'CUST-ACME', time: '2026-11-28T09:00:00+00:00' },
    ]);
  });
});

describe('layoutGraph', () => {
  it('lays material flow out in layers from left to right', () => {
    const graph = buildTraceGraph(FORWARD);
    const at = layoutGraph(graph.nodes, graph.links);
    const x = (id: string) => at.get(id)!.x;
    expect(x('item-1')).toBeLessThan(x('item-6'));
    expect(x('item-6')).toBeLessThan(x('item-4'));
    expect(x('item-6')).toBeLessThan(x('customer-CUST-ACME'));
    // the pallet and the customer share a layer without overlapping
    expect(x('item-4')).toBe(x('customer-CUST-ACME'));
    expect(Math.abs(at.get('item-4')!.y - at.get('customer-CUST-ACME')!.y)).toBeGreaterThanOrEqual(76);
  });
});

describe('crowded levels', () => {
  const units = Array.from({ length: 30 }, (_, n) => item(100 + n, `WDG-${String(n).padStart(3, '0')}`, { kind: 'unit' }));
  const wide = {
    ...FORWARD,
    items: [FORWARD.items[0]!, ...units, PALLET],
    edges: units.flatMap((unit, n) => [
      { ...FORWARD.edges[0]!, id: 1000 + n, to_item_id: unit.id },
      { ...FORWARD.edges[1]!, id: 2000 + n, from_item_id: unit.id },
    ]),
    depth: Object.fromEntries([['1', 0], ['4', 2], ...units.map((unit) => [String(unit.id), 1])]),
    events: [],
  };

  it('folds a level with many items into a box that keeps the arrows', () => {
    const graph = buildTraceGraph(wide, { maxPerLevel: 12 });
    const level1 = graph.nodes.filter((node) => node.depth === 1);
    expect(level1).toHaveLength(12);
    const more = graph.nodes.find((node) => node.type === 'more')!;
    expect(more).toMatchObject({ id: 'more-1', code: '+19', hidden: 19, depth: 1 });
    expect(level1.filter((node) => node.type === 'item').map((node) => node.code)[0]).toBe('WDG-000');
    const into = graph.links.find((link) => link.source === 'item-1' && link.target === 'more-1')!;
    expect(into).toMatchObject({ count: 19, quantity: 76 });
    expect(graph.links.find((link) => link.source === 'more-1')).toMatchObject({ target: 'item-4', count: 19 });
    expect(graph.levels).toBe(2);
  });

  it('shows every item of an opened level', () => {
    const graph = buildTraceGraph(wide, { maxPerLevel: 12, expanded: [1] });
    expect(graph.nodes.filter((node) => node.depth === 1)).toHaveLength(30);
    expect(graph.nodes.some((node) => node.type === 'more')).toBe(false);
  });
});
