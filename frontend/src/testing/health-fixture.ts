/** A /api/health body as the back end sends it in embedded mode (SQLite, no Redis). */
export function healthBody(overrides: Record<string, unknown> = {}) {
  return {
    status: 'ok',
    version: '0.1.0',
    database: { status: 'ok', dialect: 'sqlite' },
    redis: { status: 'disabled' },
    jobs: { mode: 'inline' },
    ...overrides,
  };
}
