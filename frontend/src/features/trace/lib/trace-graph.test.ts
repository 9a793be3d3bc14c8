import { describe, expect, it } from 'vitest';

import { layoutGraph } from '@/features/trace/lib/graph-layout';
import { BACKWARD, FORWARD } from '@/features/trace/lib/trace-fixtures';
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
