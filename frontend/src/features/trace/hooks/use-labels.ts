import { useTranslation } from 'react-i18next';

import { isEdgeRelation, isItemKind, isItemStatus } from '@/features/trace/lib/item-status';

const STEPS = ['receiving', 'assembling', 'inspecting', 'repairing', 'packing', 'shipping'] as const;
type Step = (typeof STEPS)[number];
const isStep = (value: string): value is Step => (STEPS as readonly string[]).includes(value);

const SIGNATURE_STATUSES = ['valid', 'content_changed', 'tampered', 'object_missing'] as const;
type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];
const isSignatureStatus = (value: string): value is SignatureStatus =>
  (SIGNATURE_STATUSES as readonly string[]).includes(value);

const RESULTS = ['pass', 'warning', 'fail'] as const;
type Result = (typeof RESULTS)[number];
const isResult = (value: string): value is Result => (RESULTS as readonly string[]).includes(value);

/** Words for the codes the API sends (status, kind, relation, step…); unknown codes as sent. */
export function useLabels() {
  const { t } = useTranslation();
  return {
    status: (code: string) => (isItemStatus(code) ? t(`trace.status.${code}`) : code),
    kind: (code: string) => (isItemKind(code) ? t(`trace.kind.${code}`) : code),
    relation: (code: string) =>
      isEdgeRelation(code) || code === 'shipped' ? t(`trace.relation.${code}`) : code,
    step: (code: string | null | undefined) => (!code ? '' : isStep(code) ? t(`trace.step.${code}`) : code),
    signature: (code: string) => (isSignatureStatus(code) ? t(`trace.signatureStatus.${code}`) : code),
    result: (code: string) => (isResult(code) ? t(`trace.result.${code}`) : code),
  };
}
