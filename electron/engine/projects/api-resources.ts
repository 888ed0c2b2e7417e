/**
 * The template's API Gateway resources (AWS::Serverless::Api and ::HttpApi) with the Globals SAM merges
 * into them, reduced to what a local HTTP endpoint needs: stage, CORS, binary media types.
 */
import { Resolver, type IntrinsicContext } from './intrinsics';

export interface CorsRules {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export interface ApiResource {
  /** Logical id; events name it with `RestApiId`/`ApiId: !Ref Id`, which a lenient resolver turns into `name`. */
  id: string;
  name: string;
  kind: 'Api' | 'HttpApi';
  stage: string;
  cors?: CorsRules;
  /** REST APIs only: content types whose bodies travel base64-encoded. */
  binaryMediaTypes: string[];
  /** HTTP APIs only: the payload format of routes that do not set their own. */
  payloadFormatVersion?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
/** REST CORS values are header values in single quotes: `"'GET,POST'"`. */
const unquote = (v: unknown): string => String(v ?? '').replace(/^'(.*)'$/, '$1');
const commaList = (v: unknown): string[] =>
  unquote(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The implicit APIs SAM creates for events without RestApiId/ApiId. */
export const IMPLICIT_REST_API = 'ServerlessRestApi';
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';

export function loadApis(data: Obj, ctx: IntrinsicContext): ApiResource[] {
  const resolver = new Resolver({ ...ctx, lenient: true });
  const globals = obj(data.Globals);
  const restGlobals = obj(resolver.resolve(globals.Api, 'Globals.Api'));
  const httpGlobals = obj(resolver.resolve(globals.HttpApi, 'Globals.HttpApi'));
  const apis: ApiResource[] = [
    restApi(IMPLICIT_REST_API, IMPLICIT_REST_API, { ...restGlobals, StageName: 'Prod' }),
    httpApi(IMPLICIT_HTTP_API, IMPLICIT_HTTP_API, { ...httpGlobals, StageName: '$default' }),
  ];
  for (const [id, raw] of Object.entries(obj(data.Resources))) {
    const res = obj(raw);
    if (res.Type !== 'AWS::Serverless::Api' && res.Type !== 'AWS::Serverless::HttpApi') continue;
    const props = obj(resolver.resolve(res.Properties, `${id}.Properties`));
    const name = typeof props.Name === 'string' ? props.Name : id;
    apis.push(
      res.Type === 'AWS::Serverless::Api'
        ? restApi(id, name, { ...restGlobals, ...props })
        : httpApi(id, name, { ...httpGlobals, ...props }),
    );
  }
  return apis;
}

function restApi(id: string, name: string, p: Obj): ApiResource {
  return {
    id,
    name,
    kind: 'Api',
    stage: String(p.StageName ?? 'Prod'),
    cors: restCors(p.Cors),
    // SAM writes a `/` in a media type as `~1` (JSON pointer escaping), e.g. image~1png.
    binaryMediaTypes: list(p.BinaryMediaTypes).map((t) => t.replaceAll('~1', '/').toLowerCase()),
  };
}

function httpApi(id: string, name: string, p: Obj): ApiResource {
  return {
    id,
    name,
    kind: 'HttpApi',
    stage: String(p.StageName ?? '$default'),
    cors: httpCors(p.CorsConfiguration),
    binaryMediaTypes: [],
  };
}

/** `Cors: "'*'"` is the allowed origin; the object form has AllowOrigin/Methods/Headers/MaxAge/Credentials. */
function restCors(raw: unknown): CorsRules | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (typeof raw === 'string') {
    return { ...NO_CORS, allowOrigins: commaList(raw), allowMethods: ['*'], allowHeaders: ['*'] };
  }
  const c = obj(raw);
  const maxAge = c.MaxAge === undefined ? undefined : Number(unquote(c.MaxAge));
  return {
    allowOrigins: commaList(c.AllowOrigin ?? "'*'"),
    // SAM's default for AllowMethods: every method the API has; '*' stands for that here.
    allowMethods: c.AllowMethods === undefined ? ['*'] : commaList(c.AllowMethods),
    allowHeaders: commaList(c.AllowHeaders),
    exposeHeaders: [],
    maxAge: Number.isFinite(maxAge) ? maxAge : undefined,
    allowCredentials: c.AllowCredentials === true || c.AllowCredentials === 'true',
  };
}

/** `CorsConfiguration: true` allows every origin, method and header; the object form lists each. */
function httpCors(raw: unknown): CorsRules | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (raw === true) return { ...NO_CORS, allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] };
  const c = obj(raw);
  const maxAge = c.MaxAge === undefined ? undefined : Number(c.MaxAge);
  return {
    allowOrigins: list(c.AllowOrigins),
    allowMethods: list(c.AllowMethods).map((m) => m.toUpperCase()),
    allowHeaders: list(c.AllowHeaders).map((h) => h.toLowerCase()),
    exposeHeaders: list(c.ExposeHeaders).map((h) => h.toLowerCase()),
    maxAge: Number.isFinite(maxAge) ? maxAge : undefined,
    allowCredentials: c.AllowCredentials === true,
  };
}

const NO_CORS: CorsRules = {
  allowOrigins: [],
  allowMethods: [],
  allowHeaders: [],
  exposeHeaders: [],
  allowCredentials: false,
};
