import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { LANGUAGE_STORAGE_KEY } from '@/lib/i18n';
import { healthBody } from '@/testing/health-fixture';
import { jsonResponse, renderApp, stubFetch } from '@/testing/test-utils';

describe('language switcher', () => {
  it('changes the rendered text from English to Chinese and back', async () => {
    stubFetch(() => jsonResponse(healthBody()));
    const user = userEvent.setup();
    renderApp('/');

    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome to Lotline' })).toBeVisible();
    expect(screen.getByTestId('app-title')).toHaveTextContent(/^Lotline$/);
    expect(screen.getByRole('link', { name: 'Home' })).toBeInTheDocument();
    const switcher = screen.getByRole('combobox', { name: 'Language' });
    expect(switcher).toBe(screen.getByTestId('language-switcher'));
    expect(switcher).toHaveValue('en');

    await user.selectOptions(switcher, 'zh-CN');

    expect(
      await screen.findByRole('heading', { level: 1, name: '欢迎使用 Lotline 追溯' }),
    ).toBeVisible();
    expect(screen.getByTestId('app-title')).toHaveTextContent('Lotline 追溯');
    expect(screen.getByRole('link', { name: '首页' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: '语言' })).toHaveValue('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('zh-CN');
    expect(screen.queryByText('Welcome to Lotline')).not.toBeInTheDocument();

    await user.selectOptions(screen.getByTestId('language-switcher'), 'en');

    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome to Lotline' })).toBeVisible();
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('en');
  });

  it('names every language in that language', async () => {
    stubFetch(() => jsonResponse(healthBody()));
    renderApp('/');
    const switcher = await screen.findByTestId('language-switcher');
    const options = [...switcher.querySelectorAll('option')].map((o) => [o.value, o.textContent, o.lang]);
    expect(options).toEqual([
      ['zh-CN', '简体中文', 'zh-CN'],
      ['en', 'English', 'en'],
    ]);
  });
});
