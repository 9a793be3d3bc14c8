import 'i18next';

import type en from '@/locales/en.json';

// Typed translation keys: `t('no.such.key')` is a compile error. English is the reference
// resource; a test keeps zh-CN's keys identical.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
