import { currentLanguage } from '@/lib/i18n';

/** Every API route lives under this prefix; Flask serves it, Vite proxies it in development. */
export const API_BASE_URL = '/api';

/** One problem with the request, located by its path in the submitted document. */
export type ApiFieldError = {
  path: (string | number)[];
  field: string;
  code: string;
  params: Record<string, unknown>;
  message: string;
};

/** The JSON body of every 4xx/5xx response from the Lotline API. */
export type ApiErrorBody = {
  code: string;
  message: string;
  errors: ApiFieldError[];
  request_id?: string;
};

/** Codes the client itself produces when there is no usable error body. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  invalidResponse: 'invalid_response',
} as const;

type ApiErrorInit = {
  status: number;
  code: string;
  message: string;
  errors?: ApiFieldError[];
  requestId?: string | undefined;
  body?: unknown;
};

/**
 * A failed API call. `status` is the HTTP status, or 0 when no response arrived at all.
 * `message` is the server's (already localised through Accept-Language) when it sent one.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly errors: readonly ApiFieldError[];
  readonly requestId: string | undefined;
  /** The parsed response body, whatever its shape (undefined when there was none). */
  readonly body: unknown;

  constructor(init: ApiErrorInit, options?: ErrorOptions) {
    super(init.message, options);
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.body = init.body;
  }

  /** True when the server answered with the documented error shape. */
  get fromServer(): boolean {
    return isApiErrorBody(this.body);
  }

  /** The problems reported for one field (`a.b`), in server order. */
  errorsFor(field: string): ApiFieldError[] {
    return this.errors.filter((error) => error.field === field);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return (
    isRecord(value) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    (value.errors === undefined || Array.isArray(value.errors))
  );
}

let csrfToken: string | undefined;

/**
 * The session's CSRF token, echoed in `X-CSRF-Token` on every state-changing request (the server
 * refuses a cookie-authenticated POST without it). Set at sign-in and from `/auth/me`.
 */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let onUnauthorized: (() => void) | undefined;

/**
 * Called when the server answers 401 to anything but sign-in itself: the session has ended (idle
 * timeout, signed out elsewhere), so the app can forget it and ask the person to sign in again.
 */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export type RequestOptions = {
  query?: QueryParams;
  /** Serialised as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
};

export function buildUrl(path: string, query?: QueryParams): string {
  const url = `${API_BASE_URL}${path.startsWith('/') ? path : `/${path}`}`;
  if (!query) return url;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) search.append(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${url}?${qs}` : url;
}

function isJson(response: Response): boolean {
  const type = response.headers.get('Content-Type') ?? '';
  return /\bjson\b/i.test(type);
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = isJson(response) ? await readJson(response) : undefined;
  } catch {
    body = undefined;
  }
  if (isApiErrorBody(body)) {
    return new ApiError({
      status: response.status,
      code: body.code,
      message: body.message,
      errors: body.errors ?? [],
      requestId: body.request_id ?? response.headers.get('X-Request-ID') ?? undefined,
      body,
    });
  }
  return new ApiError({
    status: response.status,
    code: `http_${response.status}`,
    message: response.statusText || `HTTP ${response.status}`,
    requestId: response.headers.get('X-Request-ID') ?? undefined,
    body,
  });
}

/**
 * Calls the Lotline API: JSON in and out, same-origin cookies, the UI language as
 * Accept-Language. Resolves with the parsed body (undefined for 204); rejects with ApiError,
 * or with the AbortError itself when the caller aborted.
 */
export async function request<T>(
  method: string,
  path: string,
  { query, body, signal, headers }: RequestOptions = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      'Accept-Language': currentLanguage(),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(csrfToken && !SAFE_METHODS.has(method) ? { 'X-CSRF-Token': csrfToken } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  };

  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), init);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(
      { status: 0, code: CLIENT_ERROR_CODES.network, message: 'Network request failed' },
      { cause: error },
    );
  }

  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/auth/')) onUnauthorized?.();
    throw await toApiError(response);
  }
  if (response.status === 204) return undefined as T;
  if (!isJson(response)) {
    throw new ApiError({
      status: response.status,
      code: CLIENT_ERROR_CODES.invalidResponse,
      message: `Expected JSON from ${method} ${path}`,
    });
  }
  try {
    return (await readJson(response)) as T;
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(
      {
        status: response.status,
        code: CLIENT_ERROR_CODES.invalidResponse,
        message: `Malformed JSON from ${method} ${path}`,
      },
      { cause: error },
    );
  }
}

export const apiClient = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, options?: RequestOptions) => request<T>('POST', path, options),
  put: <T>(path: string, options?: RequestOptions) => request<T>('PUT', path, options),
  patch: <T>(path: string, options?: RequestOptions) => request<T>('PATCH', path, options),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};
