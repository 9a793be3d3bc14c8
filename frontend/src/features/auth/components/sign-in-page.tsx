import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';

import { Segmented } from '@/components/ui/segmented';
import { ApiError } from '@/lib/api-client';
import { errorMessage } from '@/lib/error-message';
import { signIn, signInAtStation } from '@/lib/session';

const MODES = ['user', 'station'] as const;
type Mode = (typeof MODES)[number];

/** Where to go after signing in: the `next` parameter when it is a path inside the app. */
function safeNext(next: string | null, fallback: string): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

function FieldErrors({ error, field }: { error: unknown; field: string }) {
  if (!(error instanceof ApiError)) return null;
  const messages = error.errorsFor(field);
  if (messages.length === 0) return null;
  return (
    <p className="field-error" id={`${field}-error`} role="alert">
      {messages.map((m) => m.message).join(' ')}
    </p>
  );
}

/**
 * Sign-in for people (user name + password) and for stations (station code, badge scan, PIN).
 * A station sign-in goes straight to the station app.
 */
export function SignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [mode, setMode] = useState<Mode>(params.get('station') ? 'station' : 'user');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = (name: string) => String(data.get(name) ?? '');
    setBusy(true);
    setError(null);
    try {
      const me =
        mode === 'user'
          ? await signIn(value('username'), value('password'))
          : await signInAtStation(value('station'), value('badge'), value('pin'));
      const fallback = me.kind === 'station' ? '/station' : '/';
      void navigate(me.must_change_password ? '/password' : safeNext(params.get('next'), fallback), {
        replace: true,
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: string) =>
    error instanceof ApiError && error.errorsFor(field).length > 0 ? true : undefined;

  return (
    <div className="page narrow">
      <div>
        <h1>{t('auth.signIn.title')}</h1>
        <p className="lead">{t('auth.signIn.intro')}</p>
      </div>
      <form className="card" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="sign-in-form">
        <Segmented
          name="mode"
          legend={t('auth.signIn.modeLabel')}
          options={MODES}
          value={mode}
          label={(option) => t(option === 'user' ? 'auth.signIn.modeUser' : 'auth.signIn.modeStation')}
          onChange={setMode}
        />
        {mode === 'user' ? (
          <>
            <div className="field">
              <label htmlFor="username">{t('auth.signIn.username')}</label>
              <input id="username" name="username" autoComplete="username" required
                aria-invalid={invalid('username')} autoFocus />
              <FieldErrors error={error} field="username" />
            </div>
            <div className="field">
              <label htmlFor="password">{t('auth.signIn.password')}</label>
              <input id="password" name="password" type="password" autoComplete="current-password"
                required aria-invalid={invalid('password')} />
              <FieldErrors error={error} field="password" />
            </div>
          </>
        ) : (
          <>
            <div className="field">
              <label htmlFor="station">{t('auth.signIn.station')}</label>
              <input id="station" name="station" required defaultValue={params.get('station') ?? ''}
                aria-invalid={invalid('station')} autoCapitalize="characters" />
              <FieldErrors error={error} field="station" />
            </div>
            <div className="field">
              <label htmlFor="badge">{t('auth.signIn.badge')}</label>
              <input id="badge" name="badge" required autoComplete="off" aria-describedby="badge-hint"
                aria-invalid={invalid('badge')} autoFocus />
              <small id="badge-hint">{t('auth.signIn.badgeHint')}</small>
              <FieldErrors error={error} field="badge" />
            </div>
            <div className="field">
              <label htmlFor="pin">{t('auth.signIn.pin')}</label>
              <input id="pin" name="pin" type="password" inputMode="numeric" autoComplete="off" required
                aria-invalid={invalid('pin')} />
              <FieldErrors error={error} field="pin" />
            </div>
          </>
        )}
        {error && !(error instanceof ApiError && error.errors.length > 0) ? (
          <p className="alert alert--danger" role="alert" data-testid="sign-in-error">
            {errorMessage(error, t)}
          </p>
        ) : null}
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('auth.signIn.submitting') : t('auth.signIn.submit')}
        </button>
      </form>
    </div>
  );
}
