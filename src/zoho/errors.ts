// Zoho CRM's refusals as one-paragraph errors with a hint: its error body `{code, details, message,
// status: "error"}` read once (zohoError), the credit and request-size cases that share a code told
// apart, then a hint per code, per parameter, per status. And the answer that is not JSON at all.
import { DEFAULT_ZOHO_ENDPOINT } from '../config/settings.js';
import { ApiError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { para } from '../core/text.js';

export interface FailedZohoCall {
  method: 'GET' | 'POST';
  path: string;
  base: string;
  status: number;
  body: any;
  module?: string;
  /** What the call was, in words (COQL query, deleted records). */
  call?: string;
  query: URLSearchParams;
  /** The token was minted for this call: another INVALID_TOKEN is not about expiry. */
  freshToken: boolean;
}

/** An answer of Zoho's (or of something in between) that is not JSON. */
export function notJson(method: string, path: string, status: number, body: string): ApiError {
  const html = /^\s*</.test(body) ? ' (an HTML page)' : '';
  return new ApiError(`Zoho CRM: ${method} ${path} answered HTTP ${status} with something that is not JSON${html}.`, {
    status,
    hint: para`Check ZOHO_ENDPOINT (it must name Zoho's API domain, e.g. ${DEFAULT_ZOHO_ENDPOINT}) and any proxy in
      between. Re-running is safe.`,
  });
}

/** What Zoho's error body says, read once. */
interface Refusal {
  call: FailedZohoCall;
  code?: string;
  details: Record<string, unknown>;
  zohoMessage?: string;
  /** `details.param_name` (or `header`), `api_name`, `column_name`, as Zoho named them. */
  param?: string;
  apiName?: string;
  column?: string;
  /** The parameter the error is about: param_name, else an api_name that names a parameter. */
  about?: string;
  /** The request and what Zoho said of it, in one sentence. */
  text: string;
  make(message: string, hint: string, errorCode?: string): ApiError;
}

/**
 * Zoho's error body as one paragraph with a hint. The parameter is in `details.param_name` or
 * `details.api_name` (zoho/crm-oas v8.0 getRecords examples: EXPIRED_VALUE names `api_name:
 * "page_token"`, PAGINATION_LIMIT_EXCEEDED and TOKEN_BOUND_DATA_MISMATCH `param_name`); a COQL
 * answer names `column_name`, `limit`, `offset` or `near` (v8.0 coql executeCOQLQuery examples).
 */
export function zohoError(call: FailedZohoCall): ApiError {
  const refusal = readRefusal(call);
  return tooBigOrCredits(refusal) ?? byCode(refusal) ?? byQuery(refusal) ?? byStatus(refusal);
}

function readRefusal(call: FailedZohoCall): Refusal {
  const code: string | undefined = typeof call.body?.code === 'string' ? call.body.code : undefined;
  const details: Record<string, unknown> =
    call.body?.details && typeof call.body.details === 'object' ? call.body.details : {};
  const zohoMessage: string | undefined = typeof call.body?.message === 'string' ? call.body.message : undefined;
  const named = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : undefined);
  const param = named('param_name') ?? named('header');
  const apiName = named('api_name');
  const about = param ?? (apiName === 'page_token' || call.query.has(apiName ?? '') ? apiName : undefined);
  const column = named('column_name');
  const what = [
    call.module ? `module ${call.module}` : undefined,
    call.call,
    param || apiName
      ? `parameter ${param ?? apiName}${param && apiName && apiName !== param ? ` '${apiName}'` : ''}`
      : undefined,
    column ? `column ${column}` : undefined,
    named('near') !== undefined ? `near '${named('near')}'` : undefined,
  ].filter(Boolean);
  const where = what.length ? ` (${what.join(', ')})` : '';
  const failed = `Zoho CRM: ${call.method} ${call.path} failed with HTTP ${call.status}${code ? ` (${code})` : ''}`;
  const text = `${failed}${where}: ${zohoMessage ?? 'no error message in the response'}.`;
  const make = (message: string, hint: string, errorCode = code) =>
    new ApiError(redact(message), { status: call.status, code: errorCode, hint });
  return { call, code, details, zohoMessage, param, apiName, column, about, text, make };
}

/**
 * Zoho's credit error is not documented exactly (aep-fallback.md §3.6): LIMIT_REACHED in the v8
 * SDK's codes. LIMIT_EXCEEDED is also Zoho's answer to a request too big (more than 50 field API
 * names in `fields`, get-records.html), which is about this request, not the day's credits: it is
 * one when the answer points at the request (a parameter, a field, the word "field") or the
 * request did ask for more than 50 fields.
 */
function tooBigOrCredits(r: Refusal): ApiError | undefined {
  const { call, code, details, zohoMessage, param } = r;
  const askedFields = (call.query.get('fields') ?? '').split(',').filter((name) => name.trim()).length;
  const requestTooBig =
    code === 'LIMIT_EXCEEDED' &&
    (param !== undefined ||
      details.limit !== undefined ||
      call.call === 'COQL query' ||
      typeof details.api_name === 'string' ||
      /field/i.test(`${zohoMessage ?? ''} ${typeof details.by === 'string' ? details.by : ''}`) ||
      askedFields > 50);
  const credits =
    code === 'LIMIT_REACHED' ||
    (code === 'LIMIT_EXCEEDED' && !requestTooBig) ||
    (call.status === 429 && /credit/i.test(zohoMessage ?? ''));
  const module = call.module ?? 'the module';
  if (requestTooBig && (param === undefined || param === 'fields'))
    return r.make(
      `${r.text}${askedFields ? ` The request named ${askedFields} field(s).` : ''}`,
      para`Zoho's records API takes at most 50 field API names per call: keep the template's fields for ${module} to 50
        or fewer ('aep-zoho explore ${call.module ?? '<module>'} --via http-api' lists them).`,
      'ZOHO_TOO_MANY_FIELDS',
    );
  if (!credits) return undefined;
  const what = call.module ? ` (module ${call.module}${call.call ? `, ${call.call}` : ''})` : '';
  return r.make(
    para`Zoho CRM's API credits are used up: ${call.method} ${call.path}${what} was refused
      (${code ?? `HTTP ${call.status}`}${zohoMessage ? `: ${zohoMessage}` : ''}). Zoho counts credits over a rolling
      24-hour window, so they come back as the calls of the last 24 hours age out.`,
    para`Nothing is lost: run again in a few hours, and a sync resumes from its cursor. Zoho CRM's Setup → Developer
      Hub → APIs shows the credits used; an edition with more users or add-on credits raises the limit.`,
    'ZOHO_CREDITS_EXHAUSTED',
  );
}

/** Hints by Zoho's error code alone. */
const CODE_HINTS: Record<string, { hint: string; code?: string }> = {
  OAUTH_SCOPE_MISMATCH: {
    hint: para`The Zoho tokens lack a scope this call needs: make a new authorization request with
      ZohoCRM.modules.READ, ZohoCRM.settings.modules.READ, ZohoCRM.settings.fields.READ and ZohoCRM.coql.READ
      (sync reads through Zoho's query API; 'aep-zoho zoho authorize-url' asks for them all), then
      'aep-zoho zoho token --grant-token <code>'.`,
  },
  INVALID_MODULE: {
    hint: "The module name is the Zoho API name (e.g. Accounts, Contacts): 'aep-zoho explore --via http-api' lists them.",
  },
  NO_PERMISSION: {
    hint: para`The Zoho user who granted the tokens has no access to this module: give their profile read permission
      in Zoho CRM (Setup → Users and Control → Security Control), or authorize as another user.`,
  },
  DISCRETE_PAGINATION_LIMIT_EXCEEDED: {
    hint: 'Past 2,000 records Zoho pages only with page_token; this is a bug in aep-zoho: please report it.',
  },
  PAGINATION_LIMIT_EXCEEDED: {
    hint: para`Zoho's page tokens reach only 100,000 records; sync walks modules with Zoho's query API (COQL)
      instead, which has no such reach. Run 'aep-zoho sync' again; if this comes from another read, report it as
      a bug in aep-zoho.`,
    code: 'ZOHO_PAGINATION_LIMIT',
  },
};

const PAGE_TOKEN_EXPIRED = para`The page token expired or no longer matches the request: start again from the cursor
  (re-running is safe).`;

/** A hint by Zoho's error code (and, for some codes, the parameter or column it names). */
function byCode(r: Refusal): ApiError | undefined {
  const { call, code, text } = r;
  if (code === 'INVALID_TOKEN' || code === 'AUTHENTICATION_FAILURE')
    return r.make(
      `${text} ${call.freshToken ? 'Zoho refused even a freshly minted access token.' : 'Zoho refused the access token.'}`,
      para`A Zoho token works only in its own data centre: check that ZOHO_ENDPOINT (now ${call.base}) and
        ZOHO_ACCOUNTS_URL name the same one (e.g. accounts.zoho.eu with www.zohoapis.eu). Otherwise run
        'aep-zoho zoho token --grant-token <code>' for new tokens.`,
    );
  const known = code && Object.hasOwn(CODE_HINTS, code) ? CODE_HINTS[code] : undefined;
  if (known) return r.make(text, known.hint, known.code ?? code);
  if ((code === 'EXPIRED_VALUE' || code === 'TOKEN_BOUND_DATA_MISMATCH') && r.about === 'page_token')
    return r.make(text, PAGE_TOKEN_EXPIRED, 'ZOHO_PAGE_TOKEN_INVALID');
  if (code !== 'SYNTAX_ERROR' && code !== 'INVALID_QUERY' && code !== 'INVALID_ALIAS' && code !== 'DUPLICATE_DATA')
    return undefined;
  if (r.column)
    return r.make(
      text,
      para`Zoho's query API does not take the field ${r.column} of ${call.module ?? 'this module'}: check the
        template's field names against 'aep-zoho explore ${call.module ?? '<module>'} --via http-api' (a field may
        have been renamed or deleted in Zoho, or be of a type COQL cannot select).`,
    );
  return r.make(
    text,
    para`Zoho refused the query aep-zoho built: this is a bug in aep-zoho; please report it with the output of
      --debug (the token is never shown). The cursor is kept: nothing is lost.`,
  );
}

/** A hint by the parameter the answer is about. */
function byQuery(r: Refusal): ApiError | undefined {
  if (r.about === 'page_token')
    return r.make(
      r.text,
      'The page token expired or is unknown: start again from the cursor (re-running is safe).',
      'ZOHO_PAGE_TOKEN_INVALID',
    );
  if (r.about === 'fields')
    return r.make(
      r.text,
      para`Check the field names against 'aep-zoho explore ${r.call.module ?? '<module>'} --via http-api' (a
        template may name a field that was renamed or deleted in Zoho).`,
    );
  return undefined;
}

/** A hint by the HTTP status, when nothing else says more. */
function byStatus(r: Refusal): ApiError {
  if (r.call.status === 429)
    return r.make(
      r.text,
      para`Zoho kept throttling after the retries: lower ZOHO_MAX_IN_FLIGHT to your edition's concurrency limit
        (free 5, standard 10, professional 15, enterprise 20) and run again.`,
      'ZOHO_THROTTLED',
    );
  if (r.call.status >= 500) return r.make(r.text, 'Zoho had a server error; run again later (re-running is safe).');
  return r.make(
    r.text,
    para`Zoho rejected the request; the message names the parameter. Run with --debug to see the request (the
      token is never shown).`,
  );
}
