import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { errorMessage } from '@/lib/error-message';

import { getStations } from '@/features/station/api/get-stations';
import type { Station } from '@/features/station/types/station';

/** A user who signed in with a password says which station this tablet is. */
export function StationPicker({ onPick }: { onPick: (code: string) => void }) {
  const { t } = useTranslation();
  const [stations, setStations] = useState<Station[] | undefined>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    getStations().then(setStations, setError);
  }, []);

  return (
    <div className="page">
      <div>
        <h1>{t('station.pick.title')}</h1>
        <p className="lead">{t('station.pick.intro')}</p>
      </div>
      {error ? (
        <p className="alert alert--danger" role="alert">
          {errorMessage(error, t)}
        </p>
      ) : null}
      {stations ? (
        <div className="station__nodes">
          {stations.map((station) => (
            <button key={station.id} type="button" className="button" onClick={() => onPick(station.code)}>
              {station.code} · {station.name}
            </button>
          ))}
        </div>
      ) : (
        !error && <p aria-busy="true">{t('common.loading')}</p>
      )}
    </div>
  );
}
