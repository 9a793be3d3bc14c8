import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import styles from '@/components/ui/camera-scanner.module.css';

type CameraScannerProps = {
  onScan: (text: string) => void;
  onCancel: () => void;
};

type Controls = { stop: () => void };

/**
 * Reads a barcode (1D, QR, Data Matrix — GS1 ones included) with the device camera, for the trace
 * search and the station's scan fields. The decoder, @zxing/browser, is loaded only now, when
 * someone asked for the camera; the latest `onScan` is called (kept in a ref, so a re-render of
 * the caller never restarts the camera).
 */
export function CameraScanner({ onScan, onCancel }: CameraScannerProps) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<'starting' | 'scanning' | 'failed'>('starting');
  const [detail, setDetail] = useState('');
  const onScanRef = useRef(onScan);
  useEffect(() => {
    onScanRef.current = onScan;
  });

  useEffect(() => {
    let controls: Controls | undefined;
    let cancelled = false;
    (async () => {
      try {
        const { BrowserMultiFormatReader } = await import('@zxing/browser');
        if (cancelled || !video.current) return;
        const reader = new BrowserMultiFormatReader();
        controls = await reader.decodeFromVideoDevice(undefined, video.current, (result, _error, active) => {
          if (!result) return;
          active.stop();
          onScanRef.current(result.getText());
        });
        if (cancelled) controls.stop();
        else setState('scanning');
      } catch (error) {
        if (cancelled) return;
        setDetail(error instanceof Error ? error.message : String(error));
        setState('failed');
      }
    })();
    return () => {
      cancelled = true;
      controls?.stop();
    };
  }, []);

  return (
    <section className={styles.camera} aria-label={t('camera.title')} data-testid="camera-scanner">
      <h2>{t('camera.title')}</h2>
      {state === 'failed' ? (
        <p className="alert alert--danger" role="alert">
          {t('camera.failed')} {detail && <span className={styles.muted}>({detail})</span>}
        </p>
      ) : (
        <p aria-live="polite">{state === 'starting' ? t('camera.starting') : t('camera.hint')}</p>
      )}
      <video ref={video} muted playsInline hidden={state === 'failed'} />
      <button className="button button--secondary" type="button" onClick={onCancel}>
        {t('camera.cancel')}
      </button>
    </section>
  );
}
