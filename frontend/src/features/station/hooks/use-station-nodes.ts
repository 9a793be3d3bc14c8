import { useEffect, useMemo, useState } from 'react';

import { getFlowVersion } from '@/features/station/api/get-flow-version';
import { getFlows } from '@/features/station/api/get-flows';
import type { FlowDocument, FlowNode } from '@/features/station/types/station';

export type StationNode = { flow: FlowDocument; node: FlowNode };

/** A node may run at `station` when it names no stations or names this one. */
export function nodesAtStation(flows: FlowDocument[], station: string | null): StationNode[] {
  return flows.flatMap((flow) =>
    flow.nodes
      .filter((node) => {
        const allowed = node.rules?.allowed_stations;
        return !allowed || allowed.length === 0 || (station !== null && allowed.includes(station));
      })
      .map((node) => ({ flow, node })),
  );
}

/** The latest published version of every flow, and the nodes this station serves. */
export function useStationNodes(station: string | null) {
  const [flows, setFlows] = useState<FlowDocument[] | undefined>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      const summaries = await getFlows(controller.signal);
      const versions = await Promise.all(
        summaries
          .filter((flow) => flow.latest_version !== null && !flow.retired_at)
          .map((flow) => getFlowVersion(flow.key, flow.latest_version!)),
      );
      if (!controller.signal.aborted) setFlows(versions.map((v) => ({ ...v.document, key: v.key })));
    })().catch((caught: unknown) => {
      if (!controller.signal.aborted) setError(caught);
    });
    return () => controller.abort();
  }, []);

  const nodes = useMemo(() => (flows ? nodesAtStation(flows, station) : undefined), [flows, station]);
  return { nodes, error };
}
