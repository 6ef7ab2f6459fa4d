// Turns a failed HTTP exchange into one readable paragraph: which call, Adobe's (or Zoho's) own
// message, a hint from the status, and the request id support will ask for. Never the headers.
import { ApiError, NetworkError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import { redact } from '../core/redact.js';
import { para } from '../core/text.js';
import type { ProxyRoute } from './proxy.js';

export interface FailedCall {
  method: string;
  url: string;
  status?: number;
  body?: string;
  requestId?: string;
  /** Node's error code for a network failure (ECONNREFUSED, ETIMEDOUT, …). */
  code?: string;
  sandbox?: string;
  /** The proxy the request went through. */
  proxy?: ProxyRoute;
  /** The per-attempt timeout, for the message of a timeout. */
  timeoutMs?: number;
}

/** Adobe's message from any of its error body styles (Flow Service, gateway, problem details, IMS). */
export function adobeMessage(body: string | undefined): { message?: string; code?: string } {
  if (!body?.trim()) return {};
  const trimmed = body.trim();
  if (/^<(!doctype|html)/i.test(trimmed))
    return { message: 'the server answered with an HTML page instead of JSON (a proxy, firewall or login page?)' };
  let parsed: any;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return {
      message: para`the response was not valid JSON
        (${trimmed.length > 80 ? 'truncated or corrupt' : JSON.stringify(trimmed)})`,
    };
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (!parsed || typeof parsed !== 'object') return {};
  const code =
    typeof parsed.type === 'string' ? /([A-Z]+-\d+-\d+)$/.exec(parsed.type)?.[1] : (parsed.error_code ?? parsed.code);
  const message =
    parsed.report?.['detailed-message'] ??
    parsed.errorMessage ??
    parsed.detail ??
    parsed.message ??
    parsed.error_description ??
    parsed.title ??
    (typeof parsed.error === 'string' ? parsed.error : parsed.error?.message);
  return { message: typeof message === 'string' ? message : undefined, code: code ? String(code) : undefined };
}

function hintFor(call: FailedCall, code?: string): string | undefined {
  if (call.status === 414 || call.status === 431) return longUrlHint(call.url);
  const body = call.body?.trim();
  if (body && (call.status ?? 0) < 500 && !isJson(body))
    return /^</.test(body) ? HINTS.platformNotApi() : HINTS.platformCorrupt();
  if (code === 'FLOW-2100-404' || (call.status === 404 && /sandbox/i.test(call.body ?? '')))
    return HINTS.platformSandbox(call.sandbox ?? '?');
  // The gateway's "Profile is not valid": the x-gw-ims-org-id is not the org of the credential
  // (https://experienceleague.adobe.com/docs/experience-platform/landing/troubleshooting.html).
  if (code === '403025') return HINTS.platformOrg();
  return HINTS.platformStatus(call.status);
}

/** A 414 or 431: the URL was too long, nearly always because of a long name in a lookup by name. */
function longUrlHint(url: string): string {
  const values = [...new URL(url, 'http://x').searchParams.values()];
  const name = values.map((value) => /^name==(.*)$/s.exec(value)?.[1]).find((found) => found !== undefined);
  const longest = name ?? values.sort((a, b) => b.length - a.length)[0] ?? '';
  const what =
    name !== undefined
      ? para`the name '${name.slice(0, 40)}${name.length > 40 ? '…' : ''}' (${name.length} characters), sent in the
        lookup by name`
      : `a query value of ${longest.length} characters`;
  return HINTS.longUrl(url.length, what);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function apiError(call: FailedCall, service = 'Adobe'): ApiError {
  const path = call.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
  const { message, code } = adobeMessage(call.body);
  const verb = call.status && call.status < 400 ? 'answered' : 'failed with';
  const status = `HTTP ${call.status}${code ? ` (${code})` : ''}`;
  const text = `${call.method} ${path} ${verb} ${status}: ${message ?? 'no error message in the response'}.`.replace(
    /\.\.$/,
    '.',
  );
  return new ApiError(redact(`${service}: ${text}`), {
    hint: hintFor(call, code),
    status: call.status,
    requestId: call.requestId,
    code,
  });
}

/** Node's codes for a certificate the client does not trust (or that names another host). */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const duration = (ms: number) => (ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

export function networkError(call: FailedCall, what: string, variable: string): NetworkError {
  const host = /^https?:\/\/([^/]+)/.exec(call.url)?.[1] ?? call.url;
  const request = `${call.method} ${call.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]}`;
  const via = call.proxy ? ` through the proxy ${call.proxy.shown} (${call.proxy.variable})` : '';
  if (call.code && TLS_CODES.has(call.code)) {
    const reason =
      call.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `its certificate is for another host name`
        : call.code.includes('EXPIRED') || call.code.includes('NOT_YET')
          ? 'its certificate is out of date'
          : 'its certificate is not signed by an authority this machine trusts';
    return new NetworkError(
      `Cannot reach ${what} at ${host}${via}: the TLS certificate check failed (${call.code}): ${reason} (${request}).`,
      { hint: HINTS.tlsCertificate(variable) },
    );
  }
  const refused = /^PROXY_(\d{3})$/.exec(call.code ?? '')?.[1];
  if (refused && call.proxy) {
    return new NetworkError(
      `Cannot reach ${what} at ${host}${via}: the proxy refused to open a tunnel to it (HTTP ${refused}) (${request}).`,
      {
        hint: refused === '407' ? HINTS.proxyCredentials(call.proxy.variable) : HINTS.proxyRefused(host, variable),
      },
    );
  }
  const reason =
    call.code === 'ETIMEDOUT'
      ? `timed out (no answer within ${duration(call.timeoutMs ?? 30_000)} per attempt, after retries)`
      : call.code === 'ECONNREFUSED'
        ? 'refused the connection'
        : call.code === 'ENOTFOUND'
          ? 'could not be resolved'
          : `failed (${call.code ?? 'network error'})`;
  const who = call.code === 'ECONNREFUSED' ? (call.proxy ? 'the proxy' : 'the server') : 'the connection';
  return new NetworkError(`Cannot reach ${what} at ${host}${via}: ${who} ${reason} (${request}).`, {
    hint: call.proxy
      ? HINTS.proxyDown(call.proxy.shown, host, variable)
      : HINTS.networkDown(variable, call.code === 'ETIMEDOUT'),
  });
}
