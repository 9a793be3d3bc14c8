import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { i18n } from '@/lib/i18n';
import { healthBody } from '@/testing/health-fixture';
import { jsonResponse, renderApp, stubFetch } from '@/testing/test-utils';

describe('app routes', () => {
  it('renders the shell and the home page at /', async () => {
    stubFetch(() => jsonResponse(healthBody()));
    renderApp('/');

    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome to Lotline' })).toBeVisible();
    expect(screen.getByRole('banner')).toContainElement(screen.getByTestId('app-title'));
    expect(screen.getByRole('navigation', { name: 'Main navigation' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByTestId('health-overall')).toHaveTextContent('All systems operational');
  });

  it('renders a translated not-found page for unknown client-side routes', async () => {
    renderApp('/no/such/page');

    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    expect(screen.getByText('There is no page at /no/such/page.')).toBeVisible();
    expect(screen.getByRole('link', { name: 'Back to the home page' })).toHaveAttribute('href', '/');
    // The header stays, so the language can still be switched.
    expect(screen.getByTestId('language-switcher')).toBeInTheDocument();
  });

  it('shows no untranslated English on the Chinese home page', async () => {
    await i18n.changeLanguage('zh-CN');
    stubFetch(() => jsonResponse(healthBody()));
    renderApp('/');
    await screen.findByTestId('health-overall');

    // Product and technology names, and each language's own name in the switcher, stay as they are.
    const allowed = /Lotline|SQLite|PostgreSQL|Redis|RQ|English/g;
    const text = (document.body.textContent ?? '').replace(allowed, '');
    expect(text.match(/[A-Za-z]{2,}/g) ?? []).toEqual([]);
  });
});
