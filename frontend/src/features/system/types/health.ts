/**
 * GET /api/health. Enumerated values are typed as `string` on purpose: the server may add a state
 * before this client knows it, and the UI shows unknown values instead of failing.
 */
export type Health = {
  /** `ok` | `degraded` */
  status: string;
  version: string;
  database: {
    /** `ok` | `down` */
    status: string;
    /** `sqlite` | `postgresql` */
    dialect: string;
  };
  redis: {
    /** `disabled` (no LOTLINE_REDIS_URL) | `ok` | `down` */
    status: string;
  };
  jobs: {
    /** `inline` (in-process, no Redis) | `rq` */
    mode: string;
  };
};
