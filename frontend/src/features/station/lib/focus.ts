/**
 * Scan-first flow: moves focus to the next input of the form after `from`. After the last one the
 * form submits itself when its node allows it and every required value is there (the wrapper
 * says so with `data-auto-submit`); otherwise focus goes to the submit button.
 */
export function focusNextField(from: HTMLElement): void {
  const form = from.closest('form');
  if (!form) return;
  const fields = [
    ...form.querySelectorAll<HTMLElement>('input:not([type=hidden]):not([disabled]), select, textarea'),
  ].filter((element) => element.offsetParent !== null || element === from);
  const next = fields[fields.indexOf(from) + 1];
  if (next) {
    next.focus();
    return;
  }
  if (from.closest('[data-auto-submit="true"]')) form.requestSubmit();
  else form.querySelector<HTMLElement>('button[type=submit]')?.focus();
}
