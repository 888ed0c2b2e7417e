import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs|cjs|svelte)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('the engine and shared code stay plain Node', () => {
  for (const dir of ['electron/engine', 'electron/server', 'electron/cli', 'shared']) {
    it(`${dir} never imports electron`, () => {
      const files = sources(dir);
      expect(files.length).toBeGreaterThan(0);
      const offenders = files.filter((f) =>
        /(from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\))/.test(
          readFileSync(f, 'utf8'),
        ),
      );
      expect(offenders).toEqual([]);
    });
  }
});
