import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

import { ApiError } from '@/lib/api-client';
import { errorMessage } from '@/lib/error-message';
import { changePassword } from '@/lib/session';

/** Required after an initial or reset password; also reachable any time. */
export function ChangePasswordPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const current = String(data.get('current') ?? '');
    const next = String(data.get('new') ?? '');
    if (next !== String(data.get('confirm') ?? '')) {
      setError(t('auth.password.mismatch'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await changePassword(current, next);
      void navigate('/', { replace: true });
    } catch (caught) {
      const details = caught instanceof ApiError ? caught.errors.map((e) => e.message) : [];
      setError([errorMessage(caught, t), ...details].join(' '));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page narrow">
      <div>
        <h1>{t('auth.password.title')}</h1>
        <p className="lead">{t('auth.password.intro')}</p>
      </div>
      <form className="card" onSubmit={(e) => void onSubmit(e)} data-testid="password-form">
        {(['current', 'new', 'confirm'] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`pw-${name}`}>{t(`auth.password.${name}`)}</label>
            <input id={`pw-${name}`} name={name} type="password" required
              autoComplete={name === 'current' ? 'current-password' : 'new-password'} />
          </div>
        ))}
        {error ? (
          <p className="alert alert--danger" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button" disabled={busy}>
          {t('auth.password.submit')}
        </button>
      </form>
    </div>
  );
}
