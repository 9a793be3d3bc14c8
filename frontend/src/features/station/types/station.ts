/** Shapes the station app reads from the API (only the parts it uses). */

export type Localized = Record<string, string> | string | undefined;

/** A flow in `/api/flows`; a retired one (its pack was uninstalled) starts no new work. */
export type FlowSummary = { key: string; latest_version: number | null; retired_at?: string | null };

export type FlowNode = {
  id: string;
  type: string;
  name?: Localized;
  form: { key: string; version: number };
  rules?: {
    allowed_stations?: string[];
    signatures?: { meanings: string[]; distinct_signers?: boolean };
  };
  /** Station behaviour; `auto_submit` sends a complete form without a tap. */
  station?: { auto_submit?: boolean };
  anytime?: boolean;
};

export type FlowDocument = {
  key: string;
  version: number;
  subject: string;
  name?: Localized;
  start: string[];
  nodes: FlowNode[];
};

export type FlowVersion = { key: string; version: number; document: FlowDocument };

export type RenderedForm = {
  schema: Record<string, unknown>;
  uiSchema: Record<string, unknown>;
};

export type FormVersion = {
  key: string;
  version: number;
  document: { title?: Localized };
  rendered: RenderedForm;
};

export type Station = { id: number; code: string; name: string; active: boolean };

export type NodeStatus = { node: string; status: string; enabled: boolean; anytime?: boolean };

export type InstanceSummary = { id: number; flow_key: string; subject: string; status: string };

export type InstanceDetail = InstanceSummary & { nodes: NodeStatus[] };

export type CreatedItem = {
  id: number;
  code: string;
  kind: string;
  material: string | null;
  quantity: number | null;
  uom: string | null;
  expiry: string | null;
  gtin: string | null;
  lot: string | null;
  serial: string | null;
  sscc: string | null;
  digital_link: string | null;
  status: string;
};

/** A label template of an installed pack (`<pack>/<label>`). */
export type LabelTemplate = {
  key: string;
  name: { en: string; 'zh-CN': string };
  applies_to: string;
  format: string;
};

export type PrintResult = { item_id: number; template: string; printer: string; copies: number };

export type CaptureResult = {
  record: { id: number; flow: string; node: string; subject: string | null; instance_id: number };
  created_items: CreatedItem[];
  next_steps: { node: string; status: string }[];
  instance_status: string;
  notices: { code: string; message: string; field?: string }[];
  signatures: { meaning: string; signer: string }[];
  replayed?: boolean;
};

export type SignatureInput = { meaning: string; username: string; password: string };

/** What the station posts to /api/records (and what the offline queue keeps). */
export type CaptureBody = {
  idempotency_key: string;
  flow: string;
  node: string;
  subject: string | null;
  station: string | null;
  event_time: string;
  payload: Record<string, unknown>;
  signatures?: SignatureInput[];
};
