/**
 * The HTTP API's routes and how a request finds one: API Gateway picks the most specific match, so
 * literal segments beat `{param}`, which beats a greedy `{proxy+}`, a method beats ANY, and an HTTP
 * API's `$default` route catches what nothing else does.
 */
import type { ApiResource } from '../../projects/api-resources';

export interface HttpRoute {
  projectId: number;
  projectName: string;
  functionId: string;
  eventId: string;
  kind: 'Api' | 'HttpApi';
  /** GET, POST…, or ANY. */
  method: string;
  /** The template's path, e.g. `/items/{id}` or `/files/{proxy+}`; `$default` for the catch-all route. */
  path: string;
  payloadFormatVersion: '1.0' | '2.0';
  api: ApiResource;
  /** `''`, or `/<project>` when another open project already serves the same method and path. */
  prefix: string;
  /** `GET /items/{id}` or `$default`: the routeKey API Gateway sends, and the History trigger source. */
  routeKey: string;
}

export interface RouteMatch {
  route: HttpRoute;
  /** The request path without the namespace prefix. */
  path: string;
  pathParameters: Record<string, string>;
}

type Segment = { kind: 'literal'; text: string } | { kind: 'param' | 'greedy'; name: string };

const compiled = new WeakMap<HttpRoute, Segment[]>();

function segmentsOf(route: HttpRoute): Segment[] {
  let segs = compiled.get(route);
  if (!segs) {
    segs = split(route.path).map((s): Segment => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
      if (!m) return { kind: 'literal', text: s };
      return m[2] ? { kind: 'greedy', name: m[1] } : { kind: 'param', name: m[1] };
    });
    compiled.set(route, segs);
  }
  return segs;
}

const split = (path: string) => path.split('/').filter((s) => s !== '');

/** Path parameters of `path` under `route`'s template, or undefined if it does not match. */
function matchPath(route: HttpRoute, path: string): Record<string, string> | undefined {
  if (route.path === '$default') return {};
  const segs = segmentsOf(route);
  const parts = split(path);
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg.kind === 'greedy') {
      // {proxy+} takes one segment at least, and everything after it, slashes included.
      if (i >= parts.length) return undefined;
      params[seg.name] = parts.slice(i).map(decode).join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if (seg.kind === 'literal') {
      if (decode(parts[i]) !== seg.text) return undefined;
    } else params[seg.name] = decode(parts[i]);
  }
  return parts.length === segs.length ? params : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Higher is more specific: per segment literal 3, param 2, greedy 1; `$default` lowest of all. */
function specificity(route: HttpRoute): number[] {
  if (route.path === '$default') return [-1];
  const weight = { literal: 3, param: 2, greedy: 1 };
  return [
    route.prefix ? 1 : 0,
    ...segmentsOf(route).map((s) => weight[s.kind]),
    0,
    route.method === 'ANY' ? 0 : 1,
  ];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? -2) - (a[i] ?? -2);
    if (d) return d;
  }
  return 0;
}

/** Routes ordered most specific first, so the first match wins. */
export function sortRoutes(routes: HttpRoute[]): HttpRoute[] {
  return [...routes].sort((a, b) => compare(specificity(a), specificity(b)));
}

/** The routes (most specific first) whose path matches, whatever their method. */
export function matchingPaths(sorted: HttpRoute[], path: string): RouteMatch[] {
  const found: RouteMatch[] = [];
  for (const route of sorted) {
    let rest = path;
    if (route.prefix) {
      if (path !== route.prefix && !path.startsWith(`${route.prefix}/`)) continue;
      rest = path.slice(route.prefix.length) || '/';
    }
    const params = matchPath(route, rest);
    if (params) found.push({ route, path: rest, pathParameters: params });
  }
  return found;
}

export function findRoute(sorted: HttpRoute[], method: string, path: string): RouteMatch | undefined {
  return matchingPaths(sorted, path).find((m) => m.route.method === 'ANY' || m.route.method === method);
}

export function routeKey(method: string, path: string): string {
  return path === '$default' ? '$default' : `${method} ${path}`;
}
