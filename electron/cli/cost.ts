import { monthlyInput } from '../../shared/api/cost';
import { formatGbSeconds, formatUsd } from '../../shared/pricing';
import { monthlyProjection } from '../engine/cost/projection';
import { exitOnUsageError, numberFlag, UsageError } from './flags';
import type { Command } from './run';

const FLAG_OF: Record<string, string> = {
  durationMs: 'duration-ms',
  memoryMb: 'memory-mb',
  ephemeralMb: 'ephemeral-mb',
};

/** Pure arithmetic: checked by the schema of `cost:monthly` and computed by the same function, with no engine. */
export const cost: Command = {
  summary: 'Estimate a month of Lambda charges for a request volume, duration and memory size',
  usage:
    'lambench cost --requests N [--per second|day|month] --duration-ms D --memory-mb M [--arch x86_64|arm64] ' +
    '[--region R] [--free-tier|--no-free-tier] [--ephemeral-mb E] [--json]',
  options: {
    requests: { type: 'string' },
    per: { type: 'string' },
    'duration-ms': { type: 'string' },
    'memory-mb': { type: 'string' },
    arch: { type: 'string' },
    region: { type: 'string' },
    'free-tier': { type: 'boolean' },
    'no-free-tier': { type: 'boolean' },
    'ephemeral-mb': { type: 'string' },
    json: { type: 'boolean' },
  },
  run({ values }) {
    return exitOnUsageError('cost', this.usage, async () => {
      for (const required of ['requests', 'duration-ms', 'memory-mb']) {
        if (values[required] === undefined) throw new UsageError(`--${required} is required`);
      }
      if (values['free-tier'] && values['no-free-tier']) {
        throw new UsageError('--free-tier and --no-free-tier contradict each other');
      }
      const parsed = monthlyInput.safeParse({
        requests: numberFlag(values, 'requests'),
        per: values.per,
        durationMs: numberFlag(values, 'duration-ms'),
        memoryMb: numberFlag(values, 'memory-mb'),
        arch: values.arch,
        region: values.region,
        freeTier: !values['no-free-tier'],
        ephemeralMb: numberFlag(values, 'ephemeral-mb'),
      });
      if (!parsed.success) {
        const flag = (key: PropertyKey | undefined) => FLAG_OF[String(key)] ?? String(key);
        throw new UsageError(parsed.error.issues.map((i) => `--${flag(i.path[0])}: ${i.message}`).join('\n'));
      }
      const p = monthlyProjection(parsed.data);
      if (values.json) {
        const { gbSeconds, computeUsd, requestUsd, storageUsd, totalUsd } = p;
        console.log(JSON.stringify({ gbSeconds, computeUsd, requestUsd, storageUsd, totalUsd }));
        return 0;
      }
      const d = parsed.data;
      console.log(
        `${d.region}, ${d.arch}, ${d.memoryMb} MB, ${p.billedDurationMs} ms billed per request, ` +
          `free tier ${d.freeTier ? 'applied' : 'not applied'}`,
      );
      const rows: [string, string, number][] = [
        [
          'Compute',
          `${formatGbSeconds(p.gbSeconds)} (${formatGbSeconds(p.billableGbSeconds)} billable)`,
          p.computeUsd,
        ],
        ['Requests', `${p.requestsPerMonth.toLocaleString('en-US')} a month`, p.requestUsd],
        ['Ephemeral storage', `${d.ephemeralMb} MB`, p.storageUsd],
        ['Total a month', '', p.totalUsd],
      ];
      const width = Math.max(...rows.map((r) => r[1].length));
      for (const [name, what, usd] of rows) {
        console.log(`  ${name.padEnd(18)} ${what.padEnd(width)}  ${formatUsd(usd).padStart(12)}`);
      }
      return 0;
    });
  },
};
