import '@xyflow/react/dist/style.css';

import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import { useTranslation } from 'react-i18next';

import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '@/features/trace/lib/graph-layout';
import { formatQuantity } from '@/features/trace/lib/format';
import type { GraphNode, TraceGraph as Graph } from '@/features/trace/lib/trace-graph';
import { useLabels } from '@/features/trace/hooks/use-labels';

import styles from '@/features/trace/components/trace.module.css';

type BoxData = { node: GraphNode; selected: boolean };
type Box = Node<BoxData, 'box'>;

const Box = memo(function Box({ data }: NodeProps<Box>) {
  const { t } = useTranslation();
  const labels = useLabels();
  const { node, selected } = data;
  const item = node.item;
  if (node.type === 'more') {
    return (
      <div
        className={styles.node}
        style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
        data-type="more"
        data-testid={`graph-more-${node.depth}`}
      >
        <Handle type="target" position={Position.Left} isConnectable={false} />
        <button type="button" className={styles.nodeCode}>
          {t('trace.graph.moreItems', { count: node.hidden ?? 0 })}
        </button>
        <span className={styles.nodeMeta}>{t('trace.graph.showAll')}</span>
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
  const meta =
    node.type === 'customer'
      ? t('trace.kind.customer')
      : [labels.kind(item?.kind ?? ''), item?.material].filter(Boolean).join(' · ');
  return (
    <div
      className={styles.node}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
      data-type={node.type}
      data-start={node.isStart}
      data-selected={selected}
      data-status={item?.status}
      data-testid={`graph-node-${node.code}`}
      title={node.code}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {/* A button so that keyboard users can reach and open each box (its click reaches onNodeClick). */}
      <button type="button" className={styles.nodeCode} tabIndex={node.item ? 0 : -1}>
        {node.code}
      </button>
      <span className={styles.nodeMeta}>{meta}</span>
      <span className={styles.nodeMeta}>
        {item ? labels.status(item.status) : ''}
        {node.isStart && ` · ${t('trace.graph.start')}`}
        {node.frontier && <span className={styles.nodeMore}> · {t('trace.graph.more')}</span>}
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { box: Box };

const EDGE_COLOURS: Record<string, string> = {
  consumed: '#4a5668',
  reworked_into: '#b26a00',
  contained: '#0b5cad',
  shipped: '#1e7b34',
};

type TraceGraphProps = {
  graph: Graph;
  /** The details panel beside the graph is open (the graph is narrower: fit it again). */
  narrow: boolean;
  selected: number | null;
  onSelect: (itemId: number | null) => void;
  /** Show every item of a folded level. */
  onExpand: (depth: number) => void;
};

/**
 * The genealogy as a layered graph (dagre), left to right in the direction material flows.
 * Clicking an item box opens its details.
 */
export function TraceGraph({ graph, narrow, selected, onSelect, onExpand }: TraceGraphProps) {
  const { t, i18n } = useTranslation();
  const labels = useLabels();
  const positions = useMemo(() => layoutGraph(graph.nodes, graph.links), [graph]);

  const nodes: Box[] = useMemo(
    () =>
      graph.nodes.map((node) => ({
        id: node.id,
        type: 'box',
        position: positions.get(node.id) ?? { x: 0, y: 0 },
        data: { node, selected: node.item !== undefined && node.item.id === selected },
        draggable: false,
        connectable: false,
        ariaLabel: node.code,
      })),
    [graph, positions, selected],
  );
  const edges: Edge[] = useMemo(
    () =>
      graph.links.map((link) => {
        const quantity = formatQuantity(link.quantity, link.uom, i18n.language);
        // Only quantities are written on arrows (many labels overlap); the line style tells the
        // relation (see the legend under the graph).
        return {
          id: link.id,
          source: link.source,
          target: link.target,
          ...(quantity ? { label: link.count > 1 ? `${quantity} (${link.count}×)` : quantity } : {}),
          markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_COLOURS[link.relation] ?? EDGE_COLOURS.consumed },
          style: {
            stroke: EDGE_COLOURS[link.relation] ?? EDGE_COLOURS.consumed,
            strokeWidth: 1.5,
            ...(link.relation === 'consumed' ? {} : { strokeDasharray: '6 4' }),
          },
          labelStyle: { fontSize: 11 },
          labelBgPadding: [4, 2] as [number, number],
          ariaLabel: labels.relation(link.relation),
        };
      }),
    [graph, labels, i18n.language],
  );

  return (
    <div className={styles.graph} data-testid="trace-graph" role="figure" aria-label={t('trace.graph.label')}>
      <ReactFlow
        key={`${graph.nodes.length}-${graph.links.length}-${narrow}`}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.1, minZoom: 0.5, maxZoom: 1.1 }}
        minZoom={0.05}
        nodesConnectable={false}
        elementsSelectable
        onNodeClick={(_event, node) => {
          const box = (node.data as BoxData).node;
          if (box.type === 'more') onExpand(box.depth);
          else onSelect(box.item ? box.item.id : null);
        }}
        onPaneClick={() => onSelect(null)}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
      </ReactFlow>
      <p className={styles.legend}>
        {(['consumed', 'contained', 'shipped'] as const).map((relation) => (
          <span key={relation}>
            <svg width="28" height="8" aria-hidden="true">
              <line
                x1="0"
                y1="4"
                x2="28"
                y2="4"
                stroke={EDGE_COLOURS[relation]}
                strokeWidth="2"
                strokeDasharray={relation === 'consumed' ? undefined : '6 4'}
              />
            </svg>
            {t(`trace.graph.legend.${relation}`)}
          </span>
        ))}
      </p>
    </div>
  );
}
