/** Shapes of the genealogy API (`src/lotline/platform/genealogy/schemas.py`). */

export const ITEM_KINDS = ['lot', 'unit', 'container'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const ITEM_STATUSES = ['released', 'hold', 'quarantine', 'consumed', 'shipped', 'scrapped'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const EDGE_RELATIONS = ['consumed', 'contained', 'reworked_into'] as const;
export type EdgeRelation = (typeof EDGE_RELATIONS)[number];

export type Direction = 'backward' | 'forward';

/** A lot, serialised unit or container (pallet, case). */
export type Item = {
  id: number;
  code: string;
  kind: string;
  material: string | null;
  gtin: string | null;
  lot: string | null;
  serial: string | null;
  sscc: string | null;
  quantity: number | null;
  remaining: number | null;
  uom: string | null;
  status: string;
  expiry: string | null;
  supplier_lot: string | null;
  location_id: number | null;
  created_at: string;
};

/** `from_item_id` went into `to_item_id` (consumed into, contained in, reworked into). */
export type TraceEdge = {
  id: number;
  from_item_id: number;
  to_item_id: number;
  relation: string;
  quantity: number | null;
  uom: string | null;
  record_id: number;
  event_id: number | null;
};

/** An EPCIS-style event (what, when, where, why, how), as one item saw it. */
export type TraceEvent = {
  id: number;
  item_id: number;
  record_id: number;
  event_type: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  event_time: string;
  event_time_zone_offset: string;
  /** The station code. */
  read_point: string | null;
  /** Where the item went (a customer location when shipping). */
  biz_location: string | null;
  what: {
    subject?: string | null;
    inputs?: { code: string; quantity: number | null; uom: string | null }[];
    outputs?: string[];
    parents?: string[];
  } & Record<string, unknown>;
  how: { equipment?: string[]; operator?: string | null; documents?: unknown[] } & Record<string, unknown>;
  why: { node?: string | null; record?: number | null; correction?: number | null } & Record<string, unknown>;
  /** In an item's history: its part in the event (input, output, subject, parent, child). */
  role?: string;
};

/** `GET /api/items/{id}/events`: one page of an item's history and how long it is. */
export type ItemEventPage = { items: TraceEvent[]; total: number };

export type Trace = {
  direction: Direction;
  start: number[];
  items: Item[];
  edges: TraceEdge[];
  /** Steps from the start item, by item id (as a string key). */
  depth: Record<string, number>;
  events: TraceEvent[];
  /** True when the answer stopped at `max_items` or `max_depth`: there is more. */
  truncated: boolean;
};

export type TraceQuery = {
  direction: Direction;
  maxDepth?: number | undefined;
  maxItems?: number | undefined;
  events?: boolean | undefined;
};

export type MassBalance = {
  item_id: number;
  uom: string | null;
  received_or_produced: number;
  consumed: number;
  shipped: number;
  scrapped: number;
  remaining: number;
  /** 0 when every unit is accounted for. */
  difference: number;
};

/** Everything a recall of the start items reaches (forward). */
/** One shipping event of a shipped item in a recall scope. */
export type RecallShipment = { item_id: number; customer: string; shipped_at: string };

/** A customer a recall scope reached, with how many of its items. */
export type RecallCustomer = { code: string; name: string | null; business_name: string | null; items: number };

export type RecallScope = {
  start: number[];
  finished: Item[];
  stock: Item[];
  shipped: Item[];
  affected_count: number;
  truncated: boolean;
  shipments: RecallShipment[];
  customers: RecallCustomer[];
};

export type HoldResult = { held: number; affected: number };

export type Touch = { item: Item; event: Omit<TraceEvent, 'item_id'> };

export type TouchedQuery = {
  station?: string | undefined;
  operator?: string | undefined;
  equipment?: string | undefined;
  location?: string | undefined;
  step?: string | undefined;
  /** ISO 8601 with a zone offset. */
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
};

export type Signature = {
  meaning: string;
  meaning_en?: string | null;
  meaning_zh?: string | null;
  signer_name: string;
  signed_at: string;
  signed_at_local?: string | null;
  /** valid, content_changed, tampered, object_missing */
  status: string;
};

export type LocalText = { en: string; 'zh-CN': string };

/** A record's form labels (see `GET /api/records/{id}`). */
export type FormLabels = {
  /** label by field key (a group's fields as `group.field`) */
  fields: Record<string, LocalText>;
  /** label by field key and choice value */
  options: Record<string, Record<string, LocalText>>;
};

/** One version of a captured record (the original, then each correction). */
export type RecordVersion = {
  id: number;
  node: string;
  flow_instance_id: number | null;
  station_id: number | null;
  operator_id: number;
  operator_name: string;
  event_time: string;
  event_time_zone_offset: string;
  recorded_at: string;
  payload: Record<string, unknown>;
  data: Record<string, unknown>;
  corrects_record_id: number | null;
  correction_reason: string | null;
  /** The form's names for the values (absent from servers before labels were served). */
  labels?: FormLabels | null;
  signatures: Signature[];
};

export type TaskStatus = 'queued' | 'running' | 'done' | 'failed';

export type TaskProgress = {
  phase: 'tracing' | 'writing' | string;
  done: number;
  total: number | null;
  percent: number | null;
};

export type BackgroundTask = {
  id: number;
  kind: string;
  status: TaskStatus | string;
  result: { rows?: number; file?: string; seconds?: number } | null;
  /** While running: the walk ("tracing": items found so far), then the rows of a known total. */
  progress?: TaskProgress | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

export type Location = { id: number; code: string; name: string };
