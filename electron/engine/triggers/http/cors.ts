/**
 * CORS as API Gateway answers it from the template's Cors (REST) or CorsConfiguration (HTTP API): the
 * preflight OPTIONS is answered without invoking anything; an HTTP API also adds the allow-origin header
 * to real responses (a REST API leaves that to the function, as AWS does).
 */
import type { CorsRules } from '../../projects/api-resources';

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

export function isPreflight(method: string, headers: Record<string, string | string[] | undefined>): boolean {
  return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
}

function allowedOrigin(rules: CorsRules, origin: string | undefined): string | undefined {
  if (rules.allowOrigins.includes('*')) return rules.allowCredentials && origin ? origin : '*';
  return origin && rules.allowOrigins.includes(origin) ? origin : undefined;
}

/** The preflight's headers; `routeMethods` are the methods the path has, for a `*` AllowMethods. */
export function preflightHeaders(
  rules: CorsRules,
  origin: string | undefined,
  requestHeaders: string | undefined,
  routeMethods: string[],
): Record<string, string> {
  const allow = allowedOrigin(rules, origin);
  if (!allow) return {};
  const methods = rules.allowMethods.includes('*')
    ? routeMethods.includes('ANY')
      ? ALL_METHODS
      : [...new Set([...routeMethods, 'OPTIONS'])].sort()
    : rules.allowMethods;
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': allow,
    'Access-Control-Allow-Methods': methods.join(','),
  };
  const allowHeaders = rules.allowHeaders.includes('*') ? requestHeaders : rules.allowHeaders.join(',');
  if (allowHeaders) headers['Access-Control-Allow-Headers'] = allowHeaders;
  if (rules.maxAge !== undefined) headers['Access-Control-Max-Age'] = String(rules.maxAge);
  if (rules.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  return headers;
}

/** What an HTTP API adds to a real response for an allowed origin. */
export function responseHeaders(rules: CorsRules, origin: string | undefined): Record<string, string> {
  const allow = allowedOrigin(rules, origin);
  if (!allow) return {};
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': allow };
  if (rules.exposeHeaders.length) headers['Access-Control-Expose-Headers'] = rules.exposeHeaders.join(',');
  if (rules.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  return headers;
}
