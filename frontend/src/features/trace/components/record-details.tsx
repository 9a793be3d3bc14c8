import { useTranslation } from 'react-i18next';

import { errorMessage } from '@/lib/error-message';

import { getRecord } from '@/features/trace/api/get-record';
import { formatDateTime } from '@/features/trace/lib/format';
import { describeRecordData, nameRecordValues } from '@/features/trace/lib/record-data';
import { useLabels } from '@/features/trace/hooks/use-labels';
import { useQuery } from '@/features/trace/hooks/use-query';
import type { Signature } from '@/features/trace/types/trace';

import styles from '@/features/trace/components/trace.module.css';

/**
 * What a record captured (its latest version: corrections follow the original), inspection results
 * with their verdict, and every signature on any version.
 */
export function RecordDetails({ recordId }: { recordId: number }) {
  const { t, i18n } = useTranslation();
  const labels = useLabels();
  const record = useQuery(`record:${recordId}`, (signal) => getRecord(recordId, signal));

  if (record.loading) return <p aria-busy="true">{t('common.loading')}</p>;
  if (record.error !== undefined) {
    return (
      <p className="alert alert--danger" role="alert">
        {errorMessage(record.error, t)}
      </p>
    );
  }
  const versions = record.data ?? [];
  const latest = versions[versions.length - 1];
  if (!latest) return null;
  const values = nameRecordValues(describeRecordData(latest.data), latest.data, latest.labels, i18n.language);
  const signatures = versions.flatMap((version) => version.signatures);
  const meaning = (signature: Signature) =>
    (i18n.language === 'zh-CN' ? signature.meaning_zh : signature.meaning_en) || signature.meaning;

  return (
    <div data-testid="record-details">
      {latest.corrects_record_id !== null && (
        <p className="alert alert--warning">
          {t('trace.detail.corrected', { reason: latest.correction_reason ?? '' })}
        </p>
      )}
      {values.length > 0 && (
        <ul className={styles.results} aria-label={t('trace.detail.results')}>
          {values.map((value) => (
            <li key={value.key} className={styles.result} data-result={value.result}>
              {value.label}: {value.text}
              {value.spec && ` (${t('trace.detail.spec', { spec: value.spec })})`}
              {value.result && ` — ${labels.result(value.result)}`}
            </li>
          ))}
        </ul>
      )}
      {signatures.length > 0 && (
        <ul className={styles.results} aria-label={t('trace.detail.signatures')} data-testid="record-signatures">
          {signatures.map((signature, index) => (
            <li key={index}>
              {t('trace.detail.signature', {
                name: signature.signer_name,
                meaning: meaning(signature),
                time: formatDateTime(signature.signed_at, i18n.language),
              })}{' '}
              ({labels.signature(signature.status)})
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
