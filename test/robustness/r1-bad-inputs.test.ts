/**
 * R1: every bad input in test/fixtures/bad ends with a clear error (Lambda's error type and message),
 * the engine still invokes a good function right after, and History has a row saying what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCases, startCorpus, toRows, totals, type CaseResult, type Corpus } from './corpus';
import { report } from './report';

const isRoot = process.getuid?.() === 0;
const all = loadCases();
// A read-only data home is a tmpfs remounted read-only, which needs root (as CI has); said loudly.
const cases = all.filter((c) => isRoot || c.expect.home !== 'read-only');
if (cases.length < all.length) console.warn('R1: not root, so the read-only data home case is skipped');
const results: CaseResult[] = [];
let corpus: Corpus;

beforeAll(async () => {
  corpus = await startCorpus();
});

afterAll(async () => {
  report(toRows(results), [totals(results)]);
  await corpus?.close();
});

describe('R1 bad inputs', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const r = await corpus.run(c);
      results.push(r);
      expect(r, `expected ${r.expected}`).toMatchObject({ clearError: true, survived: true });
      if (r.recorded !== null) expect(r.recorded, 'History row').toBe(true);
    },
    120_000,
  );
});
