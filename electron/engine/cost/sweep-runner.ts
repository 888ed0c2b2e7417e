/**
 * Memory sweeps (power tuning), run locally: for each memory size one warm-up invoke (a cold start, left
 * out of the figures), then N measured invokes, one at a time so they do not compete for the CPU. Every run
 * is a real invocation through the invoker, recorded in History and linked to the sweep by `sweep_id`.
 */
import { newInvocationId } from '../../../shared/invocation-id';
import type { z } from 'zod';
import type { sweepStartInput } from '../../../shared/api/cost';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Sweep, SweepListItem, SweepStatus } from '../../../shared/types';
import type { Services } from '../services';
import type { Db } from '../store/database';
import { checkEventJson } from '../runtime/invoker';
import { summarize, type SweepData, type SweepRecord, type SweepRun } from './sweep-stats';
import { SweepsRepo } from './sweeps-repo';

export type SweepContext = Pick<Services, 'catalog' | 'invoker' | 'records' | 'events' | 'images'>;
export type SweepStart = z.output<typeof sweepStartInput>;

interface Active {
  id: number;
  /** Set to the reason when the sweep must stop after the invocation in flight. */
  stop?: string;
  finished: Promise<void>;
}

const ERROR_TEXT_MAX = 300;

export class SweepRunner {
  private readonly repo: SweepsRepo;
  private active?: Active;

  constructor(db: Db) {
    this.repo = new SweepsRepo(db);
    this.repo.markInterrupted(isAlive);
  }

  /** Checks everything that would make every run fail the same way, then runs in the background. */
  async start(ctx: SweepContext, input: SweepStart): Promise<number> {
    const project = ctx.catalog.get(input.projectId);
    const { fn } = await ctx.catalog.function(input.projectId, input.functionId);
    if (fn.unsupported)
      throw new WorkbenchError('FunctionNotRunnable', fn.unsupported, { functionId: fn.id });
    checkEventJson(input.payload);
    if (this.active) {
      throw new WorkbenchError(
        'SweepAlreadyRunning',
        `Sweep ${this.active.id} is still running; sweeps run one at a time so their timings stay honest. Cancel it or wait for it to finish.`,
        { sweepId: this.active.id },
      );
    }
    const data: SweepData = {
      pid: process.pid,
      architecture: fn.architecture,
      ephemeralMb: fn.ephemeralStorage,
      runs: [],
    };
    const id = this.repo.create({
      projectId: input.projectId,
      functionId: input.functionId,
      event: input.payload,
      memorySizes: input.memorySizes,
      runsPerSize: input.runs,
      data,
    });
    const active: Active = { id, finished: Promise.resolve() };
    this.active = active;
    active.finished = this.run(ctx, project.name, input, active, data).finally(() => {
      if (this.active === active) this.active = undefined;
    });
    return id;
  }

  get(id: number, weight: number, region: string): Sweep {
    return summarize(this.record(id), weight, region);
  }

  list(projectId: number, functionId: string): SweepListItem[] {
    return this.repo.list(projectId, functionId).map((record) => {
      const s = summarize(record, 0.5, 'us-east-1');
      return {
        id: s.id,
        functionId: s.functionId,
        memorySizes: s.memorySizes,
        runsPerSize: s.runsPerSize,
        status: s.status,
        startedAt: s.startedAt,
        endedAt: s.endedAt,
        ...(s.message ? { message: s.message } : {}),
        cheapestMb: s.recommendations?.cheapest.memoryMb ?? null,
        fastestMb: s.recommendations?.fastest.memoryMb ?? null,
      };
    });
  }

  /** Stops after the invocation in flight and resolves with the sweep as it ended. */
  async cancel(id: number): Promise<Sweep> {
    const record = this.record(id);
    if (this.active?.id === id) {
      this.active.stop ??= 'Cancelled';
      await this.active.finished;
    } else if (record.status === 'running') {
      throw new WorkbenchError(
        'SweepNotCancellable',
        `Sweep ${id} is running in another Lambench process (pid ${record.data.pid}); cancel it there`,
        { sweepId: id, pid: record.data.pid },
      );
    }
    return this.get(id, 0.5, 'us-east-1');
  }

  /** For engine shutdown: the sweep ends as cancelled once the invocation in flight returns. */
  stop(): Promise<void> {
    if (!this.active) return Promise.resolve();
    this.active.stop ??= 'Lambench stopped';
    return this.active.finished;
  }

  private record(id: number): SweepRecord {
    const record = this.repo.get(id);
    if (!record) throw new WorkbenchError('SweepNotFound', `No sweep with id ${id}`, { sweepId: id });
    return record;
  }

  private async run(
    ctx: SweepContext,
    projectName: string,
    input: SweepStart,
    active: Active,
    data: SweepData,
  ): Promise<void> {
    const total = input.memorySizes.length * (input.runs + 1);
    let memoryMb = input.memorySizes[0];
    const progress = (status: SweepStatus) =>
      ctx.events.emit('sweep:progress', {
        sweepId: active.id,
        done: data.runs.length,
        total,
        memoryMb,
        status,
        failed: data.runs.filter((r) => !r.warmup && r.status !== 'success').length,
      });
    let status: Exclude<SweepStatus, 'running'> = 'done';
    progress('running');
    try {
      sizes: for (memoryMb of input.memorySizes) {
        for (let i = 0; i <= input.runs; i++) {
          if (active.stop !== undefined) {
            status = 'cancelled';
            data.note = `${active.stop} after ${data.runs.length} of ${total} invocations; the figures cover the runs that finished.`;
            break sizes;
          }
          const run = await this.once(ctx, projectName, input, active.id, memoryMb, i === 0);
          // A run that failed once a stop was asked for was most likely cut short by it (at shutdown the
          // environment is killed): it says nothing about the function.
          if (active.stop !== undefined && run.status !== 'success') continue;
          data.runs.push(run);
          this.repo.save(active.id, data);
          progress('running');
        }
      }
    } catch (error) {
      status = 'failed';
      data.note = `The sweep stopped: ${(error as Error).message}`;
    }
    this.repo.finish(active.id, status, data);
    progress(status);
  }

  private async once(
    ctx: SweepContext,
    projectName: string,
    input: SweepStart,
    sweepId: number,
    memoryMb: number,
    warmup: boolean,
  ): Promise<SweepRun> {
    const invocationId = newInvocationId();
    const base = { memoryMb, warmup, invocationId };
    let result;
    try {
      // Looked up each time, as an ordinary invoke does, so a code change makes the next run cold with it.
      const { fn, codeVersion } = await ctx.catalog.function(input.projectId, input.functionId);
      result = await ctx.invoker.invoke({
        projectId: input.projectId,
        projectName,
        fn,
        payload: input.payload,
        invocationId,
        trigger: 'sweep',
        codeVersion,
        image: ctx.images[fn.runtime] ?? '',
        memoryMb,
      });
    } catch (error) {
      // Refused before anything ran (the function left the template, say): a failed run with no history row.
      const e = error as Error;
      return {
        ...base,
        status: 'error',
        durationMs: 0,
        billedDurationMs: 0,
        error: clip(`${e.name}: ${e.message}`),
      };
    }
    ctx.records.flush();
    this.repo.tagInvocation(invocationId, sweepId);
    return {
      ...base,
      status: result.status,
      durationMs: result.durationMs,
      billedDurationMs: result.billedDurationMs,
      ...(result.initDurationMs === undefined ? {} : { initDurationMs: result.initDurationMs }),
      ...(result.error ? { error: clip(`${result.error.type}: ${result.error.message}`) } : {}),
    };
  }
}

const clip = (text: string) => (text.length > ERROR_TEXT_MAX ? `${text.slice(0, ERROR_TEXT_MAX)}…` : text);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
