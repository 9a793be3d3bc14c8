import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

type CameraScannerProps = { onResult: (text: string) => void; onClose: () => void };

/**
 * Reads one barcode with the device camera. Loaded only when a worker taps the camera button,
 * together with @zxing/browser, so the station's first screen never carries the decoder.
 */
export default function CameraScanner({ onResult, onClose }: CameraScannerProps) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const { BrowserMultiFormatReader } = await import('@zxing/browser');
        if (cancelled || !video.current) return;
        const reader = new BrowserMultiFormatReader();
        const controls = await reader.decodeFromVideoDevice(undefined, video.current, (result) => {
          if (result) {
            controls.stop();
            onResult(result.getText());
          }
        });
        stop = () => controls.stop();
        if (cancelled) stop();
      } catch {
        if (!cancelled) setFailed(true);
      }
    })();
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [onResult]);

  return (
    <div className="camera" role="dialog" aria-modal="true" aria-label={t('station.scan.camera')}>
      {failed ? (
        <p className="alert alert--danger" role="alert">
          {t('station.scan.cameraFailed')}
        </p>
      ) : (
        <video ref={video} className="camera__video" muted playsInline />
      )}
      <button type="button" className="button button--secondary" onClick={onClose}>
        {t('station.scan.cameraClose')}
      </button>
    </div>
  );
}
