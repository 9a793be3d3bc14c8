import { buildUrl } from '@/lib/api-client';

export type Fsma204Request = {
  /** first and last day (YYYY-MM-DD, the browser's time zone), both included */
  from: string;
  to: string;
  tlc?: string;
  format: 'xlsx' | 'csv';
};

/** `2026-11-28` at the start of that day in the browser's time zone, as ISO 8601 with its offset. */
function startOfDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const local = new Date(year, month - 1, date);
  const minutes = -local.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');
  const offset = `${sign}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
  return `${day}T00:00:00${offset}`;
}

function nextDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(year, month - 1, date + 1);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}`;
}

/**
 * Where the FDA FSMA 204 sortable spreadsheet of the days asked for is downloaded (a plain link:
 * the browser sends the session cookie and saves the attachment itself).
 */
export function downloadFsma204Url({ from, to, tlc, format }: Fsma204Request): string {
  return buildUrl('/reports/fsma204', {
    since: startOfDay(from),
    until: startOfDay(nextDay(to)),
    tlc: tlc?.trim() ? tlc.trim() : undefined,
    format,
  });
}
