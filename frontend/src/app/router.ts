import { createBrowserRouter, type RouteObject } from 'react-router';

import { NotFoundRoute } from '@/app/routes/not-found';
import { RequireSession } from '@/app/routes/require-session';
import { RouteError } from '@/app/routes/route-error';
import { AppShell } from '@/components/layout/app-shell';

function EmptyFallback() {
  return null;
}

/**
 * Client-side routes. Pages are loaded lazily (one chunk each) so that heavy features (trace graph,
 * camera scanner, designer) never weigh on the first screen. Flask answers every non-/api path with
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
          {
            path: 'login',
            lazy: async () => ({
              Component: (await import('@/features/auth/components/sign-in-page')).SignInPage,
            }),
          },
          {
            Component: RequireSession,
            children: [
              {
                path: 'password',
                lazy: async () => ({
                  Component: (await import('@/features/auth/components/change-password-page'))
                    .ChangePasswordPage,
                }),
              },
              {
                path: 'station',
                lazy: async () => ({
                  Component: (await import('@/features/station/components/station-page')).StationPage,
                }),
              },
              {
                path: 'trace/*',
                lazy: async () => ({
                  Component: (await import('@/features/trace/components/trace-page')).TracePage,
                }),
              },
            ],
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
