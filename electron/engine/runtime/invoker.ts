/**
 * A synchronous invoke, end to end: payload checks, an environment from the pool, Lambda's log frame
 * (START/END/REPORT), the figures, the record in SQLite and the live events for the UI.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkbenchError } from '../../../shared/rpc/errors';
import { newInvocationId } from '../../../shared/invocation-id';
import { billedDurationMs, invocationCost, provisionedConcurrencyCost } from '../../../shared/pricing';
import type {
  Architecture,
  InvocationError,
  InvocationFinished,
  InvocationResult,
  InvocationStarted,
  InvocationType,
} from '../../../shared/types';
import type { EventBus } from '../event-bus';
import type { LoadedFunction } from '../projects/template';
import type { InvocationFinish, InvocationsRepo } from '../store/invocations-repo';
import type { Environment, EnvironmentFailure } from './environment';
import { LogCollector } from './log-collector';
import type { Pool } from './pool';
import { newEnvironmentId, type EnvironmentSpec } from './executor';

/** Lambda's limit for a synchronous request payload. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

const LATEST = '$LATEST';

export interface InvokeRequest {
  projectId: number;
  /** The project's name, when the caller has it at hand (nothing here needs it). */
  projectName?: string;
  fn: LoadedFunction;
  payload: string;
  invocationId?: string;
  trigger: 'ui' | 'cli' | 'api' | 'http' | 'schedule' | 's3' | 'sqs' | 'sweep';
  /** What caused a triggered invocation: the route, the schedule rule or the object key. */
  triggerSource?: string;
  /** Bumped by the project watcher when code changes, so the next invoke is cold with fresh code. */
  codeVersion: number;
  image: string;
  /** Overrides for a memory sweep. */
  memoryMb?: number;
  /** 'Event' for an attempt of an asynchronous invocation (the async invoker's), with its attempt and event. */
  invocationType?: InvocationType;
  attempt?: number;
  asyncEventId?: string;
  /** Lambda keeps one request id across an async event's attempts; otherwise a new one per invoke. */
  requestId?: string;
  /** The decoded X-Amz-Client-Context (JSON text), handed to the runtime as Lambda-Runtime-Client-Context. */
  clientContext?: string;
  /** What the caller named: $LATEST, a version or an alias (versions/resolve.ts turns it into `fn`), and the version `fn` is. */
  qualifier?: string;
  executedVersion?: string;
  /** Response streaming: each chunk of a streamed response as the function writes it. */
  onResponseChunk?: (chunk: Buffer) => void;
}

/** What a stopped invocation ends with. */
export const STOPPED: EnvironmentFailure = {
  errorType: 'Lambench.Stopped',
  errorMessage: 'Stopped by the user',
};

/** What an invoke's path reports at its end; the invoke's own identity and request are added to it. */
type Outcome = Omit<
  InvocationResult,
  | 'invocationId'
  | 'requestId'
  | 'projectId'
  | 'functionId'
  | 'qualifier'
  | 'executedVersion'
  | 'invocationType'
  | 'attempt'
  | 'asyncEventId'
  | 'logs'
  | 'logLines'
  | 'logsTruncated'
>;

interface Running {
  /** Set once the invocation has an environment. */
  env?: Environment;
  stopRequested: boolean;
}

/** The image a container-image function runs, built when its context changed (FunctionImages). */
export interface FunctionImageSource {
  imageFor(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<string>;
}

export class Invoker {
  /** Invocations in progress, by invocation id, so they can be stopped. */
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly pool: Pool,
    private readonly events: EventBus,
    private readonly records: InvocationsRepo,
    private readonly functionImages?: FunctionImageSource,
  ) {}

  /**
   * Stops a running invocation: the environment running it is killed and discarded, and the
   * invocation ends as an error of type Lambench.Stopped.
   */
  stop(invocationId: string): void {
    const running = this.running.get(invocationId);
    if (!running) {
      throw new WorkbenchError('InvocationNotRunning', `Invocation ${invocationId} is not running`, {
        invocationId,
      });
    }
    running.stopRequested = true;
    running.env?.interrupt(STOPPED);
  }

  async invoke(req: InvokeRequest): Promise<InvocationResult> {
    const { fn } = req;
    const invocationId = req.invocationId ?? newInvocationId();
    try {
      if (fn.unsupported)
        throw new WorkbenchError('FunctionNotRunnable', fn.unsupported, { functionId: fn.id });
      checkPayload(req.payload);
    } catch (error) {
      if (!this.running.has(invocationId)) this.recordRefused(req, invocationId, error as WorkbenchError);
      throw error;
    }
    if (this.running.has(invocationId)) {
      throw new WorkbenchError('InvocationAlreadyRunning', `Invocation ${invocationId} is already running`, {
        invocationId,
      });
    }
    const running: Running = { stopRequested: false };
    this.running.set(invocationId, running);
    try {
      return await this.run(req, invocationId, running);
    } finally {
      this.running.delete(invocationId);
    }
  }

  private async run(
    request: InvokeRequest,
    invocationId: string,
    running: Running,
  ): Promise<InvocationResult> {
    let req = request;
    const { fn } = req;
    const memorySizeMb = req.memoryMb ?? fn.memorySize;
    const requestId = req.requestId ?? randomUUID();
    const startedAt = Date.now();
    const { projectId } = req;
    const functionId = fn.id;
    const version = { qualifier: req.qualifier ?? LATEST, executedVersion: req.executedVersion ?? LATEST };
    // The write-ahead row and the `started` event. A warm invoke sends the event to its runtime first and
    // does this while the function runs; a cold start, a throttle or a failed start does it before anything.
    // Objects here are written out field by field: a spread that is not an object's first entry, or a
    // conditional one, takes V8's slow path, and those cost a warm invoke ~10% of the engine's CPU.
    let announced = false;
    const announce = () => {
      if (announced) return;
      announced = true;
      this.records.begin({
        invocationId,
        requestId,
        projectId,
        functionId,
        trigger: req.trigger,
        triggerSource: req.triggerSource,
        event: req.payload,
        startedAt,
        memorySizeMb,
        architecture: fn.architecture,
        qualifier: version.qualifier,
        executedVersion: version.executedVersion,
        invocationType: req.invocationType,
        attempt: req.attempt,
        asyncEventId: req.asyncEventId,
      });
      const started: InvocationStarted = { invocationId, requestId, projectId, functionId, startedAt };
      if (req.invocationType) started.invocationType = req.invocationType;
      if (req.attempt) started.attempt = req.attempt;
      this.events.emit('invocation:started', started);
    };

    const logs = new LogCollector((lines) =>
      this.events.emit('invocation:log', { invocationId, requestId, lines }),
    );
    /** Container create + start of a cold start, for History's phase timeline. */
    let containerStartMs: number | undefined;
    /** Of containerStartMs: the container create and its start (Docker only). */
    let startPhases: InvocationFinish['startPhases'];
    /** Ran on a provisioned environment: billed at provisioned-concurrency prices. */
    let provisioned = false;
    const finish = (result: Outcome) => {
      announce();
      const finished: InvocationFinished = {
        ...result,
        invocationId,
        requestId,
        projectId,
        functionId,
        qualifier: version.qualifier,
        executedVersion: version.executedVersion,
        logLines: logs.lineCount,
        logsTruncated: logs.truncated,
      };
      if (req.invocationType) finished.invocationType = req.invocationType;
      if (req.attempt) finished.attempt = req.attempt;
      if (req.asyncEventId) finished.asyncEventId = req.asyncEventId;
      if (provisioned) finished.provisioned = provisioned;
      if (req.triggerSource !== undefined) finished.triggerSource = req.triggerSource;
      const full: InvocationResult = { ...finished, logs: logs.text() };
      // Throttles and failed starts ran no code, so Lambda bills nothing for them.
      const cost =
        full.billedDurationMs > 0
          ? costOf(full.billedDurationMs, memorySizeMb, fn.architecture, provisioned)
          : { gbSeconds: 0, totalUsd: 0 };
      this.records.finish({
        ...full,
        gbSeconds: cost.gbSeconds,
        costUsd: cost.totalUsd,
        containerStartMs,
        startPhases,
      });
      this.events.emit('invocation:finished', finished);
      return full;
    };
    const common = { startedAt, memorySizeMb, architecture: fn.architecture };
    const notRun = { durationMs: 0, billedDurationMs: 0, coldStart: false, maxMemoryUsedMb: 0 };

    if (fn.packageType === 'Image') {
      // Built (or found) before anything starts: a failed build runs nothing, and says why.
      try {
        if (!this.functionImages) throw new WorkbenchError('ImageFunctionNeedsDocker', 'No image builder');
        req = { ...req, image: await this.functionImages.imageFor(req.projectId, fn, req.codeVersion) };
      } catch (error) {
        const e = error as WorkbenchError;
        logs.push(`Could not build the function's image: ${e.name}: ${e.message}`);
        const log = (e.details as { log?: string } | undefined)?.log;
        if (log) log.split('\n').forEach((l) => logs.push(l));
        return finish({ ...common, ...notRun, status: 'error', error: { type: e.name, message: e.message } });
      }
    }

    const functionKey = `${req.projectId}/${fn.id}`;
    let lease;
    try {
      lease = await this.pool.acquire(
        functionKey,
        configKey(req, memorySizeMb),
        () => {
          announce();
          return this.spec(req, memorySizeMb);
        },
        fn.reservedConcurrency,
        version.executedVersion === LATEST ? '' : version.executedVersion,
      );
    } catch (error) {
      const e = error as WorkbenchError;
      const throttled = e.name === 'TooManyRequestsException';
      logs.push(`${throttled ? 'Throttled' : 'Could not start an environment'}: ${e.name}: ${e.message}`);
      return finish({
        ...common,
        status: throttled ? 'throttled' : 'error',
        error: { type: e.name, message: e.message, ...throttleReason(e) },
        durationMs: 0,
        billedDurationMs: 0,
        coldStart: false,
        maxMemoryUsedMb: 0,
      });
    }

    const { env, cold } = lease;
    provisioned = env.provisioned;
    try {
      lease.env.takeBacklog().forEach((l) => logs.push(l));
      const initDurationMs = cold ? round2(env.phases.initMs) : undefined;
      if (cold) containerStartMs = round2(env.phases.startMs);
      if (cold && env.phases.spareBootMs !== undefined) {
        startPhases = { createMs: 0, startMs: 0, spareBootMs: round2(env.phases.spareBootMs) };
      } else if (cold && env.phases.createMs !== undefined) {
        const createMs = round2(env.phases.createMs);
        startPhases = { createMs, startMs: round2(env.phases.startMs - env.phases.createMs) };
      }
      if (running.stopRequested) {
        // Stopped while the environment was starting: it never gets the event.
        await env.stop();
        logs.push(`Stopped by the user before the invocation started`);
        return finish({
          ...common,
          status: 'error',
          error: { type: STOPPED.errorType, message: STOPPED.errorMessage },
          response: JSON.stringify(STOPPED),
          durationMs: 0,
          billedDurationMs: 0,
          initDurationMs,
          coldStart: cold,
          maxMemoryUsedMb: 0,
          environmentId: env.spec.id,
        });
      }
      running.env = env;
      if (lease.initError) {
        const error: InvocationError = {
          type: lease.initError.errorType,
          message: lease.initError.errorMessage,
          stackTrace: lease.initError.stackTrace,
        };
        logs.push(
          `INIT_REPORT Init Duration: ${initDurationMs?.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${error.type}`,
        );
        return finish({
          ...common,
          status: 'error',
          error,
          response: JSON.stringify({ errorType: error.type, errorMessage: error.message }),
          durationMs: 0,
          billedDurationMs: 0,
          initDurationMs,
          coldStart: true,
          maxMemoryUsedMb: 0,
          environmentId: env.spec.id,
        });
      }
      logs.push(`START RequestId: ${requestId} Version: ${version.executedVersion}`);
      const inFlight = env.run(
        {
          requestId,
          payload: req.payload,
          deadlineMs: Date.now() + fn.timeout * 1000,
          // Lambda passes the ARN as invoked: qualified by the alias or version the caller named.
          functionArn:
            `arn:aws:lambda:us-east-1:123456789012:function:${fn.functionName}` +
            (req.qualifier ? `:${req.qualifier}` : ''),
          clientContext: req.clientContext,
          // Only a streaming runtime calls this: its chunks reach the caller and the UI as they come.
          onChunk: (chunk: Buffer) => {
            req.onResponseChunk?.(chunk);
            this.events.emit('invocation:chunk', { invocationId, text: chunk.toString() });
          },
        },
        fn.timeout,
        (line) => logs.push(line),
      );
      announce();
      const run = await inFlight;
      const { outcome } = run;
      if (run.failure === 'timeout') {
        logs.push(
          `${new Date().toISOString()} ${requestId} Task timed out after ${fn.timeout.toFixed(2)} seconds`,
        );
      } else if (run.failure === 'stopped') {
        logs.push(`${new Date().toISOString()} ${requestId} ${STOPPED.errorMessage}`);
      }
      const durationMs = run.failure === 'timeout' ? fn.timeout * 1000 : round2(run.durationMs);
      const billed = billedDurationMs(durationMs);
      logs.push(`END RequestId: ${requestId}`);
      logs.push(
        `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\t` +
          `Memory Size: ${memorySizeMb} MB\tMax Memory Used: ${run.maxMemoryUsedMb} MB` +
          (initDurationMs === undefined ? '' : `\tInit Duration: ${initDurationMs.toFixed(2)} ms`),
      );
      return finish({
        ...common,
        status: outcome.ok ? 'success' : run.failure === 'timeout' ? 'timeout' : 'error',
        response: outcome.body,
        error: outcome.ok
          ? undefined
          : { type: outcome.errorType, message: outcome.errorMessage, stackTrace: outcome.stackTrace },
        durationMs,
        billedDurationMs: billed,
        initDurationMs,
        coldStart: cold,
        maxMemoryUsedMb: run.maxMemoryUsedMb,
        environmentId: env.spec.id,
      });
    } finally {
      lease.release();
    }
  }

  /** A request refused before anything ran still gets its History row, so the user sees what was refused. */
  private recordRefused(req: InvokeRequest, invocationId: string, e: WorkbenchError): void {
    const startedAt = Date.now();
    const memorySizeMb = req.memoryMb ?? req.fn.memorySize;
    const base = { invocationId, requestId: randomUUID(), projectId: req.projectId, functionId: req.fn.id };
    const common = { ...base, startedAt, memorySizeMb, architecture: req.fn.architecture };
    this.records.begin({ ...common, trigger: req.trigger, event: req.payload });
    this.records.finish({
      ...common,
      status: 'error',
      error: { type: e.name, message: e.message },
      logs: `Refused before invoking: ${e.name}: ${e.message}`,
      logsTruncated: false,
      durationMs: 0,
      billedDurationMs: 0,
      coldStart: false,
      maxMemoryUsedMb: 0,
      gbSeconds: 0,
      costUsd: 0,
    });
  }

  private spec(req: InvokeRequest, memoryMb: number): Omit<EnvironmentSpec, 'runtimeApi'> {
    return environmentSpec(req, memoryMb);
  }
}

/**
 * The pool's view of an invoke of `req` at its memory size: the configuration key and the spec of a new
 * environment. Provisioned concurrency (provisioned.ts) starts environments an invoke will then take.
 */
export function environmentFor(req: InvokeRequest): {
  functionKey: string;
  configKey: string;
  spec: () => Omit<EnvironmentSpec, 'runtimeApi'>;
} {
  const memoryMb = req.memoryMb ?? req.fn.memorySize;
  return {
    functionKey: `${req.projectId}/${req.fn.id}`,
    configKey: configKey(req, memoryMb),
    spec: () => environmentSpec(req, memoryMb),
  };
}

function environmentSpec(req: InvokeRequest, memoryMb: number): Omit<EnvironmentSpec, 'runtimeApi'> {
  return {
    ...environmentConfig(req, memoryMb),
    id: newEnvironmentId(),
    labels: { 'lambench.project': String(req.projectId), 'lambench.function': req.fn.id },
  };
}

/** What an environment is made from, besides its id and labels. */
function environmentConfig(
  req: InvokeRequest,
  memoryMb: number,
): Omit<EnvironmentSpec, 'id' | 'labels' | 'runtimeApi'> {
  const { fn } = req;
  return {
    functionName: fn.functionName,
    runtime: fn.runtime,
    handler: fn.handler,
    codeDir: fn.codeUri,
    layerDirs: fn.layers,
    memoryMb,
    timeoutSec: fn.timeout,
    ephemeralMb: fn.ephemeralStorage,
    architecture: fn.architecture,
    environment: fn.environment,
    image: req.image,
    ...(fn.packageType === 'Image'
      ? {
          packageType: 'Image' as const,
          imageConfig: {
            entryPoint: fn.image?.entryPoint,
            command: fn.image?.command,
            workingDirectory: fn.image?.workingDirectory,
          },
        }
      : {}),
    ...(req.executedVersion && req.executedVersion !== LATEST ? { version: req.executedVersion } : {}),
  };
}

function checkPayload(payload: string): void {
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_SYNC_PAYLOAD_BYTES) {
    throw new WorkbenchError(
      'RequestEntityTooLargeException',
      `The event is ${(bytes / 1024 / 1024).toFixed(1)} MB; Lambda accepts at most 6 MB (${MAX_SYNC_PAYLOAD_BYTES} bytes) for a synchronous invoke`,
      { bytes, limit: MAX_SYNC_PAYLOAD_BYTES },
    );
  }
  checkEventJson(payload);
}

/** An event must be JSON, as Lambda's Invoke API requires. */
export function checkEventJson(payload: string): void {
  try {
    JSON.parse(payload);
  } catch (error) {
    throw new WorkbenchError(
      'InvalidRequestContentException',
      `Could not parse the event as JSON: ${(error as Error).message}`,
    );
  }
}

/** Config keys by function object: the catalog keeps one object per function until its template changes. */
const configKeys = new WeakMap<LoadedFunction, Map<string, string>>();

/**
 * Everything that makes two environments interchangeable; anything else changing means a cold start.
 * Hashed once per function, code version, memory size and image, not on every invoke.
 */
function configKey(req: InvokeRequest, memoryMb: number): string {
  let keys = configKeys.get(req.fn);
  if (!keys) configKeys.set(req.fn, (keys = new Map()));
  const variant = `${req.codeVersion}|${memoryMb}|${req.image}`;
  let key = keys.get(variant);
  if (key === undefined) {
    const config = { ...environmentConfig(req, memoryMb), codeVersion: req.codeVersion };
    key = createHash('sha1').update(JSON.stringify(config)).digest('hex');
    keys.set(variant, key);
  }
  return key;
}

/** The pool's throttle names its cause in the error's details. */
function throttleReason(e: WorkbenchError): { reason?: string } {
  const reason = (e.details as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? { reason } : {};
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Lambda bills whole milliseconds, so an invocation's cost depends only on its billed ms, memory and
 * architecture: the exact decimal arithmetic runs once per combination, not on every warm invoke.
 * On a provisioned environment the duration has its own (lower) price; the configured concurrency is billed
 * by the hour whether it runs or not, which the Cost tab's projection shows.
 */
const costs = new Map<string, { gbSeconds: number; totalUsd: number }>();
function costOf(billedMs: number, memoryMb: number, arch: Architecture, provisioned = false) {
  const key = `${billedMs}|${memoryMb}|${arch}|${provisioned}`;
  let cost = costs.get(key);
  if (!cost) {
    if (costs.size >= 10_000) costs.clear();
    const usage = { durationMs: billedMs, memoryMb, arch };
    const { gbSeconds, totalUsd } = provisioned
      ? provisionedConcurrencyCost({ ...usage, concurrency: 0, hoursConfigured: 0, requests: 1 })
      : invocationCost(usage);
    costs.set(key, (cost = { gbSeconds, totalUsd }));
  }
  return cost;
}
