/**
 * Answers of the genealogy API for the demo plant (two supplier lots, widgets made from them,
 * packed on a pallet and shipped to ACME), shaped exactly like the real ones. Used by tests.
 */
import type { Item, MassBalance, RecallScope, RecordVersion, Trace, TraceEvent } from '@/features/trace/types/trace';

export function item(id: number, code: string, overrides: Partial<Item> = {}): Item {
  return {
    id,
    code,
    kind: 'lot',
    material: null,
    gtin: null,
    lot: null,
    serial: null,
    sscc: null,
    quantity: 1,
    remaining: 1,
    uom: 'ea',
    status: 'released',
    expiry: null,
    supplier_lot: null,
    location_id: null,
    created_at: '2026-11-28T08:00:00+00:00',
    ...overrides,
  };
}

export const RES = item(1, 'RES-2611-A', { material: 'RES', quantity: 1000, remaining: 984, supplier_lot: 'RES-2611-A' });
export const CAP = item(2, 'CAP-2611-B', { material: 'CAP', quantity: 500, remaining: 491, supplier_lot: 'CAP-2611-B' });
export const UNIT = item(6, 'WDG-00003', { kind: 'unit', material: 'WIDGET', serial: 'WDG-00003', status: 'shipped' });
export const PALLET = item(4, '095060001343520000', { kind: 'container', quantity: null, remaining: null, uom: null });

export function event(id: number, itemId: number, overrides: Partial<TraceEvent> = {}): TraceEvent {
  return {
    id,
    item_id: itemId,
    record_id: id,
    event_type: 'ObjectEvent',
    action: 'OBSERVE',
    biz_step: 'inspecting',
    disposition: null,
    event_time: '2026-11-28T08:30:00+00:00',
    event_time_zone_offset: '+00:00',
    read_point: 'ST-1',
    biz_location: null,
    what: { inputs: [], outputs: [], parents: [], subject: 'WDG-00003' },
    how: { documents: [], equipment: [], operator: 'Olga Operator' },
    why: { node: 'final_test', record: id, correction: null },
    ...overrides,
  };
}

/** WDG-00003 backward: made from both lots; CAP consumed twice (assembly and rework). */
export const BACKWARD: Trace = {
  direction: 'backward',
  start: [6],
  items: [UNIT, RES, CAP],
  edges: [
    { id: 7, from_item_id: 1, to_item_id: 6, relation: 'consumed', quantity: 4, uom: 'ea', record_id: 11, event_id: 11 },
    { id: 8, from_item_id: 2, to_item_id: 6, relation: 'consumed', quantity: 2, uom: 'ea', record_id: 11, event_id: 11 },
    { id: 9, from_item_id: 2, to_item_id: 6, relation: 'consumed', quantity: 1, uom: 'ea', record_id: 13, event_id: 13 },
  ],
  depth: { '6': 0, '1': 1, '2': 1 },
  events: [],
  truncated: false,
};

/** RES-2611-A forward: into the unit, the unit onto the pallet and shipped to ACME. */
export const FORWARD: Trace = {
  direction: 'forward',
  start: [1],
  items: [RES, UNIT, PALLET],
  edges: [
    { id: 7, from_item_id: 1, to_item_id: 6, relation: 'consumed', quantity: 4, uom: 'ea', record_id: 11, event_id: 11 },
    { id: 10, from_item_id: 6, to_item_id: 4, relation: 'contained', quantity: null, uom: null, record_id: 15, event_id: 15 },
  ],
  depth: { '1': 0, '6': 1, '4': 2 },
  events: [
    event(16, 6, {
      biz_step: 'shipping',
      biz_location: 'CUST-ACME',
      disposition: 'in_transit',
      event_time: '2026-11-28T09:00:00+00:00',
    }),
  ],
  truncated: false,
};

export const UNIT_EVENTS: Trace = {
  direction: 'backward',
  start: [6],
  items: [UNIT],
  edges: [],
  depth: { '6': 0 },
  events: [
    event(11, 6, {
      event_type: 'TransformationEvent',
      action: null,
      biz_step: 'assembling',
      how: { equipment: ['TQ-7'], operator: 'Olga Operator', documents: [] },
      what: { inputs: [{ code: 'RES-2611-A', quantity: 4, uom: 'ea' }], outputs: ['WDG-00003'], parents: [] },
      why: { node: 'assemble', record: 11, correction: null },
    }),
    event(12, 6),
  ],
  truncated: true,
};

/** `GET /api/items/6/events`: the unit's own history. */
export const UNIT_HISTORY = {
  items: UNIT_EVENTS.events.map((entry) => ({ ...entry, role: entry.id === 11 ? 'output' : 'subject' })),
  total: UNIT_EVENTS.events.length,
};

export const UNIT_BALANCE: MassBalance = {
  item_id: 6,
  uom: 'ea',
  received_or_produced: 1,
  consumed: 0,
  shipped: 1,
  scrapped: 0,
  remaining: 0,
  difference: 0,
};

export function record(id: number, overrides: Partial<RecordVersion> = {}): RecordVersion {
  return {
    id,
    node: 'final_test',
    flow_instance_id: 5,
    station_id: 1,
    operator_id: 2,
    operator_name: 'Olga Operator',
    event_time: '2026-11-28T08:30:00+00:00',
    event_time_zone_offset: '+00:00',
    recorded_at: '2026-11-28T08:30:01+00:00',
    payload: {},
    data: {},
    corrects_record_id: null,
    correction_reason: null,
    signatures: [],
    ...overrides,
  };
}

export const CAP_RECALL: RecallScope = {
  start: [2],
  finished: [UNIT],
  stock: [CAP, PALLET],
  shipped: [UNIT],
  affected_count: 3,
  truncated: false,
  shipments: [{ item_id: UNIT.id, customer: 'CUST-ACME', shipped_at: '2026-11-28T09:30:00+00:00' }],
  customers: [{ code: 'CUST-ACME', name: 'ACME Retail DC', business_name: 'ACME Retail', items: 1 }],
};
