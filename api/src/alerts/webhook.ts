import { parseRetryAfter } from '@spanlens/collector';
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Destination } from './rules.ts';

export const SIGNATURE_HEADER = 'x-spanlens-signature';
export const TIMESTAMP_HEADER = 'x-spanlens-timestamp';
export const EVENT_ID_HEADER = 'x-spanlens-event-id';

/** `v1=` + hex HMAC-SHA256 over `<timestamp>.<body>`; receivers check it and that the timestamp is recent. */
export function sign(secret: string, timestamp: number, body: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The body as a Slack incoming webhook wants it: `text` plus blocks. */
export function slackBody(payload: Record<string, unknown>): Record<string, unknown> {
  const p = payload as { state?: string; rule?: { name?: string; metric?: string; severity?: string }; group?: string | null; value?: number | null; threshold?: number; link?: string; kind?: string };
  const icon = p.kind === 'resolved' ? ':white_check_mark:' : p.kind === 'test' ? ':test_tube:' : ':rotating_light:';
  const title = `${icon} [${String(p.kind ?? p.state).toUpperCase()}] ${p.rule?.name ?? 'alert'}${p.group ? ` (${p.group})` : ''}`;
  const detail = `${p.rule?.metric} = ${p.value ?? 'n/a'} (threshold ${p.threshold}), severity ${p.rule?.severity}`;
  return {
    text: `${title}: ${detail}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${detail}` } },
      ...(p.link ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${p.link}|Open in Spanlens>` }] }] : []),
    ],
  };
}

/** Address ranges a webhook may not reach unless the operator allows it (SSRF). */
const BLOCKED_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'private',
  'uniqueLocal',
  'carrierGradeNat',
  'reserved',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
]);

export function isBlockedAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return BLOCKED_RANGES.has(ip.range());
}

/** Checks every address a name resolves to at connect time, so DNS cannot swap in a private one later. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const bad = list.find((a) => isBlockedAddress(a.address));
      if (!allowPrivate && bad) {
        return callback(
          Object.assign(new Error(`destination ${hostname} resolves to ${bad.address}, a private or local address (set SPANLENS_WEBHOOK_ALLOW_PRIVATE=true to allow)`), { code: 'EBLOCKED' }),
          '',
          4,
        );
      }
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}

export interface PostResult {
  statusCode: number;
  latencyMs: number;
  error: string;
  retryAfterMs?: number;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  now?: () => number;
}

/** One signed POST of an event to a destination. Never throws: failures come back as a result. */
export async function postEvent(dest: Destination, eventId: string, payload: Record<string, unknown>, opts: PostOptions): Promise<PostResult> {
  const body = JSON.stringify(dest.format === 'slack' ? slackBody(payload) : payload);
  const timestamp = Math.floor((opts.now ?? Date.now)() / 1000);
  const started = performance.now();
  const url = new URL(dest.url);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && ipaddr.isValid(literal) && isBlockedAddress(literal)) {
    return { statusCode: 0, latencyMs: 0, error: `destination ${literal} is a private or local address (set SPANLENS_WEBHOOK_ALLOW_PRIVATE=true to allow)` };
  }
  return new Promise<PostResult>((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(opts.allowPrivate),
        timeout: opts.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Spanlens-Webhook/1',
          [EVENT_ID_HEADER]: eventId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(dest.secret, timestamp, body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = parseRetryAfter(res.headers['retry-after']);
          const status = res.statusCode ?? 0;
          resolve({
            statusCode: status,
            latencyMs: performance.now() - started,
            error: status >= 200 && status < 300 ? '' : `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`,
            ...(retryAfter !== undefined && retryAfter > 0 ? { retryAfterMs: retryAfter } : {}),
          });
        });
        res.on('error', (e) => resolve({ statusCode: res.statusCode ?? 0, latencyMs: performance.now() - started, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', (e) => resolve({ statusCode: 0, latencyMs: performance.now() - started, error: e.message }));
    req.end(body);
  });
}

/** Network errors, timeouts, 429 and 5xx are worth another try; any other answer is final. */
export function retryable(r: PostResult): boolean {
  return r.statusCode === 0 ? !r.error.includes('private or local address') : r.statusCode === 429 || r.statusCode >= 500;
}
