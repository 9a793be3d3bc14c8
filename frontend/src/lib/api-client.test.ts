import { describe, expect, it } from 'vitest';

import { ApiError, apiClient, buildUrl } from '@/lib/api-client';
import { i18n } from '@/lib/i18n';
import { jsonResponse, stubFetch } from '@/testing/test-utils';

const validationError = {
  code: 'validation_error',
  message: 'The request has 1 problem.',
  errors: [
    {
      path: ['lot', 'quantity'],
      field: 'lot.quantity',
      code: 'minimum',
      params: { minimum: 1 },
      message: 'Must be at least 1.',
    },
  ],
  request_id: 'req-123',
};

describe('buildUrl', () => {
  it('prefixes /api and encodes query parameters, skipping empty ones', () => {
    expect(buildUrl('/health')).toBe('/api/health');
    expect(buildUrl('items', { q: 'LOT 1/2', page: 2, archived: false, x: undefined, y: null })).toBe(
      '/api/items?q=LOT+1%2F2&page=2&archived=false',
    );
  });
});

describe('apiClient', () => {
  it('sends JSON with same-origin credentials and the UI language', async () => {
    await i18n.changeLanguage('zh-CN');
    const fetchMock = stubFetch(() => jsonResponse({ id: 7 }, { status: 201 }));

    const result = await apiClient.post<{ id: number }>('/lots', { body: { code: 'L1' } });

    expect(result).toEqual({ id: 7 });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/lots');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(init?.body).toBe('{"code":"L1"}');
    expect(init?.headers).toMatchObject({
      Accept: 'application/json',
      'Accept-Language': 'zh-CN',
      'Content-Type': 'application/json',
    });
  });

  it('sends no body or Content-Type on GET', async () => {
    const fetchMock = stubFetch(() => jsonResponse({}));
    await apiClient.get('/health');
    const init = fetchMock.mock.calls[0]![1];
    expect(init?.body).toBeUndefined();
    expect(init?.headers).not.toHaveProperty('Content-Type');
    expect(init?.headers).toHaveProperty('Accept-Language', 'en');
  });

  it('resolves undefined for 204 No Content', async () => {
    stubFetch(() => new Response(null, { status: 204 }));
    await expect(apiClient.delete('/lots/1')).resolves.toBeUndefined();
  });

  it('throws an ApiError carrying the server error shape', async () => {
    stubFetch(() => jsonResponse(validationError, { status: 422 }));

    const error = await apiClient.post('/lots', { body: {} }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(422);
    expect(apiError.code).toBe('validation_error');
    expect(apiError.message).toBe('The request has 1 problem.');
    expect(apiError.requestId).toBe('req-123');
    expect(apiError.fromServer).toBe(true);
    expect(apiError.errors).toHaveLength(1);
    expect(apiError.errorsFor('lot.quantity')[0]).toMatchObject({
      path: ['lot', 'quantity'],
      code: 'minimum',
      params: { minimum: 1 },
    });
  });

  it('throws an ApiError for an error response that is not JSON', async () => {
    stubFetch(
      () =>
        new Response('<html>Bad gateway</html>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'Content-Type': 'text/html', 'X-Request-ID': 'abc' },
        }),
    );
    await expect(apiClient.get('/health')).rejects.toMatchObject({
      name: 'ApiError',
      status: 502,
      code: 'http_502',
      requestId: 'abc',
      fromServer: false,
    });
  });

  it('throws a network ApiError (status 0) when the request never completes', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(apiClient.get('/health')).rejects.toMatchObject({
      status: 0,
      code: 'network_error',
    });
  });

  it('rejects a successful response that is not JSON (e.g. an HTML fallback page)', async () => {
    stubFetch(() => new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } }));
    await expect(apiClient.get('/health')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('passes an abort through untouched', async () => {
    stubFetch(({ init }) => {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('The operation was aborted.', 'AbortError')),
        );
      });
    });
    const controller = new AbortController();
    const pending = apiClient.get('/health', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
