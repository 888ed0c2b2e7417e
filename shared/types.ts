/** Domain types shared by the engine, the transports and the UI. */

export type Architecture = 'x86_64' | 'arm64';

export interface AppStatus {
  version: string;
  /** The data home: every file Lambench writes lives here. */
  home: string;
  /** 'docker' isolates each environment; 'process' is the unisolated fallback for machines without Docker. */
  executor: 'docker' | 'process';
  node: string;
  platform: string;
  /** Set when History cannot be saved (database unusable, disk full): what happened and what to do. */
  storeWarning?: string;
}

export interface DockerStatus {
  state: 'connected' | 'unavailable' | 'checking';
  endpoint: string;
  version?: string;
  apiVersion?: string;
  /** Running containers that Lambench started. */
  containers?: number;
  error?: string;
  /** What the user can do about an unavailable engine. */
  hint?: string;
  checkedAt: number;
}

export interface Project {
  id: number;
  name: string;
  path: string;
  /** The folder is gone: shown as missing, never dropped from the list. */
  missing: boolean;
  openedAt: number;
}

export interface Blueprint {
  name: string;
  title: string;
  runtime: string;
  description: string;
}

export interface FunctionInfo {
  /** The logical id in template.yaml. */
  id: string;
  projectId: number;
  runtime: string;
  handler: string;
  /** Absolute path of the code folder. */
  codeUri: string;
  memorySize: number;
  timeout: number;
  architecture: Architecture;
  ephemeralStorage: number;
  environment: Record<string, string>;
  reservedConcurrency?: number;
  /**
   * ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions: environments kept initialized. SAM applies it
   * to the AutoPublishAlias; Lambench applies it to $LATEST (issue 16).
   */
  provisionedConcurrency?: number;
  /** Set when Lambench cannot run this function, with the reason. */
  unsupported?: string;
  /** The triggers under the function's `Events` in template.yaml. */
  events?: FunctionTrigger[];
  /** Values only a deployed stack knows, each as `Property.Path: !Intrinsic …`. */
  unresolved?: string[];
  /** Absolute folders of the function's local layers, in order (mounted at /opt). */
  layers?: string[];
  /** 'Image' for container-image functions (PackageType: Image); absent means 'Zip'. */
  packageType?: 'Zip' | 'Image';
  /** What a container-image function runs: its Dockerfile (SAM's Metadata) or an existing image. */
  image?: FunctionImage;
  /** SAM's AutoPublishAlias: a change publishes a version and moves this alias to it. */
  autoPublishAlias?: string;
}

/** A container-image function's image: built from SAM's Metadata, or an existing ImageUri, with ImageConfig. */
export interface FunctionImage {
  /** Absolute folder of the build context (Metadata.DockerContext); absent when ImageUri is used as is. */
  context?: string;
  /** The Dockerfile, relative to the context (Metadata.Dockerfile, default 'Dockerfile'). */
  dockerfile?: string;
  /** Metadata.DockerTag: the extra tag a build gets, as `sam build` gives it (default 'latest'). */
  dockerTag?: string;
  buildArgs?: Record<string, string>;
  /** Metadata.DockerBuildTarget: the Dockerfile stage to build. */
  target?: string;
  /** An existing local image, run as it is (no Metadata). */
  imageUri?: string;
  /** ImageConfig: each one set overrides the image's own ENTRYPOINT, CMD or WORKDIR. */
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
}

/** Where a container-image function's image stands: what it is built from and whether that build exists. */
export interface FunctionImageStatus {
  projectId: number;
  functionId: string;
  /** The image invokes run: `lambench-fn/<project>-<fn>:<context hash>`, or the ImageUri. */
  tag: string;
  /** The context hash (files, Dockerfile and build args); absent for an ImageUri. */
  hash?: string;
  /** Whether that image is on the Docker engine now (false: the next invoke builds it). */
  built: boolean;
  /** When the engine last built it, epoch ms; absent when it was built by an earlier run or is an ImageUri. */
  builtAt?: number;
  /** The image's size in bytes, when it exists. */
  sizeBytes?: number;
  /** The built image's own ENTRYPOINT, CMD and WORKDIR (what runs where ImageConfig sets nothing). */
  own?: { entryPoint?: string[]; command?: string[]; workingDirectory?: string };
}

/** One entry of a function's SAM `Events`, summed up in a line. */
export interface FunctionTrigger {
  /** The event's logical id under `Events`. */
  id: string;
  /** The SAM event type: Api, HttpApi, Schedule, S3, SQS, … */
  type: string;
  /** For example `GET /hello`, `rate(5 minutes)` or `s3:ObjectCreated:* on my-bucket`. */
  summary: string;
}

/** A test event of a function, like the Lambda console's Test tab. */
export interface TestEvent {
  name: string;
  /** The event as JSON text, as the user wrote it. */
  body: string;
  /** 'saved' lives in Lambench's database; 'file' is `<project>/events/<name>`, read-only here. */
  source: 'saved' | 'file';
  updatedAt: number;
  /** Absolute path of a 'file' event. */
  path?: string;
}

/** A sample event generator, like `sam local generate-event`. */
export interface EventTemplateInfo {
  name: string;
  title: string;
  service: string;
}

export type InvocationStatus = 'running' | 'success' | 'error' | 'timeout' | 'throttled' | 'interrupted';

export interface InvocationError {
  type: string;
  message: string;
  stackTrace?: string[];
  /** A throttle's cause, as Lambda's TooManyRequestsException `Reason` names it. */
  reason?: string;
}

/** How an invocation was asked for: Lambda's X-Amz-Invocation-Type. */
export type InvocationType = 'RequestResponse' | 'Event';

export interface InvocationStarted {
  invocationId: string;
  requestId: string;
  projectId: number;
  functionId: string;
  startedAt: number;
  /** Set for an attempt of an asynchronous event. */
  invocationType?: InvocationType;
  attempt?: number;
}

/** A chunk of a streamed response (awslambda.streamifyResponse), as the function wrote it. */
export interface InvocationChunk {
  invocationId: string;
  /** The bytes as UTF-8 text. */
  text: string;
}

/** Lines printed since the last event, in order; all of them arrive before the invocation's `invocation:finished`. */
export interface InvocationLog {
  invocationId: string;
  requestId: string;
  lines: string[];
}

export interface InvocationResult {
  invocationId: string;
  requestId: string;
  projectId: number;
  functionId: string;
  status: Exclude<InvocationStatus, 'running'>;
  /** The response body as text (usually JSON). */
  response?: string;
  error?: InvocationError;
  startedAt: number;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  coldStart: boolean;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  architecture: Architecture;
  environmentId?: string;
  /** Ran on a provisioned-concurrency environment: never cold, billed at provisioned prices (issue 16). */
  provisioned?: boolean;
  logs: string;
  /** Lines sent as `invocation:log` (a cap's marker included): `logs` is them, plus a dropped-lines note. */
  logLines: number;
  logsTruncated: boolean;
  /** 'Event' for an attempt of an asynchronous invocation; absent means RequestResponse. */
  invocationType?: InvocationType;
  /** An asynchronous event's attempt, 1 to 3. */
  attempt?: number;
  asyncEventId?: string;
  /** The qualifier the caller named, and the version that ran (an alias runs one of its versions), as Lambda's ExecutedVersion. */
  qualifier?: string;
  executedVersion?: string;
  /** What caused a triggered invocation: the route, the schedule rule or the object key. */
  triggerSource?: string;
}

/**
 * `invocation:finished`: the result without the log text, which every listener already had line by line
 * (a 10 MB log would otherwise cross the transport again). A window that missed lines reads History.
 */
export type InvocationFinished = Omit<InvocationResult, 'logs'>;

export interface ImagePullProgress {
  image: string;
  /** What produces the image; absent means 'pull'. A build's `status` is one line of its log. */
  kind?: 'pull' | 'build' | 'import';
  /** The layer id, or '' for the image as a whole. */
  layer: string;
  status: string;
  current?: number;
  total?: number;
  done: boolean;
  error?: string;
}

/** A Docker endpoint check (Settings → Test connection). */
export interface DockerPing {
  ok: boolean;
  /** The endpoint as resolved: the input, else DOCKER_HOST, else the default socket. */
  endpoint: string;
  version?: string;
  apiVersion?: string;
  error?: string;
  hint?: string;
}

export interface RuntimeImage {
  runtime: string;
  image: string;
  /** The image without the user's override: the default, or LAMBENCH_IMAGES's. */
  base: string;
  /** Where `image` comes from: the built-in default, the LAMBENCH_IMAGES file, or Settings. */
  source: 'default' | 'env' | 'settings';
  /** Whether the engine has it locally; undefined when Docker could not be asked. */
  present?: boolean;
}

export interface PullOutcome {
  image: string;
  result: 'present' | 'pulled';
}

export interface WarmFunction {
  /** `<projectId>/<functionId>`, as the pool keys it. */
  key: string;
  projectId: number;
  functionId: string;
  projectName?: string;
  count: number;
}

export interface WarmEnvironments {
  total: number;
  functions: WarmFunction[];
}

/** An execution environment's container (or process) starting, failing to start, or stopping. */
export interface EnvironmentChange {
  environmentId: string;
  state: 'starting' | 'started' | 'failed' | 'stopped';
  projectId?: number;
  functionId?: string;
  functionName: string;
  image: string;
  error?: string;
  at: number;
}

/** Cost: a month of requests priced in full, with the curve of cost against volume (shared/pricing underneath). */
export interface CostBreakdown {
  requestsPerMonth: number;
  gbSeconds: number;
  /** After the free tier. */
  billableGbSeconds: number;
  computeUsd: number;
  requestUsd: number;
  storageUsd: number;
  totalUsd: number;
  /** Duration GB-s and dollars per price tier, after the free tier. */
  tiers: { upToGbSeconds: number | null; price: string; gbSeconds: number; usd: number }[];
  /**
   * With provisioned concurrency: the configured environments' charge for the month (730 h), GB-s, and the
   * price per GB-s of duration run on them, which replaces the on-demand tiers (no free tier applies).
   */
  provisioned?: { concurrency: number; usd: number; gbSeconds: number; durationPrice: string };
}

export interface CostCurveMarker {
  requests: number;
  kind: 'free-requests-end' | 'free-gb-seconds-end' | `tier-${number}-start`;
  label: string;
}

export interface MonthlyProjection extends CostBreakdown {
  billedDurationMs: number;
  /** Total monthly cost against monthly requests, log-spaced for a log axis, with the kinks included. */
  costCurve: { requests: number; totalUsd: number }[];
  /** Where the free tier runs out and cheaper duration tiers begin, within the curve's range. */
  markers: CostCurveMarker[];
}

/** A function's measured billed duration, from its successful invocations (memory sweeps left out). */
export interface FunctionUsage {
  projectId: number;
  functionId: string;
  configured: {
    memoryMb: number;
    architecture: Architecture;
    ephemeralMb: number;
    provisionedConcurrency?: number;
  };
  /** The statistic the projection uses for its default duration. */
  statistic: 'p50';
  /** p50 billed duration, or null when the function has no successful invocation yet. */
  durationMs: number | null;
  p50BilledMs: number | null;
  meanBilledMs: number | null;
  /** Successful invocations the figures come from (the latest 1,000 at most). */
  count: number;
  /** The memory size the figures were measured at; null when they mix sizes (none at the configured one). */
  basisMemoryMb: number | null;
  /** Invocations that did not succeed, left out of the figures. */
  failed: number;
  memorySizes: { memoryMb: number; count: number }[];
  architectures: Architecture[];
  lastInvokedAt: number | null;
}

export interface ProjectCost {
  projectId: number;
  requestsPerMonth: number;
  functions: {
    functionId: string;
    memoryMb: number;
    architecture: Architecture;
    /** The measured p50 billed duration; null (and no cost) when never invoked successfully. */
    durationMs: number | null;
    count: number;
    cost: CostBreakdown | null;
  }[];
  totalUsd: number;
}

/** Memory sweeps (power tuning). */
export type SweepStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface SweepSizeStats {
  memoryMb: number;
  /** Measured runs (the warm-up excluded), and how they went. */
  runs: number;
  succeeded: number;
  failed: number;
  /** Successful runs dropped as the fastest and slowest 20 %. */
  trimmed: number;
  avgDurationMs: number | null;
  avgBilledMs: number | null;
  /** Average cost of one invocation: duration, request and ephemeral storage, no free tier. */
  avgCostUsd: number | null;
  minDurationMs: number | null;
  maxDurationMs: number | null;
  warmup?: { status: Exclude<InvocationStatus, 'running'>; durationMs: number; initDurationMs?: number };
  firstError?: string;
}

export interface SweepPick {
  memoryMb: number;
  avgDurationMs: number;
  avgCostUsd: number;
}

export interface Sweep {
  id: number;
  projectId: number;
  functionId: string;
  event: string;
  memorySizes: number[];
  runsPerSize: number;
  architecture: Architecture;
  region: string;
  status: SweepStatus;
  startedAt: number;
  endedAt: number | null;
  /** Invocations finished and planned, warm-ups included. */
  done: number;
  total: number;
  failedRuns: number;
  sizes: SweepSizeStats[];
  /** 0 favours speed, 1 favours cost (as in AWS Lambda Power Tuning). */
  weight: number;
  recommendations: { cheapest: SweepPick; fastest: SweepPick; balanced: SweepPick } | null;
  message?: string;
}

export type SweepListItem = Pick<
  Sweep,
  'id' | 'functionId' | 'memorySizes' | 'runsPerSize' | 'status' | 'startedAt' | 'endedAt' | 'message'
> & { cheapestMb: number | null; fastestMb: number | null };

export interface SweepProgress {
  sweepId: number;
  done: number;
  total: number;
  memoryMb: number;
  status: SweepStatus;
  failed: number;
}

/** A local runtime image built for a runtime (images:buildLocal). */
export interface LocalImageOutcome {
  runtime: string;
  image: string;
  /** False when an up-to-date build was already there. */
  built: boolean;
  sizeBytes?: number;
  durationMs?: number;
}

/** What was opened on the engine's machine, and with which program. */
export interface OpenedOnHost {
  path: string;
  /** The program, e.g. `code`, `$EDITOR (vim)`, `xdg-open`. */
  opener: string;
}
