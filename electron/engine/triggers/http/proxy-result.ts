/**
 * From the function's result back to HTTP, as API Gateway maps it: a proxy result object for payload 1.0;
 * for 2.0 also a plain string or object (no statusCode) as a 200 JSON body. A failed invocation gets
 * API Gateway's own error answers.
 */
import type { InvocationResult } from '../../../../shared/types';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const json = (status: number, message: string, extra: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { 'Content-Type': 'application/json', ...extra },
  body: Buffer.from(JSON.stringify({ message })),
});

/** API Gateway's answers when the integration fails, word for word. */
export const answers = {
  internalError: () => json(502, 'Internal server error'),
  timedOut: () => json(504, 'Endpoint request timed out'),
  throttled: () => json(429, 'Too Many Requests'),
  notFound: () => json(404, 'Not Found'),
  forbidden: () => json(403, 'Forbidden'),
  tooLarge: () => json(413, 'Request Entity Too Large'),
};

export function answerFor(result: InvocationResult, payloadFormatVersion: '1.0' | '2.0'): HttpAnswer {
  if (result.status === 'timeout') return answers.timedOut();
  if (result.status === 'throttled') return answers.throttled();
  if (result.status !== 'success') return answers.internalError();
  let value: unknown;
  try {
    value = JSON.parse(result.response ?? 'null');
  } catch {
    return answers.internalError();
  }
  const structured = isObject(value) && 'statusCode' in value;
  if (payloadFormatVersion === '1.0' || structured) return fromProxyResult(value, payloadFormatVersion);
  // Payload 2.0 without a statusCode: the result is the body, as JSON (a string as it is).
  const body = typeof value === 'string' ? value : JSON.stringify(value);
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(body) };
}

function fromProxyResult(value: unknown, version: '1.0' | '2.0'): HttpAnswer {
  // A result API Gateway cannot read is its "Malformed Lambda proxy response": a 502.
  if (!isObject(value)) return answers.internalError();
  const status = Number(value.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return answers.internalError();
  if (value.body !== undefined && value.body !== null && typeof value.body !== 'string')
    return answers.internalError();
  const headers: Record<string, string | string[]> = {};
  const add = (name: string, v: unknown) => {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    const prev = headers[key];
    const values = (Array.isArray(v) ? v : [v]).map(String);
    headers[key] = prev === undefined ? values : ([] as string[]).concat(prev, values);
  };
  for (const [k, v] of Object.entries(isObject(value.headers) ? value.headers : {})) add(k, v);
  if (version === '1.0') {
    for (const [k, v] of Object.entries(isObject(value.multiValueHeaders) ? value.multiValueHeaders : {}))
      add(k, v);
  }
  if (version === '2.0' && Array.isArray(value.cookies)) for (const c of value.cookies) add('Set-Cookie', c);
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json';
  const text = typeof value.body === 'string' ? value.body : '';
  const body = value.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text);
  return { status, headers, body };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
