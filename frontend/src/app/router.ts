import { createBrowserRouter, type RouteObject } from 'react-router';

import { NotFoundRoute } from '@/app/routes/not-found';
import { RouteError } from '@/app/routes/route-error';
import { AppShell } from '@/components/layout/app-shell';

function EmptyFallback() {
  return null;
}

/**
 * Client-side routes. Pages are loaded lazily (one chunk each) so that heavy features (flow
 * designer, charts) never weigh on the first screen. Flask answers every non-/api path with
 * index.html, so any route here can be opened directly.
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    Component: AppShell,
    ErrorBoundary: RouteError,
    HydrateFallback: EmptyFallback,
    children: [
      {
        // Errors inside a page keep the header (and the language switcher) on screen.
        ErrorBoundary: RouteError,
        children: [
          {
            index: true,
            lazy: async () => ({ Component: (await import('@/app/routes/home')).HomeRoute }),
          },
          { path: '*', Component: NotFoundRoute },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}
