import '@testing-library/jest-dom/vitest';

import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

import { i18n, initI18n } from '@/lib/i18n';
import { resetSession } from '@/lib/session';

initI18n('en');

// Lazy routes load modules on first use; on a busy two-core CI machine that can take over the
// default second. Waiting longer only slows a failing test.
configure({ asyncUtilTimeout: 5000 });

beforeEach(async () => {
  globalThis.localStorage?.clear(); // absent in `@vitest-environment node` files
  resetSession();
  await i18n.changeLanguage('en');
});

afterEach(() => {
  cleanup();
});
