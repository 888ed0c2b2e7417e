import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatUsd } from '../../shared/pricing';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { Sweep, SweepProgress } from '../../shared/types';
import { withEngine } from './engine-client';
import { exitOnUsageError, numberFlag, numberListFlag, UsageError } from './flags';
import type { Command } from './run';

export const tune: Command = {
  summary: 'Sweep memory sizes of a function (power tuning) and recommend the cheapest, fastest and balanced',
  usage:
    'lambench tune <FunctionId> --project <dir> [--memory 128,256,…] [--runs N] [--event <file>|-] ' +
    '[--weight 0..1] [--json]',
  options: {
    project: { type: 'string', short: 'p' },
    memory: { type: 'string' },
    runs: { type: 'string' },
    event: { type: 'string', short: 'e' },
    weight: { type: 'string' },
    json: { type: 'boolean' },
  },
  run({ values, positionals }) {
    return exitOnUsageError('tune', this.usage, async () => {
      const [functionId] = positionals;
      if (!functionId || typeof values.project !== 'string') {
        throw new UsageError('a function id and --project are required');
      }
      const memorySizes = numberListFlag(values, 'memory');
      const runs = numberFlag(values, 'runs');
      const weight = numberFlag(values, 'weight');
      const payload = readEvent(values.event as string | undefined);
      const { sweep, interrupted } = await withEngine(async (client) => {
        const project = await client.call('projects:open', { path: resolve(values.project as string) });
        const ended = nextEnd(client);
        const { sweepId } = await client
          .call('cost:sweep:start', { projectId: project.id, functionId, payload, memorySizes, runs })
          .catch(asUsageError);
        let interrupted = false;
        const cancel = () => {
          interrupted = true;
          process.stderr.write('\nCancelling after the invocation in flight…\n');
          void client.call('cost:sweep:cancel', { sweepId });
        };
        process.once('SIGINT', cancel);
        try {
          await ended(sweepId);
        } finally {
          process.off('SIGINT', cancel);
        }
        const sweep = await client.call('cost:sweep:get', { sweepId, weight }).catch(asUsageError);
        return { sweep, interrupted };
      });
      if (values.json) console.log(JSON.stringify(sweep, null, 2));
      else printTable(sweep);
      return interrupted ? 130 : sweep.recommendations ? 0 : 1;
    });
  },
};

/** Progress on stderr, and a promise for the end of the sweep once its id is known (no event is missed). */
function nextEnd(client: WorkbenchClient): (sweepId: number) => Promise<SweepProgress> {
  const seen: SweepProgress[] = [];
  let wake = () => {};
  const off = client.on('sweep:progress', (p) => {
    seen.push(p);
    process.stderr.write(
      `[${String(p.done).padStart(3)}/${p.total}] ${p.memoryMb} MB${p.failed ? `, ${p.failed} failed` : ''}` +
        `${p.status === 'running' ? '' : ` — ${p.status}`}\n`,
    );
    wake();
  });
  return (sweepId) =>
    new Promise((done) => {
      wake = () => {
        const end = seen.find((p) => p.sweepId === sweepId && p.status !== 'running');
        if (!end) return;
        off();
        done(end);
      };
      wake();
    });
}

function printTable(s: Sweep): void {
  const head = ['Memory', 'Runs', 'Failed', 'Avg duration', 'Avg billed', 'Cost / invocation'];
  const rows = s.sizes.map((z) => [
    `${z.memoryMb} MB`,
    String(z.runs),
    String(z.failed),
    z.avgDurationMs === null ? '—' : `${z.avgDurationMs.toFixed(2)} ms`,
    z.avgBilledMs === null ? '—' : `${Math.round(z.avgBilledMs)} ms`,
    z.avgCostUsd === null ? '—' : formatUsd(z.avgCostUsd),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  rows.forEach((r) => console.log(line(r)));
  console.log(
    `\n${s.runsPerSize} measured runs per size after one warm-up invoke (a cold start, left out); ` +
      'the fastest and slowest 20 % are dropped. Cost includes the request charge, no free tier.',
  );
  const r = s.recommendations;
  if (r) {
    const pick = (name: string, p: typeof r.cheapest) =>
      console.log(
        `${name.padEnd(9)} ${`${p.memoryMb} MB`.padStart(8)}  ${p.avgDurationMs.toFixed(2)} ms, ${formatUsd(p.avgCostUsd)} per invocation`,
      );
    console.log('');
    pick('Cheapest', r.cheapest);
    pick('Fastest', r.fastest);
    pick('Balanced', r.balanced);
    console.log(`(balanced with weight ${s.weight}: 0 favours speed, 1 favours cost)`);
  }
  if (s.message) console.log(`\n${s.message}`);
}

function readEvent(source: string | undefined): string {
  if (source === undefined) return '{}';
  return readFileSync(source === '-' ? 0 : source, 'utf8');
}

/** Input the engine refuses (a memory size out of range, say) is a usage error here. */
function asUsageError(error: Error): never {
  if (error.name === 'ValidationError') throw new UsageError(error.message);
  throw error;
}
