import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useSession } from '@/hooks/use-session';
import { hasPermission } from '@/lib/session';

import { downloadFsma204Url } from '@/features/trace/api/download-fsma204';

import styles from '@/features/trace/components/trace.module.css';

function today(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The FDA FSMA 204 sortable spreadsheet (what FDA may ask for within 24 hours): every critical
 * tracking event of the days chosen with its key data elements, optionally of one traceability
 * lot code; for users who may export reports.
 */
export function FsmaExport() {
  const { t } = useTranslation();
  const session = useSession();
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [tlc, setTlc] = useState('');
  const [format, setFormat] = useState<'xlsx' | 'csv'>('xlsx');
  if (!hasPermission(session, 'reports.read')) return null;
  const reversed = to < from;

  return (
    <section className="card" aria-labelledby="fsma-title" data-testid="fsma-export">
      <h2 id="fsma-title">{t('trace.fsma.title')}</h2>
      <p>{t('trace.fsma.lead')}</p>
      <div className={styles.finderForm}>
        <div className="field">
          <label htmlFor="fsma-from">{t('trace.fsma.from')}</label>
          <input id="fsma-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="fsma-to">{t('trace.fsma.to')}</label>
          <input id="fsma-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="fsma-tlc">{t('trace.fsma.tlc')}</label>
          <input id="fsma-tlc" value={tlc} onChange={(e) => setTlc(e.target.value)} autoComplete="off" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="fsma-format">{t('trace.fsma.format')}</label>
          <select id="fsma-format" value={format} onChange={(e) => setFormat(e.target.value as 'xlsx' | 'csv')}>
            <option value="xlsx">XLSX</option>
            <option value="csv">CSV</option>
          </select>
        </div>
      </div>
      {reversed ? (
        <p className="alert alert--danger" role="alert">
          {t('trace.fsma.reversed')}
        </p>
      ) : (
        from &&
        to && (
          <a className="button" href={downloadFsma204Url({ from, to, tlc, format })} download data-testid="fsma-download">
            {t('trace.fsma.download')}
          </a>
        )
      )}
    </section>
  );
}
