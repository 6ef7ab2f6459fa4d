// Turns a failed HTTP exchange into one readable paragraph: which call, Adobe's (or Zoho's) own
// message, a hint from the status, and the request id support will ask for. Never the headers.
import { ApiError, NetworkError } from '../core/errors.js';
import { redact } from '../core/redact.js';
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
      message: `the response was not valid JSON (${trimmed.length > 80 ? 'truncated or corrupt' : JSON.stringify(trimmed)})`,
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
  if (body && (call.status ?? 0) < 500 && !isJson(body)) {
    return /^</.test(body)
      ? 'Something other than the Platform API answered (a proxy, firewall or captive portal): check AEP_PLATFORM_URL (default https://platform.adobe.io) and your HTTPS proxy settings. Re-running is safe.'
      : 'The response was cut off or corrupted on the way; re-run the command (re-running is safe). If it persists, check AEP_PLATFORM_URL and any proxy in between.';
  }
  if (code === 'FLOW-2100-404' || (call.status === 404 && /sandbox/i.test(call.body ?? ''))) {
    return `Check the sandbox name ('${call.sandbox ?? '?'}'): pass --sandbox or set AEP_SANDBOX to a sandbox of your organization.`;
  }
  // The gateway's "Profile is not valid": the x-gw-ims-org-id is not the org of the credential
  // (https://experienceleague.adobe.com/docs/experience-platform/landing/troubleshooting.html).
  if (code === '403025')
    return "The org id is not the credential's organization: set AEP_ORG_ID (or init --org-id) to the Organization ID shown on the credential in Adobe Developer Console (…@AdobeOrg).";
  switch (call.status) {
    case 400:
      return 'The platform rejected the request; the message above names the field. Re-run with --debug to see the request.';
    case 401:
      return "Adobe did not accept the access token: check AEP_CLIENT_ID and AEP_ORG_ID (or run 'aep-zoho auth status').";
    case 403:
      // Adobe now grants API credentials access through roles (Permissions > Roles > API credentials), not product profiles.
      return "The credential lacks permission: in Adobe Experience Platform, Permissions > Roles, add the credential under the role's API credentials tab, with the Sources, Datasets and Schemas permissions for this sandbox (the project in Adobe Developer Console must have the Experience Platform API).";
    case 404:
      return 'The resource does not exist (any more). If it was deleted outside aep-zoho, re-run the command to recreate it.';
    case 409:
      return 'A resource with that name already exists; re-run the command to adopt it.';
    case 412:
      return 'Someone else changed the resource meanwhile; re-run the command to use its current version.';
    case 429:
      return 'Adobe is throttling requests; wait a minute and re-run (re-running is safe: nothing is duplicated).';
    default:
      return call.status && call.status >= 500
        ? 'Adobe had a server error; re-run the command later (re-running is safe: nothing is duplicated).'
        : undefined;
  }
}

/** A 414 or 431: the URL was too long, nearly always because of a long name in a lookup by name. */
function longUrlHint(url: string): string {
  const values = [...new URL(url, 'http://x').searchParams.values()];
  const name = values.map((value) => /^name==(.*)$/s.exec(value)?.[1]).find((found) => found !== undefined);
  const longest = name ?? values.sort((a, b) => b.length - a.length)[0] ?? '';
  const what =
    name !== undefined
      ? `the name '${name.slice(0, 40)}${name.length > 40 ? '…' : ''}' (${name.length} characters), sent in the lookup by name`
      : `a query value of ${longest.length} characters`;
  return `The request URL is ${url.length} characters long, more than the server accepts; most of it is ${what}. Use a shorter name (--name, or the names in the template), a few hundred characters at most.`;
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
  const text =
    `${call.method} ${path} ${call.status && call.status < 400 ? 'answered' : 'failed with'} HTTP ${call.status}${code ? ` (${code})` : ''}: ${message ?? 'no error message in the response'}.`.replace(
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
      {
        hint: `This is a certificate problem, not a credential one. Behind a corporate proxy or firewall that inspects HTTPS, point NODE_EXTRA_CA_CERTS at its CA certificate (a PEM file) and run again. Otherwise check ${variable}: the host must present a valid certificate for its name.`,
      },
    );
  }
  const refused = /^PROXY_(\d{3})$/.exec(call.code ?? '')?.[1];
  if (refused && call.proxy) {
    return new NetworkError(
      `Cannot reach ${what} at ${host}${via}: the proxy refused to open a tunnel to it (HTTP ${refused}) (${request}).`,
      {
        hint:
          refused === '407'
            ? `The proxy wants credentials: give them in ${call.proxy.variable}, as http://user:password@host:port (they are masked in every output).`
            : `Check that the proxy allows connections to ${host} (or list the host in NO_PROXY), and ${variable}.`,
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
      ? `Check that the proxy ${call.proxy.shown} is running and allows ${host} (or list the host in NO_PROXY), and ${variable} if you point aep-zoho at another server. Re-running is safe.`
      : `Check your network, and ${variable} if you point aep-zoho at another server${call.code === 'ETIMEDOUT' ? ' (AEP_ZOHO_TIMEOUT_MS raises the per-attempt timeout)' : ''}. Behind a proxy, set HTTPS_PROXY. Re-running is safe.`,
  });
}
