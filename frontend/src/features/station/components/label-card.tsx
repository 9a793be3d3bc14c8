import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { labelPayload } from '@/features/station/lib/label';
import type { CreatedItem } from '@/features/station/types/station';

/**
 * A printable label for an item the step created: code, description, quantity, expiry and a QR
 * code with its GS1 Digital Link (or this Lotline's URL for it). Printing shows only the labels.
 */
export function LabelCard({ item }: { item: CreatedItem }) {
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
    </article>
  );
}
