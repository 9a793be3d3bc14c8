import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';

import { routes } from '@/app/router';

/** Renders the whole app (shell + routes) at `path`, without a browser history. */
export function renderApp(path = '/') {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  return { router, ...render(<RouterProvider router={router} />) };
}

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
}

type Handler = (request: { url: string; init: RequestInit | undefined }) => Response | Promise<Response>;

/**
 * Replaces global fetch for one test (vitest restores it afterwards: `unstubGlobals`).
 * Returns the mock so a test can inspect the calls.
 */
export function stubFetch(handler: Handler) {
  const mock = vi.fn((input: RequestInfo | URL, init?: RequestInit) =>
    Promise.resolve(handler({ url: String(input), init })),
  );
  vi.stubGlobal('fetch', mock);
  return mock;
}
