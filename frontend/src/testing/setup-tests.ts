import '@testing-library/jest-dom/vitest';

import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

import { i18n, initI18n } from '@/lib/i18n';
import { resetSession } from '@/lib/session';

initI18n('en');

beforeEach(async () => {
  globalThis.localStorage?.clear(); // absent in `@vitest-environment node` files
  resetSession();
  await i18n.changeLanguage('en');
});

afterEach(() => {
  cleanup();
});
