import { useTranslation } from 'react-i18next';

import type { SignatureInput } from '@/features/station/types/station';

type SignatureFieldsProps = {
  meanings: string[];
  value: SignatureInput[];
  onChange: (value: SignatureInput[]) => void;
  errors: Record<number, string[]>;
};

/**
 * The node's required signatures (21 CFR 11.200): for each meaning, the signer's user name and
 * password, checked by the server when the record is saved.
 */
export function SignatureFields({ meanings, value, onChange, errors }: SignatureFieldsProps) {
  const { t } = useTranslation();

  function update(index: number, patch: Partial<SignatureInput>) {
    const next = meanings.map(
      (meaning, i) => value[i] ?? { meaning, username: '', password: '' },
    );
    next[index] = { ...next[index]!, ...patch };
    onChange(next);
  }

  return (
    <fieldset className="card signatures" data-testid="signatures">
      <legend>{t('station.sign.title')}</legend>
      <p>{t('station.sign.intro')}</p>
      {meanings.map((meaning, index) => (
        <fieldset key={meaning} className="signatures__row">
          <legend>{t(`station.sign.meaning.${meaning}`, { defaultValue: meaning })}</legend>
          <div className="field">
            <label htmlFor={`sig-${index}-user`}>{t('auth.signIn.username')}</label>
            <input
              id={`sig-${index}-user`}
              autoComplete="off"
              value={value[index]?.username ?? ''}
              onChange={(event) => update(index, { username: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`sig-${index}-password`}>{t('auth.signIn.password')}</label>
            <input
              id={`sig-${index}-password`}
              type="password"
              autoComplete="off"
              value={value[index]?.password ?? ''}
              onChange={(event) => update(index, { password: event.target.value })}
            />
          </div>
          {errors[index]?.length ? (
            <p className="field-error" role="alert">
              {errors[index].join(' ')}
            </p>
          ) : null}
        </fieldset>
      ))}
    </fieldset>
  );
}
