import dagre from '@dagrejs/dagre';

import type { GraphLink, GraphNode } from '@/features/trace/lib/trace-graph';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 76;

export type Point = { x: number; y: number };

/**
 * A layered (Sugiyama) layout from left to right in the direction material flows: raw lots on the
 * left, finished goods and customers on the right. Positions are top-left corners.
 */
export function layoutGraph(
  nodes: readonly Pick<GraphNode, 'id'>[],
  links: readonly Pick<GraphLink, 'source' | 'target'>[],
  size: { width: number; height: number } = { width: NODE_WIDTH, height: NODE_HEIGHT },
): Map<string, Point> {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 80, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: size.width, height: size.height });
  for (const link of links) {
    if (graph.hasNode(link.source) && graph.hasNode(link.target)) graph.setEdge(link.source, link.target);
  }
  dagre.layout(graph);
  const positions = new Map<string, Point>();
  for (const node of nodes) {
    const placed = graph.node(node.id);
    positions.set(node.id, { x: placed.x - size.width / 2, y: placed.y - size.height / 2 });
  }
  return positions;
}
