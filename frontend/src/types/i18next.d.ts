import 'i18next';

import type { resources } from '@/lib/i18n';

// Typed translation keys: `t('no.such.key')` is a compile error. English is the reference
// resource; a test keeps zh-CN's keys identical.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: (typeof resources)['en']['translation'] };
  }
}
