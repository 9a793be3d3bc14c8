import type { IconButtonProps } from '@rjsf/utils';
import { useTranslation } from 'react-i18next';

type Action = 'add' | 'remove' | 'moveUp' | 'moveDown' | 'copy' | 'clear';

/**
 * rjsf's buttons for repeating groups (add another consumed lot, remove one…), drawn as
 * Lotline's touch-size buttons with words in the worker's language instead of icon fonts.
 */
function textButton(action: Action) {
  function ArrayButton(props: IconButtonProps) {
    const { t } = useTranslation();
    const { onClick, disabled, id, className } = props;
    const danger = action === 'remove' || action === 'clear';
    return (
      <button
        type="button"
        id={id}
        className={`button ${danger ? 'button--danger' : 'button--secondary'} ${className ?? ''}`}
        onClick={onClick}
        disabled={disabled}
      >
        {t(`station.form.${action}`)}
      </button>
    );
  }
  return ArrayButton;
}

export const ARRAY_BUTTONS = {
  AddButton: textButton('add'),
  RemoveButton: textButton('remove'),
  MoveUpButton: textButton('moveUp'),
  MoveDownButton: textButton('moveDown'),
  CopyButton: textButton('copy'),
  ClearButton: textButton('clear'),
};
