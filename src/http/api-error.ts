// Turns a failed HTTP exchange into one readable paragraph: which call, Adobe's (or Zoho's) own
// message, a hint from the status, and the request id support will ask for. Never the headers.
import { ApiError, NetworkError } from '../core/errors.js';
import { redact } from '../core/redact.js';

export interface FailedCall {
  method: string;
  url: string;
  status?: number;
  body?: string;
  requestId?: string;
  /** Node's error code for a network failure (ECONNREFUSED, ETIMEDOUT, …). */
  code?: string;
  sandbox?: string;
}

/** Adobe's message from any of its error body styles (Flow Service, gateway, problem details, IMS). */
export function adobeMessage(body: string | undefined): { message?: string; code?: string } {
  if (!body?.trim()) return {};
  const trimmed = body.trim();
  if (/^<(!doctype|html)/i.test(trimmed)) return { message: 'the server answered with an HTML page instead of JSON (a proxy, firewall or login page?)' };
  let parsed: any;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { message: `the response was not valid JSON (${trimmed.length > 80 ? 'truncated or corrupt' : JSON.stringify(trimmed)})` };
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (!parsed || typeof parsed !== 'object') return {};
  const code = typeof parsed.type === 'string' ? /([A-Z]+-\d+-\d+)$/.exec(parsed.type)?.[1] : parsed.error_code ?? parsed.code;
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
  const body = call.body?.trim();
  if (body && (call.status ?? 0) < 500 && !isJson(body)) {
    return /^</.test(body)
      ? 'Something other than the Platform API answered (a proxy, firewall or captive portal): check AEP_PLATFORM_URL (default https://platform.adobe.io) and your HTTPS proxy settings. Re-running is safe.'
      : 'The response was cut off or corrupted on the way; re-run the command (re-running is safe). If it persists, check AEP_PLATFORM_URL and any proxy in between.';
  }
  if (code === 'FLOW-2100-404' || (call.status === 404 && /sandbox/i.test(call.body ?? ''))) {
    return `Check the sandbox name ('${call.sandbox ?? '?'}'): pass --sandbox or set AEP_SANDBOX to a sandbox of your organization.`;
  }
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
      return call.status && call.status >= 500 ? 'Adobe had a server error; re-run the command later (re-running is safe: nothing is duplicated).' : undefined;
  }
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
  const text = `${call.method} ${path} ${call.status && call.status < 400 ? 'answered' : 'failed with'} HTTP ${call.status}${code ? ` (${code})` : ''}: ${message ?? 'no error message in the response'}.`.replace(/\.\.$/, '.');
  return new ApiError(redact(`${service}: ${text}`), { hint: hintFor(call, code), status: call.status, requestId: call.requestId, code });
}

export function networkError(call: FailedCall, what: string, variable: string): NetworkError {
  const host = /^https?:\/\/([^/]+)/.exec(call.url)?.[1] ?? call.url;
  const reason = call.code === 'ETIMEDOUT' ? 'timed out' : call.code === 'ECONNREFUSED' ? 'refused the connection' : call.code === 'ENOTFOUND' ? 'could not be resolved' : `failed (${call.code ?? 'network error'})`;
  return new NetworkError(`Cannot reach ${what} at ${host}: ${call.code === 'ECONNREFUSED' ? 'the server' : 'the connection'} ${reason} (${call.method} ${call.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]}).`, {
    hint: `Check your network or proxy, and ${variable} if you point aep-zoho at another server. Re-running is safe.`,
  });
}
