import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { errorMessage } from '@/lib/error-message';

import { getLabelTemplates } from '@/features/station/api/get-label-templates';
import { printLabel } from '@/features/station/api/print-label';
import { labelPayload } from '@/features/station/lib/label';
import type { CreatedItem, LabelTemplate } from '@/features/station/types/station';

/**
 * A printable label for an item the step created: code, description, quantity, expiry and a QR
 * code with its GS1 Digital Link (or this Lotline's URL for it). Printing shows only the labels.
 */
export function LabelCard({ item, station }: { item: CreatedItem; station: string | null }) {
  const { t } = useTranslation();
  const [qr, setQr] = useState<string | null>(null);
  const payload = labelPayload(item, window.location.origin);

  useEffect(() => {
    let live = true;
    QRCode.toDataURL(payload, { margin: 1, width: 168, errorCorrectionLevel: 'M' })
      .then((url) => live && setQr(url))
      .catch(() => live && setQr(null));
    return () => {
      live = false;
    };
  }, [payload]);

  return (
    <article className="label" data-testid="label" aria-label={t('station.label.title', { code: item.code })}>
      <div className="label__text">
        <strong className="label__code">{item.code}</strong>
        <span>{item.material ?? t(`station.itemKind.${item.kind}`, { defaultValue: item.kind })}</span>
        {item.quantity !== null ? (
          <span>
            {t('station.label.quantity')}: {item.quantity} {item.uom ?? ''}
          </span>
        ) : null}
        {item.expiry ? (
          <span>
            {t('station.label.expiry')}: {item.expiry}
          </span>
        ) : null}
      </div>
      {qr ? <img className="label__qr" src={qr} alt={payload} width={168} height={168} /> : null}
      {station ? <PrinterButton itemId={item.id} station={station} /> : null}
    </article>
  );
}

type Printing =
  | { kind: 'idle' }
  | { kind: 'printing' }
  | { kind: 'printed'; printer: string }
  | { kind: 'failed'; message: string };

/**
 * The pack's own label (ZPL) on the station's label printer, when an installed pack has a
 * template for this kind of item; a choice when several fit. Hidden where none does.
 */
function PrinterButton({ itemId, station }: { itemId: number; station: string }) {
  const { t, i18n } = useTranslation();
  const [templates, setTemplates] = useState<LabelTemplate[]>([]);
  const [chosen, setChosen] = useState('');
  const [state, setState] = useState<Printing>({ kind: 'idle' });

  useEffect(() => {
    const controller = new AbortController();
    getLabelTemplates(itemId, controller.signal).then(
      (found) => {
        setTemplates(found);
        setChosen(found[0]?.key ?? '');
      },
      () => setTemplates([]), // no templates, or not allowed: the browser label stays
    );
    return () => controller.abort();
  }, [itemId]);

  if (templates.length === 0) return null;
  const name = (template: LabelTemplate) => (i18n.language === 'zh-CN' ? template.name['zh-CN'] : template.name.en);
  const print = () => {
    setState({ kind: 'printing' });
    printLabel(itemId, station, chosen).then(
      (result) => setState({ kind: 'printed', printer: result.printer }),
      (failure: unknown) => setState({ kind: 'failed', message: errorMessage(failure, t) }),
    );
  };

  return (
    <div className="label__printer" data-testid="label-printer">
      {templates.length > 1 ? (
        <select aria-label={t('station.label.template')} value={chosen} onChange={(e) => setChosen(e.target.value)}>
          {templates.map((template) => (
            <option key={template.key} value={template.key}>
              {name(template)}
            </option>
          ))}
        </select>
      ) : null}
      <button type="button" className="button" onClick={print} disabled={state.kind === 'printing'}>
        {state.kind === 'printing' ? t('station.label.printing') : t('station.label.printOn')}
      </button>
      {state.kind === 'printed' ? <span role="status">{t('station.label.printed', { printer: state.printer })}</span> : null}
      {state.kind === 'failed' ? (
        <span className="alert alert--danger" role="alert">
          {state.message}
        </span>
      ) : null}
    </div>
  );
}
