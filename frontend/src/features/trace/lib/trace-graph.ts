import type { Item, Trace, TraceEvent } from '@/features/trace/types/trace';

/**
 * A box in the genealogy graph: an item, a customer the forward trace reaches, or the items of a
 * crowded level folded into one box (`more`: `hidden` of them).
 */
export type GraphNode = {
  id: string;
  type: 'item' | 'customer' | 'more';
  code: string;
  /** Steps from the start item (a customer is one step past the item shipped to it). */
  depth: number;
  item?: Item;
  isStart: boolean;
  /**
   * The trace stopped at this level (collapsed): there may be more beyond this node, loaded on
   * demand with a deeper `max_depth`.
   */
  frontier: boolean;
  /** For a `more` box: how many items it stands for. */
  hidden?: number;
};

/** One arrow in the direction material flows (from the input to what it went into). */
export type GraphLink = {
  id: string;
  source: string;
  target: string;
  relation: string;
  /** Summed over parallel edges (e.g. a part consumed again at rework). */
  quantity: number | null;
  uom: string | null;
  /** How many edges this arrow stands for. */
  count: number;
};

export type TraceGraph = {
  nodes: GraphNode[];
  links: GraphLink[];
  /** The deepest level of items shown (customers are not counted). */
  levels: number;
};

export const itemNodeId = (id: number) => `item-${id}`;
export const customerNodeId = (code: string) => `customer-${code}`;
export const moreNodeId = (depth: number) => `more-${depth}`;

/** A level with more items than this is folded (the rest in one box) until it is opened. */
export const MAX_PER_LEVEL = 8;

export type GraphOptions = {
  /** The `max_depth` asked for: items at that level may lead further (collapsed). */
  maxDepth?: number | undefined;
  maxPerLevel?: number;
  /** Levels opened by the user: shown in full however many items they hold. */
  expanded?: readonly number[];
};

/** Where a shipping event sent an item: the customer location code. */
export function shippedToCustomer(event: Pick<TraceEvent, 'biz_step' | 'biz_location'>): string | null {
  return event.biz_step === 'shipping' && event.biz_location ? event.biz_location : null;
}

/**
 * Turns a trace answer into graph nodes and links: parallel edges merged into one arrow, and in a
 * forward trace each customer a shipping event reached added after the shipped items.
 */
export function buildTraceGraph(trace: Trace, options: GraphOptions = {}): TraceGraph {
  const start = new Set(trace.start);
  const depthOf = (id: number) => trace.depth[String(id)] ?? 0;
  const collapsedAt = trace.truncated && options.maxDepth !== undefined ? options.maxDepth : undefined;

  const nodes: GraphNode[] = trace.items.map((item) => ({
    id: itemNodeId(item.id),
    type: 'item',
    code: item.code,
    depth: depthOf(item.id),
    item,
    isStart: start.has(item.id),
    frontier: collapsedAt !== undefined && depthOf(item.id) === collapsedAt,
  }));
  const present = new Set(trace.items.map((item) => item.id));

  const links = new Map<string, GraphLink>();
  for (const edge of trace.edges) {
    if (!present.has(edge.from_item_id) || !present.has(edge.to_item_id)) continue;
    const id = `${edge.from_item_id}-${edge.to_item_id}-${edge.relation}`;
    const existing = links.get(id);
    if (existing) {
      existing.count += 1;
      if (edge.quantity !== null) existing.quantity = (existing.quantity ?? 0) + edge.quantity;
    } else {
      links.set(id, {
        id,
        source: itemNodeId(edge.from_item_id),
        target: itemNodeId(edge.to_item_id),
        relation: edge.relation,
        quantity: edge.quantity,
        uom: edge.uom,
        count: 1,
      });
    }
  }

  if (trace.direction === 'forward') {
    const customers = new Map<string, GraphNode>();
    for (const event of trace.events) {
      const customer = shippedToCustomer(event);
      if (!customer || !present.has(event.item_id)) continue;
      const depth = depthOf(event.item_id) + 1;
      const node = customers.get(customer);
      if (!node) {
        customers.set(customer, {
          id: customerNodeId(customer),
          type: 'customer',
          code: customer,
          depth,
          isStart: false,
          frontier: false,
        });
      } else if (depth < node.depth) {
        node.depth = depth;
      }
      const id = `${event.item_id}-ship-${customer}`;
      if (!links.has(id)) {
        links.set(id, {
          id,
          source: itemNodeId(event.item_id),
          target: customerNodeId(customer),
          relation: 'shipped',
          quantity: null,
          uom: null,
          count: 1,
        });
      }
    }
    nodes.push(...customers.values());
  }

  const levels = nodes.reduce((deepest, node) => (node.item ? Math.max(deepest, node.depth) : deepest), 0);
  return foldCrowdedLevels({ nodes, links: [...links.values()], levels }, options);
}

/**
 * Keeps at most `maxPerLevel` items of each level that was not opened (the start items first, then
 * by code) and puts the rest into one `more` box; arrows to and from the folded items go to the box.
 */
function foldCrowdedLevels(graph: TraceGraph, options: GraphOptions): TraceGraph {
  const limit = options.maxPerLevel ?? MAX_PER_LEVEL;
  const expanded = new Set(options.expanded ?? []);
  const byLevel = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) {
    if (node.type !== 'item') continue;
    const level = byLevel.get(node.depth) ?? [];
    level.push(node);
    byLevel.set(node.depth, level);
  }
  const folded = new Map<string, string>(); // node id -> its `more` box
  const boxes: GraphNode[] = [];
  for (const [depth, level] of byLevel) {
    if (level.length <= limit || expanded.has(depth)) continue;
    const ordered = [...level].sort((a, b) => Number(b.isStart) - Number(a.isStart) || a.code.localeCompare(b.code));
    const hidden = ordered.slice(limit - 1);
    const id = moreNodeId(depth);
    for (const node of hidden) folded.set(node.id, id);
    boxes.push({ id, type: 'more', code: `+${hidden.length}`, depth, isStart: false, frontier: false, hidden: hidden.length });
  }
  if (!boxes.length) return graph;

  const links = new Map<string, GraphLink>();
  for (const link of graph.links) {
    const source = folded.get(link.source) ?? link.source;
    const target = folded.get(link.target) ?? link.target;
    if (source === target) continue;
    const id = source === link.source && target === link.target ? link.id : `${source}>${target}>${link.relation}`;
    const existing = links.get(id);
    if (existing) {
      existing.count += link.count;
      if (link.quantity !== null) existing.quantity = (existing.quantity ?? 0) + link.quantity;
    } else {
      links.set(id, { ...link, id, source, target });
    }
  }
  const nodes = [...graph.nodes.filter((node) => !folded.has(node.id)), ...boxes];
  return { nodes, links: [...links.values()], levels: graph.levels };
}

/** For each item, the codes of its neighbours in the trace: what it came from and went into. */
export function neighbourCodes(trace: Trace): Map<number, { from: string[]; into: string[] }> {
  const codes = new Map(trace.items.map((item) => [item.id, item.code]));
  const out = new Map<number, { from: string[]; into: string[] }>();
  const entry = (id: number) => {
    let found = out.get(id);
    if (!found) out.set(id, (found = { from: [], into: [] }));
    return found;
  };
  for (const edge of trace.edges) {
    const from = codes.get(edge.from_item_id);
    const into = codes.get(edge.to_item_id);
    if (from === undefined || into === undefined) continue;
    const target = entry(edge.to_item_id);
    if (!target.from.includes(from)) target.from.push(from);
    const source = entry(edge.from_item_id);
    if (!source.into.includes(into)) source.into.push(into);
  }
  return out;
}

/** Customers each item was shipped to, from the trace's shipping events. */
export function customersByItem(events: readonly TraceEvent[]): Map<number, { customer: string; time: string }[]> {
  const out = new Map<number, { customer: string; time: string }[]>();
  for (const event of events) {
    const customer = shippedToCustomer(event);
    if (!customer) continue;
    const list = out.get(event.item_id) ?? [];
    if (!list.some((entry) => entry.customer === customer)) list.push({ customer, time: event.event_time });
    out.set(event.item_id, list);
  }
  return out;
}
