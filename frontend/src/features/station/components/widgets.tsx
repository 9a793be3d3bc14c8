import type { WidgetProps } from '@rjsf/utils';
import { type KeyboardEvent, lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { StatusBadge, type StatusTone } from '@/components/ui/status-badge';

import { focusNextField } from '@/features/station/lib/focus';
import { type SpecLimits, specVerdict } from '@/features/station/lib/form-logic';
import { displayScan, GS, isGroupSeparatorKey, looksLikeGs1 } from '@/lib/scan-input';

const CameraScanner = lazy(async () => ({
  default: (await import('@/components/ui/camera-scanner')).CameraScanner,
}));

function describedBy(id: string, rawErrors: string[] | undefined): string | undefined {
  return rawErrors?.length ? `${id}__error` : undefined;
}

/**
 * A scan field: a keyboard-wedge scanner types into it and ends with Enter or Tab (Enter moves to
 * the next field instead of submitting); Ctrl+] or a literal GS is kept as the GS1 separator;
 * the camera button reads a barcode with the device camera instead.
 */
export function ScanWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, autofocus, onChange, onBlur, onFocus, rawErrors } =
    props;
  const { t } = useTranslation();
  const [camera, setCamera] = useState(false);
  const text = typeof value === 'string' ? value : '';

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (isGroupSeparatorKey(event)) {
      event.preventDefault();
      const input = event.currentTarget;
      const start = input.selectionStart ?? text.length;
      const end = input.selectionEnd ?? text.length;
      onChange(text.slice(0, start) + GS + text.slice(end));
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault(); // a scanner's Enter ends the scan, it does not submit
      focusNextField(event.currentTarget);
    }
  }

  return (
    <div className="scan">
      <div className="scan__row">
        <input
          id={id}
          className="input scan__input"
          value={text}
          required={required}
          disabled={disabled || readonly}
          autoFocus={autofocus}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
          enterKeyHint="next"
          data-scan="true"
          aria-invalid={rawErrors?.length ? true : undefined}
          aria-describedby={describedBy(id, rawErrors)}
          onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => onBlur(id, value)}
          onFocus={() => onFocus(id, value)}
        />
        <button
          type="button"
          className="button button--secondary scan__camera"
          onClick={() => setCamera(true)}
          disabled={disabled || readonly}
          aria-label={t('station.scan.camera')}
          title={t('station.scan.camera')}
        >
          <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
            <path
              d="M4 7h3l2-2h6l2 2h3v12H4z M12 10a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            />
          </svg>
        </button>
      </div>
      {text && looksLikeGs1(text) ? (
        <small className="scan__hint" data-testid="scan-gs1">
          {t('station.scan.gs1', { value: displayScan(text) })}
        </small>
      ) : null}
      {camera ? (
        <Suspense fallback={<p>{t('common.loading')}</p>}>
          <CameraScanner
            onScan={(result) => {
              setCamera(false);
              onChange(result);
            }}
            onCancel={() => setCamera(false)}
          />
        </Suspense>
      ) : null}
    </div>
  );
}

const VERDICT_TONE: Record<string, StatusTone> = { pass: 'ok', warn: 'warning', fail: 'danger' };

/**
 * The number a worker typed, read the same way for the live verdict and for the value sent: a
 * decimal comma counts as a point; anything else unreadable (or blank) is no number.
 */
function readNumber(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** A measured value with its unit and live feedback against the spec limits. */
export function MeasurementWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, autofocus, onChange, onBlur, onFocus, rawErrors } =
    props;
  const { t } = useTranslation();
  const options = props.options as SpecLimits & { unit?: string };
  const [text, setText] = useState(value === undefined || value === null ? '' : String(value));
  const number = readNumber(text);
  const verdict = specVerdict(number, options);
  const limits = [
    options.lsl !== undefined ? `${t('station.measure.lsl')} ${options.lsl}` : null,
    options.target !== undefined ? `${t('station.measure.target')} ${options.target}` : null,
    options.usl !== undefined ? `${t('station.measure.usl')} ${options.usl}` : null,
  ].filter(Boolean);

  return (
    <div className="measure">
      <div className="measure__row">
        <input
          id={id}
          className="input measure__input"
          inputMode="decimal"
          value={text}
          required={required}
          disabled={disabled || readonly}
          autoFocus={autofocus}
          autoComplete="off"
          aria-invalid={rawErrors?.length ? true : undefined}
          aria-describedby={`${id}__spec ${describedBy(id, rawErrors) ?? ''}`.trim()}
          onChange={(event) => {
            const raw = event.target.value;
            setText(raw);
            const read = readNumber(raw);
            // The server coerces tablet strings; an unreadable number goes as typed so the
            // server can say precisely what is wrong with it.
            onChange(raw.trim() === '' ? undefined : (read ?? raw));
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              focusNextField(event.currentTarget);
            }
          }}
          onBlur={() => onBlur(id, value)}
          onFocus={() => onFocus(id, value)}
        />
        {options.unit ? <span className="measure__unit">{options.unit}</span> : null}
        {verdict ? (
          <StatusBadge tone={VERDICT_TONE[verdict]!} data-testid={`spec-${id}`}>
            {t(`station.measure.${verdict}`)}
          </StatusBadge>
        ) : null}
      </div>
      {limits.length ? (
        <small id={`${id}__spec`} className="measure__limits">
          {limits.join(' · ')}
        </small>
      ) : null}
    </div>
  );
}

/** Computed fields: shown, never typed (the server computes them again). */
export function ReadonlyWidget({ id, value }: WidgetProps) {
  return (
    <output id={id} className="readonly">
      {value === undefined || value === null ? '—' : String(value)}
    </output>
  );
}

/** A reference (photo, attachment, signature meaning) entered as text. */
export function ReferenceWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, onChange, onBlur, onFocus, rawErrors } = props;
  return (
    <input
      id={id}
      className="input"
      value={typeof value === 'string' ? value : ''}
      required={required}
      disabled={disabled || readonly}
      aria-invalid={rawErrors?.length ? true : undefined}
      onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
      onBlur={() => onBlur(id, value)}
      onFocus={() => onFocus(id, value)}
    />
  );
}
