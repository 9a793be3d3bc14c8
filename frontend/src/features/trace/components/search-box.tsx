import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { CameraScanner } from '@/components/ui/camera-scanner';
import { GS, isGroupSeparatorKey } from '@/lib/scan-input';

import styles from '@/features/trace/components/trace.module.css';

type SearchBoxProps = {
  initial: string;
  onSearch: (text: string) => void;
  busy?: boolean;
};

/**
 * One box for any identifier: typed, pasted (GS1 element strings, Digital Link URLs) or scanned —
 * by a keyboard-wedge scanner (it types and presses Enter) or the camera.
 */
export function SearchBox({ initial, onSearch, busy = false }: SearchBoxProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(initial);
  const [camera, setCamera] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = text.trim();
    if (value) onSearch(value);
  };

  return (
    <div className="card">
      <form className={styles.searchForm} onSubmit={submit} role="search">
        <div className={`field ${styles.searchField}`}>
          <label htmlFor="trace-search">{t('trace.search.label')}</label>
          <input
            id="trace-search"
            name="q"
            type="search"
            autoComplete="off"
            spellCheck={false}
            placeholder={t('trace.search.placeholder')}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              // A wedge scanner's GS1 separator (Ctrl+] or a literal GS) stays in the search text.
              if (!isGroupSeparatorKey(event)) return;
              event.preventDefault();
              const input = event.currentTarget;
              const start = input.selectionStart ?? text.length;
              setText(text.slice(0, start) + GS + text.slice(input.selectionEnd ?? start));
            }}
            data-testid="trace-search-input"
          />
        </div>
        <div className={styles.actions}>
          <button className="button" type="submit" disabled={busy} data-testid="trace-search-submit">
            {t('trace.search.submit')}
          </button>
          <button
            className="button button--secondary"
            type="button"
            onClick={() => setCamera(true)}
            aria-expanded={camera}
            data-testid="trace-camera-button"
          >
            {t('trace.search.scan')}
          </button>
        </div>
      </form>
      {camera && (
        <CameraScanner
          onCancel={() => setCamera(false)}
          onScan={(value) => {
            setCamera(false);
            setText(value);
            onSearch(value);
          }}
        />
      )}
    </div>
  );
}
