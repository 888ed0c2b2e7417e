/** What changed from one version to the next, as short lines for the Versions table. */
import type { FunctionVersion } from '../../../../shared/api/versions';

export function versionDiff(v: FunctionVersion, previous: FunctionVersion | undefined): string[] {
  if (!previous) return ['First version'];
  const a = previous.config;
  const b = v.config;
  const changes: string[] = [];
  if (v.codeSha256 !== previous.codeSha256) changes.push('Code changed');
  const field = (label: string, from: unknown, to: unknown, unit = '') => {
    if (from !== to) changes.push(`${label} ${String(from)}${unit} → ${String(to)}${unit}`);
  };
  field('Runtime', a.runtime, b.runtime);
  field('Handler', a.handler, b.handler);
  field('Memory', a.memorySize, b.memorySize, ' MB');
  field('Timeout', a.timeout, b.timeout, ' s');
  field('Architecture', a.architecture, b.architecture);
  field('Ephemeral storage', a.ephemeralStorage, b.ephemeralStorage, ' MB');
  const keys = new Set([...Object.keys(a.environment), ...Object.keys(b.environment)]);
  for (const k of [...keys].sort()) {
    if (!(k in a.environment)) changes.push(`+ env ${k}`);
    else if (!(k in b.environment)) changes.push(`− env ${k}`);
    else if (a.environment[k] !== b.environment[k]) changes.push(`env ${k} changed`);
  }
  if (a.layers.join() !== b.layers.join()) changes.push('Layers changed');
  return changes.length ? changes : ['No changes'];
}

/** CodeSha256 as the console shows it (base64), cut to a length that still tells versions apart. */
export const shortHash = (sha256: string) => `${sha256.slice(0, 12)}…`;

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
