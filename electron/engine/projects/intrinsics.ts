/**
 * Resolves CloudFormation intrinsic functions (long form) as far as a local machine can.
 * What only a deployed stack knows (resource ids, attributes, imports) becomes a readable
 * placeholder and is reported, never thrown.
 */
import { INTRINSIC_KEYS } from './cfn-tags';

/** `!Ref AWS::NoValue`: the property is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const REGION = 'us-east-1';
const PSEUDO: Record<string, unknown> = {
  'AWS::Region': REGION,
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NotificationARNs': [],
};

export interface IntrinsicContext {
  stackName: string;
  /** Parameter values after defaults and overrides; undefined = no value known. */
  parameters: Record<string, unknown>;
  /** CommaDelimitedList / List<…> parameters resolve to arrays. */
  listParameters: Set<string>;
  mappings: Record<string, unknown>;
  conditions: Record<string, unknown>;
  /** Logical id → resource, for Ref/GetAtt of resources in this template. */
  resources: Record<string, { Type?: unknown; Properties?: unknown }>;
  /**
   * Lenient mode (used for event sources): a resource's Ref/GetAtt gives a plausible local name or
   * ARN instead of a placeholder, and is not reported.
   */
  lenient?: boolean;
}

type Json = unknown;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A single-key object whose key is an intrinsic, e.g. `{ 'Fn::Sub': … }`. */
export function intrinsicKey(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && INTRINSIC_KEYS.has(keys[0]) ? keys[0] : undefined;
}

/** Short-form text of an intrinsic, for messages: `!GetAtt Table.Arn`. */
export function describeIntrinsic(v: unknown): string {
  const key = intrinsicKey(v);
  if (!key || !isObj(v)) return JSON.stringify(v);
  const arg = v[key];
  const short = key.replace(/^Fn::/, '');
  if (key === 'Fn::GetAtt' && Array.isArray(arg)) return `!GetAtt ${arg.map(String).join('.')}`;
  if (typeof arg === 'string') return `!${short} ${arg}`;
  return `!${short} ${JSON.stringify(arg)}`;
}

/** Physical name a resource would plausibly get: its explicit name property, else its logical id. */
function localName(id: string, res: { Properties?: unknown } | undefined): string {
  const props = isObj(res?.Properties) ? res.Properties : {};
  for (const k of [
    'FunctionName',
    'BucketName',
    'QueueName',
    'TopicName',
    'TableName',
    'StreamName',
    'Name',
  ]) {
    if (typeof props[k] === 'string') return props[k];
  }
  return id;
}

const ARN_SERVICE: Record<string, string> = {
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::S3::Bucket': 's3',
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::Kinesis::Stream': 'kinesis',
  'AWS::Serverless::Function': 'lambda',
  'AWS::Lambda::Function': 'lambda',
};

export class Resolver {
  /** Placeholders produced while resolving, with the property path they came from. */
  readonly unresolved: string[] = [];
  private path = '';

  constructor(private readonly ctx: IntrinsicContext) {}

  /** Resolves `value`; `path` names it in the unresolved list (e.g. `Environment.Variables.X`). */
  resolve(value: Json, path = ''): Json {
    const saved = this.path;
    this.path = path;
    try {
      return this.walk(value);
    } finally {
      this.path = saved;
    }
  }

  /** Evaluates a named condition; unknown names count as false. */
  condition(name: string): boolean {
    const def = this.ctx.conditions[name];
    return def === undefined ? false : this.truthy(this.walk(def));
  }

  private miss(expr: string, placeholder: string): string {
    this.unresolved.push(this.path ? `${this.path}: ${expr}` : expr);
    return placeholder;
  }

  private walk(v: Json): Json {
    if (Array.isArray(v)) return v.map((x, i) => this.child(`[${i}]`, x)).filter((x) => x !== NO_VALUE);
    if (!isObj(v)) return v;
    const key = intrinsicKey(v);
    if (key) return this.call(key, v[key], v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = this.child(this.path ? `.${k}` : k, x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  /** Walks a nested value with its path extended, so placeholders say where they are. */
  private child(suffix: string, v: Json): Json {
    const saved = this.path;
    this.path += suffix;
    try {
      return this.walk(v);
    } finally {
      this.path = saved;
    }
  }

  private truthy(v: Json): boolean {
    return v === true || v === 'true';
  }

  private call(key: string, arg: Json, whole: Json): Json {
    switch (key) {
      case 'Ref':
        return this.ref(String(this.walk(arg)));
      case 'Condition':
        return this.condition(String(arg));
      case 'Fn::GetAtt':
        return this.getAtt(arg);
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Join': {
        const [sep, list] = this.args(arg, 2);
        const items = this.walk(list);
        return Array.isArray(items) ? items.map(String).join(String(this.walk(sep))) : items;
      }
      case 'Fn::Select': {
        const [idx, list] = this.args(arg, 2);
        const items = this.walk(list);
        return Array.isArray(items) ? items[Number(this.walk(idx))] : items;
      }
      case 'Fn::Split': {
        const [sep, str] = this.args(arg, 2);
        return String(this.walk(str)).split(String(this.walk(sep)));
      }
      case 'Fn::If': {
        const [cond, a, b] = this.args(arg, 3);
        return this.condition(String(cond)) ? this.walk(a) : this.walk(b);
      }
      case 'Fn::Equals': {
        const [a, b] = this.args(arg, 2);
        return String(this.walk(a)) === String(this.walk(b));
      }
      case 'Fn::Not':
        return !this.truthy(this.walk(this.args(arg, 1)[0]));
      case 'Fn::And':
        return this.list(arg).every((c) => this.truthy(this.walk(c)));
      case 'Fn::Or':
        return this.list(arg).some((c) => this.truthy(this.walk(c)));
      case 'Fn::FindInMap':
        return this.findInMap(arg, whole);
      case 'Fn::Base64':
        return Buffer.from(String(this.walk(arg))).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c', 'd', 'e', 'f'].map((z) => `${REGION}${z}`);
      case 'Fn::Length': {
        const items = this.walk(arg);
        return Array.isArray(items) ? items.length : items;
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.walk(arg));
      default:
        // Fn::ImportValue, Fn::Cidr, Fn::Transform: only CloudFormation can answer.
        return this.miss(describeIntrinsic(whole), `<unresolved: ${describeIntrinsic(whole)}>`);
    }
  }

  private list(arg: Json): Json[] {
    return Array.isArray(arg) ? arg : [arg];
  }

  private args(arg: Json, n: number): Json[] {
    const a = this.list(arg);
    while (a.length < n) a.push(undefined);
    return a;
  }

  private ref(name: string): Json {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name === 'AWS::StackName') return this.ctx.stackName;
    if (name === 'AWS::StackId')
      return `arn:aws:cloudformation:${REGION}:123456789012:stack/${this.ctx.stackName}/00000000-0000-0000-0000-000000000000`;
    if (name in PSEUDO) return PSEUDO[name];
    if (name in this.ctx.parameters) {
      const v = this.ctx.parameters[name];
      if (v === undefined) return this.miss(`!Ref ${name} (parameter without a value)`, `\${${name}}`);
      if (this.ctx.listParameters.has(name) && typeof v === 'string')
        return v.split(',').map((s) => s.trim());
      return v;
    }
    const res = this.ctx.resources[name];
    if (res && this.ctx.lenient) return localName(name, res);
    return this.miss(`!Ref ${name}`, `\${${name}}`);
  }

  private getAtt(arg: Json): Json {
    const parts = Array.isArray(arg) ? arg.map((p) => String(this.walk(p))) : String(arg).split('.');
    const [id, ...rest] = parts;
    const attr = rest.join('.');
    const res = this.ctx.resources[id];
    if (res && this.ctx.lenient) {
      const service = ARN_SERVICE[String(res.Type)];
      const name = localName(id, res);
      if (attr === 'Arn' && service === 's3') return `arn:aws:s3:::${name}`;
      if (attr === 'Arn' && service === 'dynamodb')
        return `arn:aws:dynamodb:${REGION}:123456789012:table/${name}`;
      if (attr === 'Arn' && service === 'kinesis')
        return `arn:aws:kinesis:${REGION}:123456789012:stream/${name}`;
      if (attr === 'Arn' && service === 'lambda')
        return `arn:aws:lambda:${REGION}:123456789012:function:${name}`;
      if (attr === 'Arn' && service) return `arn:aws:${service}:${REGION}:123456789012:${name}`;
      if (attr === 'QueueName' || attr === 'TopicName') return name;
    }
    return this.miss(`!GetAtt ${id}.${attr}`, `\${${id}.${attr}}`);
  }

  private sub(arg: Json): Json {
    const [tpl, varsRaw] = Array.isArray(arg) ? arg : [arg, {}];
    const vars = isObj(varsRaw) ? varsRaw : {};
    return String(this.walk(tpl)).replace(/\$\{([^}]*)\}/g, (all, inner: string) => {
      // `${!Literal}` is an escape for a literal `${Literal}`.
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in vars) return String(this.walk(vars[name]));
      if (name.includes('.') && !name.startsWith('AWS::')) return String(this.getAtt(name));
      const r = this.ref(name);
      if (r === NO_VALUE) return '';
      return Array.isArray(r) ? r.join(',') : String(r);
    });
  }

  private findInMap(arg: Json, whole: Json): Json {
    const [map, top, second, opts] = this.args(arg, 4);
    const m = this.ctx.mappings[String(this.walk(map))];
    const t = isObj(m) ? m[String(this.walk(top))] : undefined;
    const v = isObj(t) ? t[String(this.walk(second))] : undefined;
    if (v !== undefined) return this.walk(v);
    // AWS::LanguageExtensions adds a DefaultValue option.
    if (isObj(opts) && 'DefaultValue' in opts) return this.walk(opts.DefaultValue);
    return this.miss(describeIntrinsic(whole), `<unresolved: ${describeIntrinsic(whole)}>`);
  }
}
