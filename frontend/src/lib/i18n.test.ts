import { describe, expect, it, vi } from 'vitest';

import {
  changeLanguage,
  currentLanguage,
  detectLanguage,
  i18n,
  LANGUAGE_STORAGE_KEY,
  matchLanguage,
  negotiateLanguage,
} from '@/lib/i18n';

describe('matchLanguage', () => {
  it.each([
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-cn', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh_TW', 'zh-CN'],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['fr-FR', undefined],
    ['', undefined],
  ])('%s → %s', (tag, expected) => {
    expect(matchLanguage(tag)).toBe(expected);
  });
});

describe('negotiateLanguage', () => {
  it('takes the first supported language in preference order', () => {
    expect(negotiateLanguage(['fr-FR', 'zh-CN', 'en-US'])).toBe('zh-CN');
    expect(negotiateLanguage(['de', 'en-US', 'zh'])).toBe('en');
    expect(negotiateLanguage(['de', 'fr'])).toBeUndefined();
  });
});

describe('detectLanguage', () => {
  it('follows the browser when nothing was chosen', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['zh-CN', 'en']);
    expect(detectLanguage()).toBe('zh-CN');
  });

  it('falls back to English for unsupported browser languages', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['fr-FR']);
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('fr-FR');
    expect(detectLanguage()).toBe('en');
  });

  it('prefers an explicit stored choice over the browser', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['en-US']);
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'zh-CN');
    expect(detectLanguage()).toBe('zh-CN');
  });

  it('ignores a stored value that is not a supported language', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['zh']);
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'klingon');
    expect(detectLanguage()).toBe('zh-CN');
  });
});

describe('changeLanguage', () => {
  it('switches the UI, persists the choice and updates <html lang> and the title', async () => {
    expect(document.documentElement.lang).toBe('en');
    expect(document.title).toBe('Lotline');

    await changeLanguage('zh-CN');

    expect(currentLanguage()).toBe('zh-CN');
    expect(i18n.t('nav.home')).toBe('首页');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(document.title).toBe('Lotline 追溯');
  });
});
