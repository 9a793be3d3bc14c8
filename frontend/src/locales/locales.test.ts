import { describe, expect, it } from 'vitest';

import { resources, SUPPORTED_LANGUAGES } from '@/lib/i18n';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/{{\s*([\w.]+)\s*}}/g)].map((m) => m[1]!).sort();
}

const flat = Object.fromEntries(
  SUPPORTED_LANGUAGES.map((language) => [
    language,
    flatten(resources[language].translation as unknown as Tree),
  ]),
) as Record<(typeof SUPPORTED_LANGUAGES)[number], Map<string, string>>;

describe('locale resources', () => {
  it('zh-CN has every English key', () => {
    const missing = [...flat.en.keys()].filter((key) => !flat['zh-CN'].has(key));
    expect(missing).toEqual([]);
  });

  it('English has every zh-CN key', () => {
    const missing = [...flat['zh-CN'].keys()].filter((key) => !flat.en.has(key));
    expect(missing).toEqual([]);
  });

  it.each(SUPPORTED_LANGUAGES)('%s has no empty strings', (language) => {
    const empty = [...flat[language]].filter(([, text]) => text.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('every translation uses the same {{placeholders}} as English', () => {
    const mismatched = [...flat.en]
      .filter(([key, text]) => {
        const other = flat['zh-CN'].get(key);
        return other !== undefined && placeholders(other).join() !== placeholders(text).join();
      })
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
  });
});
