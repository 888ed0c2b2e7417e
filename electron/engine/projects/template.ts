/**
 * Loads a SAM project's template.yaml into what Lambench needs to run each function:
 * Globals merged the way SAM merges them, intrinsics resolved as far as possible locally,
 * and a reason instead of an exception when a function cannot run.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parseDocument, type YAMLError, type YAMLWarning } from 'yaml';
import type { FunctionInfo } from '../../../shared/types';
import { loadApis, type ApiResource } from './api-resources';
import { readAsyncConfig, type AsyncConfig } from './async-config';
import { cfnReadTags } from './cfn-tags';
import { TemplateError } from './errors';
import { checkCode, checkLimits, checkRuntime } from './function-checks';
import { parseEvents, type FunctionEvent } from './function-events';
import { loadImageFunction } from './image-function';
import { Resolver, intrinsicKey, type IntrinsicContext } from './intrinsics';
import { withGlobals } from './sam-globals';

export type { FunctionEvent } from './function-events';

export const TEMPLATE_NAMES = ['template.yaml', 'template.yml'] as const;

export const SERVERLESS_FUNCTION = 'AWS::Serverless::Function';
export const LAMBDA_FUNCTION = 'AWS::Lambda::Function';

export interface LoadedFunction extends Omit<FunctionInfo, 'projectId' | 'events'> {
  resourceType: typeof SERVERLESS_FUNCTION | typeof LAMBDA_FUNCTION;
  /** FunctionName if the template sets one, else the logical id (what `sam local` uses). */
  functionName: string;
  description?: string;
  /** Absolute folders of the function's local layers, in order (mounted at /opt). */
  layers: string[];
  events: FunctionEvent[];
  /** Values only a deployed stack knows, each as `Property.Path: !Intrinsic …`. */
  unresolved: string[];
  /** SAM's VersionDescription: the description of versions AutoPublishAlias publishes. */
  versionDescription?: string;
  /** SAM's DeploymentPreference Type (when enabled): how AutoPublishAlias shifts traffic to a new version. */
  deploymentPreference?: string;
  /** Retries, event age and destinations for asynchronous invocation. */
  asyncConfig: AsyncConfig;
}

export interface LoadedLayer {
  id: string;
  /** Absolute folder of the layer's content. */
  contentUri: string;
  compatibleRuntimes: string[];
}

export interface LoadedTemplate {
  /** Absolute path of template.yaml. */
  file: string;
  dir: string;
  stackName: string;
  description?: string;
  functions: LoadedFunction[];
  layers: LoadedLayer[];
  /** API Gateway resources, the implicit ones SAM creates included, for the local HTTP endpoint. */
  apis: ApiResource[];
  /** Non-fatal YAML warnings (e.g. unknown tags). */
  warnings: string[];
}

export interface LoadOptions {
  /** Like `sam local --parameter-overrides`. */
  parameterOverrides?: Record<string, string>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** The template file of a project folder, or undefined. */
export function findTemplate(projectDir: string): string | undefined {
  return TEMPLATE_NAMES.map((n) => join(projectDir, n)).find((f) => existsSync(f));
}

function yamlError(file: string, text: string, err: YAMLError): TemplateError {
  let pos = err.linePos?.[0];
  // Indentation errors point at the line's leading blanks; the misplaced key is more useful.
  if (pos && err.code === 'BAD_INDENT') {
    const blanks = /^[ \t]*/.exec(text.slice(err.pos[0]))?.[0].length ?? 0;
    pos = { line: pos.line, col: pos.col + blanks };
  }
  // yaml's pretty message repeats the position and a code excerpt; keep the first sentence.
  const reason = err.message.split(/ at line \d+, column \d+/)[0];
  const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
  return new TemplateError(`Invalid YAML in ${file}${where}: ${reason}`, {
    file,
    line: pos?.line,
    col: pos?.col,
  });
}

function unknownTagError(file: string, warning: YAMLWarning): TemplateError {
  const pos = warning.linePos?.[0];
  const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? 'tag';
  const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
  return new TemplateError(
    `Unknown tag ${tag} in ${file}${where}: it is not a CloudFormation intrinsic function (such as !Ref, !Sub, !GetAtt)`,
    { file, line: pos?.line, col: pos?.col },
  );
}

/** Parses a template file: plain JSON-like data with intrinsics in long form. */
export async function readTemplateFile(file: string): Promise<{ data: Obj; warnings: string[] }> {
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text, { customTags: cfnReadTags, uniqueKeys: true });
  if (doc.errors.length > 0) throw yamlError(file, text, doc.errors[0]);
  // An unknown `!Tag` would load as its plain value and run with it; SAM and CloudFormation refuse it.
  const unknownTag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag) throw unknownTagError(file, unknownTag);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // yaml refuses alias bombs (a few lines that expand to millions of nodes) while building the data.
    throw new TemplateError(`Invalid YAML in ${file}: ${(error as Error).message}`, { file });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new TemplateError(`${file} is not a SAM template (expected a mapping at the top level)`, { file });
  return { data: data as Obj, warnings: doc.warnings.map((w) => w.message) };
}

export async function loadTemplate(projectDir: string, options: LoadOptions = {}): Promise<LoadedTemplate> {
  const dir = resolve(projectDir);
  const file = findTemplate(dir);
  if (!file)
    throw new TemplateError(`No template.yaml (or template.yml) in ${dir}`, {
      file: join(dir, 'template.yaml'),
    });
  const { data, warnings } = await readTemplateFile(file);
  const resources = obj(data.Resources);
  const stackName = basename(dir);

  const parameters: Obj = {};
  const listParameters = new Set<string>();
  for (const [name, def] of Object.entries(obj(data.Parameters))) {
    const d = obj(def);
    parameters[name] = options.parameterOverrides?.[name] ?? d.Default;
    if (String(d.Type ?? '').includes('List')) listParameters.add(name);
  }
  const ctx: IntrinsicContext = {
    stackName,
    parameters,
    listParameters,
    mappings: obj(data.Mappings),
    conditions: obj(data.Conditions),
    resources: resources as IntrinsicContext['resources'],
  };

  const layers = loadLayers(dir, resources, ctx);
  const functions: LoadedFunction[] = [];
  const globals = obj(obj(data.Globals).Function);
  for (const [id, raw] of Object.entries(resources)) {
    const res = obj(raw);
    if (res.Type !== SERVERLESS_FUNCTION && res.Type !== LAMBDA_FUNCTION) continue;
    // A resource whose Condition is false would not be created by CloudFormation either.
    if (typeof res.Condition === 'string' && !new Resolver(ctx).condition(res.Condition)) continue;
    functions.push(loadFunction(dir, id, res, res.Type === SERVERLESS_FUNCTION ? globals : {}, ctx, layers));
  }
  if (functions.length === 0)
    throw new TemplateError(
      `${basename(file)} defines no functions (AWS::Serverless::Function or AWS::Lambda::Function)`,
      { file },
    );
  const description = typeof data.Description === 'string' ? data.Description.trim() : undefined;
  const apis = loadApis(data, ctx);
  return { file, dir, stackName, description, functions, layers: [...layers.values()], apis, warnings };
}

function loadLayers(dir: string, resources: Obj, ctx: IntrinsicContext): Map<string, LoadedLayer> {
  const layers = new Map<string, LoadedLayer>();
  for (const [id, raw] of Object.entries(resources)) {
    const res = obj(raw);
    const props = obj(res.Properties);
    // AWS::Lambda::LayerVersion takes a local folder as `Content` when packaged by sam.
    const content =
      res.Type === 'AWS::Serverless::LayerVersion'
        ? props.ContentUri
        : res.Type === 'AWS::Lambda::LayerVersion'
          ? props.Content
          : undefined;
    const uri = new Resolver(ctx).resolve(content);
    if (typeof uri !== 'string' || uri.startsWith('s3://')) continue;
    const runtimes = new Resolver(ctx).resolve(props.CompatibleRuntimes);
    layers.set(id, {
      id,
      contentUri: isAbsolute(uri) ? uri : resolve(dir, uri),
      compatibleRuntimes: Array.isArray(runtimes) ? runtimes.map(String) : [],
    });
  }
  return layers;
}

function num(value: unknown, fallback: number, name: string, unresolved: string[]): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  unresolved.push(`${name}: ${String(value)} (using ${fallback})`);
  return fallback;
}

function loadFunction(
  dir: string,
  id: string,
  res: Obj,
  globals: Obj,
  ctx: IntrinsicContext,
  layerDefs: Map<string, LoadedLayer>,
): LoadedFunction {
  const serverless = res.Type === SERVERLESS_FUNCTION;
  const rawProps = withGlobals(globals, obj(res.Properties));
  const r = new Resolver(ctx);
  const get = (key: string): unknown => r.resolve(rawProps[key], key);
  const unresolved = r.unresolved;

  const runtime = String(get('Runtime') ?? '');
  const handler = String(get('Handler') ?? '');
  const packageType = String(get('PackageType') ?? 'Zip');
  const code = serverless ? (get('CodeUri') ?? '.') : get('Code');
  const codeUriText = typeof code === 'string' ? code : '';
  const codeUri = codeUriText ? (isAbsolute(codeUriText) ? codeUriText : resolve(dir, codeUriText)) : '';

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(obj(get('Environment')).Variables))) {
    env[k] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  const archs = get('Architectures');
  const arch = Array.isArray(archs) && archs.length > 0 ? String(archs[0]) : 'x86_64';
  const reserved = get('ReservedConcurrentExecutions');
  const provisioned = obj(get('ProvisionedConcurrencyConfig')).ProvisionedConcurrentExecutions;
  const fnName = get('FunctionName');
  const description = get('Description');
  const autoPublishAlias = serverless ? get('AutoPublishAlias') : undefined;
  const versionDescription = serverless ? get('VersionDescription') : undefined;
  const deployment = obj(serverless ? get('DeploymentPreference') : undefined);
  const deploymentType = deployment.Enabled === false ? undefined : deployment.Type;

  const fn: LoadedFunction = {
    id,
    resourceType: serverless ? SERVERLESS_FUNCTION : LAMBDA_FUNCTION,
    functionName: typeof fnName === 'string' && fnName ? fnName : id,
    description: typeof description === 'string' ? description : undefined,
    runtime,
    handler,
    codeUri,
    memorySize: num(get('MemorySize'), 128, 'MemorySize', unresolved),
    timeout: num(get('Timeout'), 3, 'Timeout', unresolved),
    architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
    ephemeralStorage: num(obj(get('EphemeralStorage')).Size, 512, 'EphemeralStorage.Size', unresolved),
    environment: env,
    reservedConcurrency:
      reserved === undefined ? undefined : num(reserved, 0, 'ReservedConcurrentExecutions', unresolved),
    ...(provisioned === undefined
      ? {}
      : { provisionedConcurrency: num(provisioned, 0, 'ProvisionedConcurrentExecutions', unresolved) }),
    layers: resolveLayers(rawProps.Layers, layerDefs, r, unresolved),
    events: serverless ? parseEvents(rawProps.Events, new Resolver({ ...ctx, lenient: true })) : [],
    unresolved,
    ...(typeof autoPublishAlias === 'string' && autoPublishAlias ? { autoPublishAlias } : {}),
    ...(typeof versionDescription === 'string' ? { versionDescription } : {}),
    ...(typeof deploymentType === 'string' ? { deploymentPreference: deploymentType } : {}),
    asyncConfig: readAsyncConfig(get, new Resolver({ ...ctx, lenient: true }), unresolved),
  };
  if (packageType === 'Image') {
    // Runtime, Handler and code come from the image; Lambda rejects layers on image functions.
    const { image, reason } = loadImageFunction(dir, serverless, get, obj(res.Metadata));
    Object.assign(fn, {
      packageType: 'Image',
      image,
      runtime: '',
      handler: '',
      codeUri: image.context ?? '',
    });
    fn.layers = [];
    const layers = rawProps.Layers;
    const layerReason = Array.isArray(layers) && layers.length ? imageLayersReason : undefined;
    const problem = reason ?? layerReason ?? checkLimits(fn);
    if (problem) fn.unsupported = problem;
    return fn;
  }
  const reason = unsupportedReason(fn, { packageType, code, codeUriText, arch, rawProps, res });
  if (reason) fn.unsupported = reason;
  return fn;
}

const imageLayersReason =
  'Layers are not supported for functions packaged as a container image (Lambda rejects them)';

/** Local layers (`!Ref LayerInThisTemplate`) become folders; ARNs of published layers cannot be fetched. */
function resolveLayers(
  raw: unknown,
  defs: Map<string, LoadedLayer>,
  r: Resolver,
  unresolved: string[],
): string[] {
  const dirs: string[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const ref = obj(entry).Ref;
    if (intrinsicKey(entry) === 'Ref' && typeof ref === 'string' && defs.has(ref)) {
      dirs.push(defs.get(ref)!.contentUri);
      continue;
    }
    const value = r.resolve(entry, 'Layers');
    unresolved.push(`Layers: ${String(value)} (published layers are not downloaded)`);
  }
  return dirs;
}

function unsupportedReason(
  fn: LoadedFunction,
  x: { packageType: string; code: unknown; codeUriText: string; arch: string; rawProps: Obj; res: Obj },
): string | undefined {
  if (x.packageType !== 'Zip') return `PackageType '${x.packageType}' is not valid (Zip or Image)`;
  const runtimeProblem = checkRuntime(fn.runtime) ?? checkLimits(fn);
  if (runtimeProblem) return runtimeProblem;
  if (x.arch !== 'x86_64' && x.arch !== 'arm64') return `Architecture '${x.arch}' is not valid`;
  if (x.rawProps.InlineCode !== undefined) return 'Inline code (InlineCode) is not supported yet';
  const code = obj(x.code);
  if (code.ZipFile !== undefined) return 'Inline code (Code: ZipFile) is not supported yet';
  if (!x.codeUriText || x.codeUriText.startsWith('s3://'))
    return `Code is in S3 (${JSON.stringify(x.code)}); Lambench needs a local folder`;
  if (x.codeUriText.endsWith('.zip'))
    return `CodeUri '${x.codeUriText}' is a zip file; Lambench needs a folder`;
  const buildMethod = obj(x.res.Metadata).BuildMethod;
  return checkCode(
    fn.runtime,
    fn.handler,
    fn.codeUri,
    x.codeUriText,
    typeof buildMethod === 'string' ? buildMethod : undefined,
  );
}
