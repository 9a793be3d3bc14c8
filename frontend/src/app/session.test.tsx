import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { jsonResponse, renderApp, stubFetch } from '@/testing/test-utils';

const me = {
  id: 3,
  username: 'qa',
  full_name: 'Quinn Quality',
  kind: 'browser',
  station: null,
  permissions: ['trace.read'],
  must_change_password: false,
  csrf_token: 'csrf-abc',
};

const unauthenticated = { code: 'authentication_required', message: 'Sign in first.', errors: [] };

describe('signing in', () => {
  it('sends an anonymous visitor to sign in and back, then echoes the CSRF token', async () => {
    let signedIn = false;
    const fetchMock = stubFetch(({ url }) => {
      if (url.endsWith('/api/auth/login')) {
        signedIn = true;
        return jsonResponse(me);
      }
      if (url.endsWith('/api/auth/me'))
        return signedIn ? jsonResponse(me) : jsonResponse(unauthenticated, { status: 401 });
      if (url.endsWith('/api/auth/logout')) return new Response(null, { status: 204 });
      return jsonResponse({});
    });
    const { router } = renderApp('/trace');

    await user().type(await screen.findByLabelText('User name'), 'qa');
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe('?next=%2Ftrace');
    await user().type(screen.getByLabelText('Password'), 'secret');
    await user().click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByTestId('user-menu')).toHaveTextContent('Signed in as Quinn Quality');
    expect(router.state.location.pathname).toBe('/trace');

    await user().click(screen.getByRole('button', { name: 'Sign out' }));
    const logout = fetchMock.mock.calls.find(([url]) => String(url).endsWith('/auth/logout'))!;
    expect(new Headers(logout[1]?.headers).get('X-CSRF-Token')).toBe('csrf-abc');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeVisible();
  });

  it('shows the server message when the credentials are wrong and stays on the page', async () => {
    stubFetch(({ url }) =>
      url.endsWith('/api/auth/login')
        ? jsonResponse(
            { code: 'invalid_credentials', message: 'Wrong user name or password.', errors: [] },
            { status: 401 },
          )
        : jsonResponse(unauthenticated, { status: 401 }),
    );
    renderApp('/login');

    await user().type(await screen.findByLabelText('User name'), 'qa');
    await user().type(screen.getByLabelText('Password'), 'nope');
    await user().click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByTestId('sign-in-error')).toHaveTextContent('Wrong user name or password.');
  });

  it('makes someone with an initial password choose a new one first', async () => {
    stubFetch(() => jsonResponse({ ...me, must_change_password: true }));
    const { router } = renderApp('/trace');

    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeVisible();
    expect(router.state.location.pathname).toBe('/password');
  });
});

function user() {
  return userEvent.setup();
}
