// Keyboard-wedge scanning helpers shared by the station's scan fields and the trace search.

/** The GS1 group separator (ASCII 29) that ends a variable-length element string field. */
export const GS = '\u001d';

/**
 * Keyboard-wedge scanners type the barcode and end it with Enter or Tab. Many send the group
 * separator as Ctrl+] (the ASCII control-key way of typing 29): that key press becomes a GS
 * character in the value instead of being lost.
 */
export function isGroupSeparatorKey(event: { key: string; ctrlKey: boolean; code?: string }): boolean {
  return event.key === GS || (event.ctrlKey && (event.key === ']' || event.code === 'BracketRight'));
}

/** Shows a scanned value with its invisible separators made visible. */
export function displayScan(value: string): string {
  return value.replaceAll(GS, '⟨GS⟩');
}

/** Whether a value looks like GS1 (symbology prefix, AI in brackets, GS or Digital Link). */
export function looksLikeGs1(value: string): boolean {
  return /^\](d2|C1|Q3|e0)/.test(value) || value.includes(GS) || /^\(\d{2,4}\)/.test(value) || /\/01\/\d{14}/.test(value);
}
