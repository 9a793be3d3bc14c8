// @vitest-environment node
/**
 * The front-end layout rules of STYLE.md item 10, checked on every `npm test`:
 * feature folders, `@/` imports, no imports across features, one-way layering, kebab-case names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

/** Folders a feature may have (bulletproof-react); add one here when a feature needs it. */
const FEATURE_FOLDERS = new Set(['api', 'components', 'hooks', 'lib', 'types']);
/** Shared layers: usable from features and app, never importing them. */
const SHARED_LAYERS = ['components', 'hooks', 'lib', 'locales', 'styles', 'types', 'utils', 'config'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(SRC).map((path) => relative(SRC, path).split(sep).join('/'));
const sources = files.filter((file) => /\.(ts|tsx)$/.test(file));

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/\b(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
  ];
  return specifiers.map((match) => match[1]!);
}

function featureOf(path: string): string | undefined {
  return /^features\/([^/]+)\//.exec(path)?.[1];
}

describe('front-end architecture', () => {
  it('finds the sources', () => {
    expect(sources).toContain('main.tsx');
    expect(sources).toContain('features/system/api/get-health.ts');
  });

  it('imports project modules through @/, never ../', () => {
    const offenders = sources.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('../'))
        .map((spec) => `${file} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('never imports one feature from another', () => {
    const offenders = sources.flatMap((file) => {
      const own = featureOf(file);
      if (!own) return [];
      return importsOf(file)
        .filter((spec) => spec.startsWith('@/features/') && featureOf(spec.slice(2)) !== own)
        .map((spec) => `${file} → ${spec}`);
    });
    expect(offenders).toEqual([]);
  });

  it('keeps shared layers free of features and app, and features free of app', () => {
    const offenders = sources.flatMap((file) => {
      const layer = file.split('/')[0]!;
      const forbidden = SHARED_LAYERS.includes(layer)
        ? ['@/features/', '@/app/', '@/testing/']
        : layer === 'features'
          ? ['@/app/', '@/testing/']
          : [];
      if (/\.test\.tsx?$/.test(file)) return [];
      return importsOf(file)
        .filter((spec) => forbidden.some((prefix) => spec.startsWith(prefix) || `${spec}/` === prefix))
        .map((spec) => `${file} → ${spec}`);
    });
    expect(offenders).toEqual([]);
  });

  it('uses only the agreed folders inside a feature', () => {
    const offenders = files
      .filter((file) => file.startsWith('features/'))
      .filter((file) => {
        const [, , folder, ...rest] = file.split('/');
        return rest.length === 0 || !FEATURE_FOLDERS.has(folder!);
      });
    expect(offenders).toEqual([]);
  });

  it('names API modules <verb>-<noun>.ts, one per endpoint', () => {
    const offenders = files
      .filter((file) => /^features\/[^/]+\/api\//.test(file) && !/\.test\.ts$/.test(file))
      .filter((file) => !/\/[a-z]+-[a-z0-9]+(?:-[a-z0-9]+)*\.ts$/.test(file));
    expect(offenders).toEqual([]);
  });

  it('names files and folders in kebab-case (locale files by their language tag)', () => {
    const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+)*$/;
    const offenders = files.filter((file) =>
      file.split('/').some((part, index, parts) => {
        const isLocaleFile = parts[0] === 'locales' && index === parts.length - 1;
        return !(isLocaleFile ? /^[a-z]{2}(?:-[A-Z]{2})?\.(json|test\.ts)$|^[a-z-]+\.test\.ts$/ : kebab).test(part);
      }),
    );
    expect(offenders).toEqual([]);
  });
});
