import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { InvocationResult } from '../../shared/types';
import { withEngine } from './engine-client';
import type { Command } from './run';

export const invoke: Command = {
  summary: 'Invoke a function of a SAM project in its execution environment',
  usage:
    'lambench invoke <FunctionId>[:<version|alias>] --project <dir> [--event <file>|-] [--invocation-type RequestResponse|Event] [--json]',
  options: {
    project: { type: 'string', short: 'p' },
    event: { type: 'string', short: 'e' },
    'invocation-type': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    // `Fn:live` or `Fn:3`, as Lambda takes a qualified function name (logical ids have no colon).
    const [functionId, qualifier] = (positionals[0] ?? '').split(/:(.*)/s);
    if (!functionId || typeof values.project !== 'string') {
      throw new Error(`a function id and --project are required\nUsage: ${this.usage}`);
    }
    const invocationType = (values['invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
      console.error(
        `lambench invoke: --invocation-type must be RequestResponse or Event\n\nUsage: ${this.usage}`,
      );
      return 2;
    }
    const payload = readEvent(values.event as string | undefined);
    const result = await withEngine(async (client) => {
      const project = await client.call('projects:open', { path: resolve(values.project as string) });
      return client.call('functions:invoke', {
        projectId: project.id,
        functionId,
        payload,
        trigger: 'cli',
        ...(qualifier ? { qualifier } : {}),
        invocationType,
      });
    });
    if (invocationType === 'Event') return printEvent(result, values.json === true);
    if (values.json) console.log(JSON.stringify(toJson(result)));
    else printHuman(result);
    return result.status === 'success' ? 0 : 1;
  },
};

/**
 * Accepted, as Lambda's 202: the event id, then how its first attempt went. Retries of a failed attempt
 * stay queued in the data home and run in the next Lambench engine (the app or `lambench serve`).
 */
function printEvent(r: InvocationResult, json: boolean): number {
  const retrying = r.status !== 'success';
  if (json) {
    console.log(JSON.stringify({ eventId: r.asyncEventId, statusCode: 202, firstAttempt: toJson(r) }));
    return 0;
  }
  console.log(`EventId: ${r.asyncEventId}`);
  process.stderr.write(`${r.logs}\n`);
  if (retrying) {
    console.error(
      `\nAttempt 1 ended ${r.status}${r.error ? ` (${r.error.type}: ${r.error.message})` : ''}.` +
        ' Its retries are queued: they run in the Lambench app or `lambench serve`; failed events end in Dead letters.',
    );
  }
  return 0;
}

function readEvent(source: string | undefined): string {
  if (source === undefined) return '{}';
  return readFileSync(source === '-' ? 0 : source, 'utf8');
}

function toJson(r: InvocationResult) {
  return {
    requestId: r.requestId,
    executedVersion: r.executedVersion ?? '$LATEST',
    status: r.status,
    response: r.response === undefined ? null : parseOrText(r.response),
    error: r.error ? { type: r.error.type, message: r.error.message } : null,
    durationMs: r.durationMs,
    billedDurationMs: r.billedDurationMs,
    initDurationMs: r.initDurationMs ?? null,
    memorySizeMb: r.memorySizeMb,
    maxMemoryUsedMb: r.maxMemoryUsedMb,
    coldStart: r.coldStart,
    logs: r.logs,
  };
}

function printHuman(r: InvocationResult): void {
  process.stderr.write(`${r.logs}\n`);
  if (r.error) console.error(`\n${r.error.type}: ${r.error.message}`);
  // No registry: end on the one command that fixes it, where the eye lands.
  const build = /`(lambench images build \S+)`/.exec(r.error?.message ?? '')?.[1];
  if (r.error?.type === 'ImageNotAvailable' && build)
    console.error(`\nTo build it on this machine, run:\n  ${build}`);
  if (r.response !== undefined) console.log(r.response);
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
