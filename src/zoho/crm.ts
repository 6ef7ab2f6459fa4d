// Zoho CRM's REST API v8 as the http-api path reads it (aep-fallback.md §3, issue 15 "Reading Zoho
// correctly"): module and field metadata, a sync's walk of a module (walk(): COQL on a keyset of
// Modified_Time and id, no page token and no cap, docs/zoho-rules.md), records one page at a time
// for previews (page_token, sorted by Modified_Time, If-Modified-Since; more than 50 fields as
// several calls merged by id), and the deleted records. Every call's credits are counted as
// Zoho's API-limits and COQL pages price them (docs/zoho-rules.md). All traffic goes through the one network stack (http/client.ts: proxies,
// timeouts, retries on 429/5xx with Retry-After, the body cap) and waits for one of at most
// ZOHO_MAX_IN_FLIGHT slots (5 by default: the free edition's concurrency limit).
import type { ExploreColumn } from '../aep/flow-service.js';
import { DEFAULT_ZOHO_ENDPOINT, envValue, type Settings } from '../config/settings.js';
import type { TableRef } from '../converge/tables.js';
import type { Context } from '../core/context.js';
import { ApiError, UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { HttpClient, networkOptions, type NetworkOptions } from '../http/client.js';
import { Limiter } from '../http/limiter.js';
import { ZohoTokenSource } from './token.js';

export const CRM_API = '/crm/v8';
/** "you can include a maximum of 50 field API names" (get-records.html). */
export const MAX_FIELDS_PER_CALL = 50;
export const MAX_PER_PAGE = 200;
/** Record ids one `ids` read takes (Zoho's get-records). */
const MAX_IDS_PER_CALL = 100;
/** The free edition's concurrency limit (Standard 10, Professional 15, Enterprise 20, Ultimate 25). */
export const DEFAULT_ZOHO_IN_FLIGHT = 5;
/** The sort key of every records read; also the field that tells two reads of a record apart. */
const SORT_FIELD = 'Modified_Time';

export interface ZohoModule {
  apiName: string;
  label: string;
  custom: boolean;
}

export interface ZohoField {
  apiName: string;
  label: string;
  dataType: string;
  jsonType?: string;
  lookupModule?: string;
}

export interface RecordsPage {
  records: Array<Record<string, unknown>>;
  nextPageToken?: string;
  more: boolean;
  /** Records of this page that changed between the calls of a >50-field read: not to be sent (see records()). */
  changed?: string[];
}

export interface DeletedPage {
  records: Array<{ id: string; deletedTime: string; type: string; displayName?: string }>;
  more: boolean;
  /** The Zoho calls this page cost, and their credits. */
  cost: Cost;
}

/** Zoho calls made and the credits they cost (docs/zoho-rules.md). */
export interface Cost {
  calls: number;
  credits: number;
}

/** Where a walk page starts: the module's start; a second, inclusive; or after one (Modified_Time, id) key. */
export type WalkFrom = { at?: undefined } | { at: string; id?: undefined } | { at: string; id: string };

export interface WalkPage {
  /** Oldest change first: Modified_Time ascending, then id ascending. */
  records: Array<Record<string, unknown>>;
  more: boolean;
  cost: Cost;
  /** Zoho's clock when it answered (its Date header, ms): where the walk's live edge is. */
  clock?: number;
}

/** "LIMIT … the max value is 2000" (COQL-Overview); one query of 1,001-2,000 costs 3 credits. */
export const COQL_LIMIT = 2000;
/** "retrieve up to 500 fields in a single query" from v7 (Kaizen #183). */
export const COQL_MAX_COLUMNS = 500;

/**
 * Credits of one COQL query by its LIMIT: 1-200 one credit, 201-1,000 two, 1,001-2,000 three
 * (https://www.zoho.com/crm/developer/docs/api/v8/COQL-Overview.html, "API Credits based on the
 * value of LIMIT"). Every other call here costs one (…/v8/api-limits.html: "Each API call made
 * will result in a reduction of 1 credit").
 */
export const coqlCredits = (limit: number) => (limit <= 200 ? 1 : limit <= 1000 ? 2 : 3);

export interface ZohoCrmOptions {
  /** Zoho calls in flight at once (default ZOHO_MAX_IN_FLIGHT, else 5). */
  maxInFlight?: number;
  /**
   * Fields per records call, at most Zoho's 50. Only tests lower it: the emulator's modules have
   * fewer than 50 fields, and the merge by id is the same code whatever the chunk size.
   */
  fieldsPerCall?: number;
}

interface Answer {
  status: number;
  body: any;
  /** Zoho's clock when it answered (its Date header, ms), if it sent one. */
  clock?: number;
}

export class ZohoCrm {
  readonly limiter: Limiter;
  private readonly tokens: ZohoTokenSource;
  private readonly clients = new Map<string, HttpClient>();
  private readonly fieldsPerCall: number;
  private callCount = 0;
  private creditCount = 0;
  /** Each module's lookup fields that name a user (their email comes as its own COQL column). */
  private readonly userLookups = new Map<string, Promise<Set<string>>>();

  private constructor(
    private readonly settings: Settings,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly network: NetworkOptions,
    options: ZohoCrmOptions,
  ) {
    this.limiter = new Limiter(options.maxInFlight ?? settings.zohoMaxInFlight ?? DEFAULT_ZOHO_IN_FLIGHT);
    this.fieldsPerCall = Math.max(2, Math.min(MAX_FIELDS_PER_CALL, options.fieldsPerCall ?? MAX_FIELDS_PER_CALL));
    this.tokens = new ZohoTokenSource(settings, env, network, network.now ?? Date.now);
  }

  static open(ctx: Context, settings: Settings, options: ZohoCrmOptions = {}): ZohoCrm {
    const network = networkOptions(ctx, settings);
    return new ZohoCrm(settings, ctx.env, network, options);
  }

  /** Access tokens minted by this client. */
  get mints(): number {
    return this.tokens.mints;
  }

  /** Zoho CRM API calls sent (each chunk of a page counts; retries of one call do not). */
  get calls(): number {
    return this.callCount;
  }

  /** Zoho credits those calls cost. */
  get credits(): number {
    return this.creditCount;
  }

  /** Mints only when the stored token is missing or expired. */
  accessToken(): Promise<{ token: string; minted: boolean; expiry: number }> {
    return this.tokens.get();
  }

  /**
   * The API domain: ZOHO_ENDPOINT when set (it wins over any token answer: that is how tests and
   * proxies point aep-zoho elsewhere), else the api_domain Zoho named with the last token, else
   * the stored endpoint, else Zoho's US domain.
   */
  get baseUrl(): string {
    if (envValue(this.env, 'ZOHO_ENDPOINT') && this.settings.zoho.endpoint) return this.settings.zoho.endpoint;
    return this.tokens.apiDomain ?? this.settings.zoho.endpoint ?? DEFAULT_ZOHO_ENDPOINT;
  }

  /** GET /settings/modules: the modules the API serves (api_supported), by API name. */
  async modules(): Promise<ZohoModule[]> {
    const { body } = await this.get(`${CRM_API}/settings/modules`, new URLSearchParams(), {});
    const modules: any[] = Array.isArray(body?.modules) ? body.modules : [];
    return modules
      .filter((m) => m?.api_supported === true && typeof m.api_name === 'string')
      .map((m) => ({
        apiName: m.api_name,
        label: String(m.plural_label ?? m.module_name ?? m.api_name),
        custom: m.generated_type === 'custom',
      }))
      .sort((a, b) => a.apiName.localeCompare(b.apiName));
  }

  /** GET /settings/fields?module=: the module's fields; undefined on 204 (Zoho: metadata inaccessible). */
  async fields(module: string, cost?: Cost): Promise<ZohoField[] | undefined> {
    const { status, body } = await this.get(
      `${CRM_API}/settings/fields`,
      new URLSearchParams({ module }),
      { module },
      {},
      cost,
    );
    if (status === 204 || status === 304) return undefined;
    const fields: any[] = Array.isArray(body?.fields) ? body.fields : [];
    return fields
      .filter((f) => typeof f?.api_name === 'string')
      .map((f) => ({
        apiName: f.api_name,
        label: String(f.field_label ?? f.display_label ?? f.api_name),
        dataType: String(f.data_type ?? 'text'),
        ...(typeof f.json_type === 'string' ? { jsonType: f.json_type } : {}),
        ...(typeof f.lookup?.module?.api_name === 'string' ? { lookupModule: f.lookup.module.api_name } : {}),
      }));
  }

  /**
   * ONE page of a sync's walk of a module: up to 2,000 records through COQL (POST /coql), ordered
   * by Modified_Time then id, from `from`: the start of the module; a second, inclusive (the
   * cursor's, re-read so that a record changed in it since is not missed); or strictly after one
   * (Modified_Time, id) key, the last record of the page before. Each page is a new query on
   * values, not a position: no page token to expire, no 100,000-record reach, and a record edited
   * during the walk moves past the walk's key and comes again, in its newest version, while none
   * slides past it (aep-fallback.md §5.2, docs/zoho-rules.md).
   *
   * Records come in the REST shape (GET /{module}), whatever COQL makes of them: `id` first, then
   * the fields asked for; a lookup is `{name, id}` as in both reads, and a user lookup gets its
   * `email` back from an `X.email` column. Which lookups name users comes from the module's field
   * metadata, read once per client (a call, counted in the page's cost).
   */
  async walk(module: string, options: { fields: string[]; from?: WalkFrom; limit?: number }): Promise<WalkPage> {
    const cost: Cost = { calls: 0, credits: 0 };
    const limit = Math.min(COQL_LIMIT, Math.max(1, Math.floor(options.limit ?? COQL_LIMIT)));
    const fields = [...new Set(options.fields.map((f) => f.trim()).filter((f) => f && f !== 'id'))];
    if (!fields.includes(SORT_FIELD)) fields.push(SORT_FIELD);
    const users = await this.userLookupsOf(module, cost);
    const columns = ['id', ...fields, ...fields.filter((f) => users.has(f)).map((f) => `${f}.email`)];
    if (columns.length > COQL_MAX_COLUMNS)
      throw new UserError(
        `Module ${module}: the template reads ${fields.length} fields, more than the ${COQL_MAX_COLUMNS} one Zoho CRM query (COQL) takes.`,
        { hint: 'Map fewer Zoho fields in the template (each field of its mapping is read).' },
      );
    const from = options.from ?? {};
    const where =
      from.at === undefined
        ? 'id is not null'
        : from.id === undefined
          ? `${SORT_FIELD} >= '${coqlText(zohoTime(from.at))}'`
          : // More than two criteria must be paired with brackets (COQL-Overview).
            `(${SORT_FIELD} > '${coqlText(zohoTime(from.at))}' or (${SORT_FIELD} = '${coqlText(zohoTime(from.at))}' and id > ${coqlId(from.id)}))`;
    const query = `select ${columns.join(', ')} from ${module} where ${where} order by ${SORT_FIELD} asc, id asc limit ${limit}`;
    const { status, body, clock } = await this.request(
      'POST',
      `${CRM_API}/coql`,
      new URLSearchParams(),
      { module, call: 'COQL query' },
      {},
      cost,
      { select_query: query },
      coqlCredits(limit),
    );
    const when = clock === undefined ? {} : { clock };
    if (status === 204 || status === 304) return { records: [], more: false, cost, ...when };
    const data: any[] = Array.isArray(body?.data) ? body.data : [];
    const records = data.map((row) => {
      const record: Record<string, unknown> = { id: row.id === undefined ? undefined : String(row.id) };
      for (const field of fields) {
        const value = row[field];
        record[field] =
          users.has(field) && value && typeof value === 'object'
            ? { name: value.name ?? null, id: value.id, email: row[`${field}.email`] ?? null }
            : (value ?? null);
      }
      return record;
    });
    return { records, more: body?.info?.more_records === true, cost, ...when };
  }

  private userLookupsOf(module: string, cost: Cost): Promise<Set<string>> {
    let known = this.userLookups.get(module);
    if (!known) {
      known = this.fields(module, cost).then(
        (fields) => new Set((fields ?? []).filter((f) => f.dataType in LOOKUP_PARTS).map((f) => f.apiName)),
      );
      known.catch(() => this.userLookups.delete(module));
      this.userLookups.set(module, known);
    }
    return known;
  }

  /**
   * ONE page of a module's records, oldest change first (sort_by=Modified_Time&sort_order=asc),
   * modified at or after `since` (If-Modified-Since, inclusive), continuing at `pageToken`.
   * 304 (nothing changed) and 204 (empty module) are an empty last page.
   *
   * More than 50 fields: the first chunk of fields decides the page (its records, their order,
   * the next token); the other chunks are read for exactly those records with `ids` (100 a call),
   * so neither the order of records sharing a second nor a page token's field list can make the
   * halves differ. Every chunk also asks for Modified_Time: a record missing from a later chunk,
   * or with another Modified_Time there, changed (or was deleted) between the calls. It stays in
   * the page with its first-chunk fields only and is listed in `changed`: the caller must not
   * send it, nor move its cursor past it (sync ends the pass there; the next one reads it anew).
   */
  async records(
    module: string,
    options: { fields: string[]; since?: string; pageToken?: string; perPage?: number },
  ): Promise<RecordsPage> {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(options.perPage ?? MAX_PER_PAGE)));
    const wanted = [...new Set(options.fields.map((f) => f.trim()).filter((f) => f && f !== 'id'))]; // `id` always comes
    const [firstChunk, ...otherChunks] = fieldChunks(wanted.length ? wanted : [SORT_FIELD], this.fieldsPerCall);
    const query = new URLSearchParams({
      fields: firstChunk.join(','),
      per_page: String(perPage),
      sort_by: SORT_FIELD,
      sort_order: 'asc',
    });
    if (options.pageToken) query.set('page_token', options.pageToken);
    const headers: Record<string, string> = options.since ? { 'if-modified-since': zohoTime(options.since) } : {};
    const first = await this.get(`${CRM_API}/${encodeURIComponent(module)}`, query, { module }, headers);
    if (first.status === 304 || first.status === 204) return { records: [], more: false };
    const records: Array<Record<string, unknown>> = Array.isArray(first.body?.data) ? first.body.data : [];
    const info = first.body?.info ?? {};
    const page: RecordsPage = {
      records,
      more: info.more_records === true,
      ...(info.more_records === true && info.next_page_token ? { nextPageToken: String(info.next_page_token) } : {}),
    };
    if (!otherChunks.length || !records.length) return page;
    const ids = records.map((r) => String(r.id));
    const groups = Array.from({ length: Math.ceil(ids.length / MAX_IDS_PER_CALL) }, (_, i) =>
      ids.slice(i * MAX_IDS_PER_CALL, (i + 1) * MAX_IDS_PER_CALL),
    );
    const answers = await Promise.all(
      otherChunks.flatMap((fields) =>
        groups.map((group) =>
          this.get(
            `${CRM_API}/${encodeURIComponent(module)}`,
            new URLSearchParams({ fields: fields.join(','), ids: group.join(',') }),
            { module },
          ),
        ),
      ),
    );
    const parts = new Map<string, Array<Record<string, unknown>>>();
    for (const answer of answers)
      for (const r of Array.isArray(answer.body?.data) ? answer.body.data : [])
        parts.set(String(r.id), [...(parts.get(String(r.id)) ?? []), r]);
    const changed: string[] = [];
    for (const record of records) {
      const id = String(record.id);
      const got = parts.get(id) ?? [];
      if (got.length !== otherChunks.length || got.some((part) => part[SORT_FIELD] !== record[SORT_FIELD]))
        changed.push(id);
      else for (const part of got) Object.assign(record, part);
    }
    if (changed.length) {
      page.changed = changed;
      this.network.log.debug(
        `${module}: ${changed.length} record(s) changed between the field chunks of one page; left for the next read`,
      );
    }
    return page;
  }

  /** GET /{module}/deleted?type=all: one page, deleted at or after `since` (Zoho documents no order). */
  async deleted(
    module: string,
    options: { since?: string; page?: number; perPage?: number } = {},
  ): Promise<DeletedPage> {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(options.perPage ?? MAX_PER_PAGE)));
    const query = new URLSearchParams({
      type: 'all',
      per_page: String(perPage),
      page: String(Math.max(1, Math.floor(options.page ?? 1))),
    });
    const headers: Record<string, string> = options.since ? { 'if-modified-since': zohoTime(options.since) } : {};
    const cost: Cost = { calls: 0, credits: 0 };
    const { status, body } = await this.get(
      `${CRM_API}/${encodeURIComponent(module)}/deleted`,
      query,
      { module, call: 'deleted records' },
      headers,
      cost,
    );
    if (status === 304 || status === 204) return { records: [], more: false, cost };
    const data: any[] = Array.isArray(body?.data) ? body.data : [];
    return {
      records: data.map((d) => ({
        id: String(d.id),
        deletedTime: typeof d.deleted_time === 'string' ? d.deleted_time : '',
        type: String(d.type),
        ...(d.display_name ? { displayName: String(d.display_name) } : {}),
      })),
      more: body?.info?.more_records === true,
      cost,
    };
  }

  /**
   * GET /{module}/actions/count: how many records (modified since `since`, through If-Modified-Since)
   * a walk will read, for sync's progress; `{"count": n}` (zoho/crm-oas v8.0). One API call.
   */
  async count(module: string, since?: string): Promise<number | undefined> {
    const headers: Record<string, string> = since ? { 'if-modified-since': zohoTime(since) } : {};
    const { status, body } = await this.get(
      `${CRM_API}/${encodeURIComponent(module)}/actions/count`,
      new URLSearchParams(),
      { module },
      headers,
    );
    if (status === 304 || status === 204) return 0;
    return typeof body?.count === 'number' ? body.count : undefined;
  }

  private client(baseUrl: string): HttpClient {
    let client = this.clients.get(baseUrl);
    if (!client) {
      client = new HttpClient({
        ...this.network,
        service: 'Zoho CRM',
        variable: 'ZOHO_ENDPOINT',
        baseUrl,
        limiter: this.limiter,
        headers: { accept: 'application/json' },
      });
      this.clients.set(baseUrl, client);
    }
    return client;
  }

  /** One GET with the access token (see request()). */
  private get(
    path: string,
    query: URLSearchParams,
    what: { module?: string; call?: string },
    headers: Record<string, string> = {},
    cost?: Cost,
  ): Promise<Answer> {
    return this.request('GET', path, query, what, headers, cost);
  }

  /** One call with the access token; a refused token (INVALID_TOKEN) is refreshed once and the call resent. Counts the call and its credits. */
  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: URLSearchParams,
    what: { module?: string; call?: string },
    headers: Record<string, string> = {},
    cost?: Cost,
    json?: unknown,
    credits = 1,
  ): Promise<Answer> {
    let access = await this.tokens.get();
    for (let attempt = 1; ; attempt++) {
      const base = this.baseUrl;
      this.callCount++;
      if (cost) cost.calls++;
      const response = await this.client(base).send({
        method,
        path,
        searchParams: query,
        headers: { ...headers, authorization: `Zoho-oauthtoken ${access.token}` },
        // A COQL query reads: sending it twice is safe.
        ...(json === undefined ? {} : { json, idempotent: true }),
      });
      // A call Zoho refused for its token is not charged (an assumption: Zoho's API-limits page
      // prices calls, not refusals; docs/zoho-rules.md); every other answer is.
      if (response.status !== 401) {
        this.creditCount += credits;
        if (cost) cost.credits += credits;
      }
      let body: any;
      if (response.body.trim()) {
        try {
          body = JSON.parse(response.body);
        } catch {
          throw new ApiError(
            `Zoho CRM: ${method} ${path} answered HTTP ${response.status} with something that is not JSON${/^\s*</.test(response.body) ? ' (an HTML page)' : ''}.`,
            {
              status: response.status,
              hint: `Check ZOHO_ENDPOINT (it must name Zoho's API domain, e.g. ${DEFAULT_ZOHO_ENDPOINT}) and any proxy in between. Re-running is safe.`,
            },
          );
        }
      }
      if (response.status === 401 && body?.code === 'INVALID_TOKEN' && attempt === 1) {
        access = await this.tokens.refreshAfter(access.token);
        continue;
      }
      if (response.status >= 400)
        throw zohoError({
          method,
          path,
          base,
          status: response.status,
          body,
          module: what.module,
          call: what.call,
          query,
          freshToken: access.minted || attempt > 1,
        });
      const date = Date.parse(String([response.headers.date].flat()[0] ?? ''));
      return { status: response.status, body, ...(Number.isNaN(date) ? {} : { clock: date }) };
    }
  }
}

/** A string literal inside a COQL query's quotes. */
const coqlText = (text: string) => text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
/** A record id in a COQL criterion: Zoho ids are digits; anything else is quoted. */
const coqlId = (id: string) => (/^\d+$/.test(id) ? id : `'${coqlText(id)}'`);

/** Chunks of at most `size` fields; with more than one chunk, each holds Modified_Time (the merge checks it). */
export function fieldChunks(fields: string[], size = MAX_FIELDS_PER_CALL): string[][] {
  if (fields.length <= size) return [fields];
  const others = fields.filter((f) => f !== SORT_FIELD);
  const chunks: string[][] = [];
  for (let i = 0; i < others.length; i += size - 1) chunks.push([SORT_FIELD, ...others.slice(i, i + size - 1)]);
  return chunks;
}

/**
 * A time as Zoho's If-Modified-Since wants it: ISO 8601 with seconds and an offset
 * (2019-07-25T15:26:49+05:30). A value already in that form is sent as given (the org's offset);
 * others are converted to UTC (+00:00), milliseconds dropped (the filter is inclusive, so
 * rounding down never skips a record).
 */
export function zohoTime(value: string | number | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/.test(value.trim()))
    return value.trim();
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms))
    throw new UserError(`'${String(value)}' is not a date-time Zoho can filter by.`, {
      hint: 'Give an ISO 8601 date-time with an offset, e.g. 2025-07-14T10:00:00-05:00.',
    });
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

interface FailedZohoCall {
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

/**
 * Zoho's error body `{code, details, message, status: "error"}` as one paragraph with a hint. The
 * parameter is in `details.param_name` or `details.api_name` (zoho/crm-oas v8.0 getRecords
 * examples: EXPIRED_VALUE names `api_name: "page_token"`, PAGINATION_LIMIT_EXCEEDED and
 * TOKEN_BOUND_DATA_MISMATCH `param_name`); a COQL answer names `column_name`, `limit`, `offset`
 * or `near` (v8.0 coql executeCOQLQuery examples).
 */
function zohoError(call: FailedZohoCall): ApiError {
  const code: string | undefined = typeof call.body?.code === 'string' ? call.body.code : undefined;
  const details: Record<string, unknown> =
    call.body?.details && typeof call.body.details === 'object' ? call.body.details : {};
  const zohoMessage: string | undefined = typeof call.body?.message === 'string' ? call.body.message : undefined;
  const named = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : undefined);
  const param = named('param_name') ?? named('header');
  const apiName = named('api_name');
  // The parameter the error is about: param_name, else an api_name that names a parameter.
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
  const text = `Zoho CRM: ${call.method} ${call.path} failed with HTTP ${call.status}${code ? ` (${code})` : ''}${where}: ${zohoMessage ?? 'no error message in the response'}.`;
  const make = (message: string, hint: string, errorCode = code) =>
    new ApiError(redact(message), { status: call.status, code: errorCode, hint });

  // Zoho's credit error is not documented exactly (aep-fallback.md §3.6): LIMIT_REACHED in the v8
  // SDK's codes. LIMIT_EXCEEDED is also Zoho's answer to a request too big (more than 50 field API
  // names in `fields`, get-records.html), which is about this request, not the day's credits: it
  // is one when the answer points at the request (a parameter, a field, the word "field") or the
  // request did ask for more than 50 fields.
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
  if (requestTooBig && (param === undefined || param === 'fields')) {
    return make(
      `${text}${askedFields ? ` The request named ${askedFields} field(s).` : ''}`,
      `Zoho's records API takes at most 50 field API names per call: keep the template's fields for ${call.module ?? 'the module'} to 50 or fewer ('aep-zoho explore ${call.module ?? '<module>'} --via http-api' lists them).`,
      'ZOHO_TOO_MANY_FIELDS',
    );
  }
  if (credits) {
    return make(
      `Zoho CRM's API credits are used up: ${call.method} ${call.path}${call.module ? ` (module ${call.module}${call.call ? `, ${call.call}` : ''})` : ''} was refused (${code ?? `HTTP ${call.status}`}${zohoMessage ? `: ${zohoMessage}` : ''}). Zoho counts credits over a rolling 24-hour window, so they come back as the calls of the last 24 hours age out.`,
      "Nothing is lost: run again in a few hours, and a sync resumes from its cursor. Zoho CRM's Setup → Developer Hub → APIs shows the credits used; an edition with more users or add-on credits raises the limit.",
      'ZOHO_CREDITS_EXHAUSTED',
    );
  }
  switch (code) {
    case 'INVALID_TOKEN':
    case 'AUTHENTICATION_FAILURE':
      return make(
        `${text} ${call.freshToken ? 'Zoho refused even a freshly minted access token.' : 'Zoho refused the access token.'}`,
        `A Zoho token works only in its own data centre: check that ZOHO_ENDPOINT (now ${call.base}) and ZOHO_ACCOUNTS_URL name the same one (e.g. accounts.zoho.eu with www.zohoapis.eu). Otherwise run 'aep-zoho zoho token --grant-token <code>' for new tokens.`,
      );
    case 'OAUTH_SCOPE_MISMATCH':
      return make(
        text,
        "The Zoho tokens lack a scope this call needs: make a new authorization request with ZohoCRM.modules.READ, ZohoCRM.settings.modules.READ, ZohoCRM.settings.fields.READ and ZohoCRM.coql.READ (sync reads through Zoho's query API; 'aep-zoho zoho authorize-url' asks for them all), then 'aep-zoho zoho token --grant-token <code>'.",
      );
    case 'INVALID_MODULE':
      return make(
        text,
        "The module name is the Zoho API name (e.g. Accounts, Contacts): 'aep-zoho explore --via http-api' lists them.",
      );
    case 'NO_PERMISSION':
      return make(
        text,
        'The Zoho user who granted the tokens has no access to this module: give their profile read permission in Zoho CRM (Setup → Users and Control → Security Control), or authorize as another user.',
      );
    case 'DISCRETE_PAGINATION_LIMIT_EXCEEDED':
      return make(
        text,
        'Past 2,000 records Zoho pages only with page_token; this is a bug in aep-zoho: please report it.',
      );
    default:
      break;
  }
  switch (code) {
    case 'EXPIRED_VALUE':
    case 'TOKEN_BOUND_DATA_MISMATCH':
      if (about === 'page_token')
        return make(
          text,
          'The page token expired or no longer matches the request: start again from the cursor (re-running is safe).',
          'ZOHO_PAGE_TOKEN_INVALID',
        );
      break;
    case 'PAGINATION_LIMIT_EXCEEDED':
      return make(
        text,
        "Zoho's page tokens reach only 100,000 records; sync walks modules with Zoho's query API (COQL) instead, which has no such reach. Run 'aep-zoho sync' again; if this comes from another read, report it as a bug in aep-zoho.",
        'ZOHO_PAGINATION_LIMIT',
      );
    case 'SYNTAX_ERROR':
    case 'INVALID_QUERY':
    case 'INVALID_ALIAS':
    case 'DUPLICATE_DATA':
      if (column)
        return make(
          text,
          `Zoho's query API does not take the field ${column} of ${call.module ?? 'this module'}: check the template's field names against 'aep-zoho explore ${call.module ?? '<module>'} --via http-api' (a field may have been renamed or deleted in Zoho, or be of a type COQL cannot select).`,
        );
      return make(
        text,
        'Zoho refused the query aep-zoho built: this is a bug in aep-zoho; please report it with the output of --debug (the token is never shown). The cursor is kept: nothing is lost.',
      );
    default:
      break;
  }
  if (about === 'page_token')
    return make(
      text,
      'The page token expired or is unknown: start again from the cursor (re-running is safe).',
      'ZOHO_PAGE_TOKEN_INVALID',
    );
  if (about === 'fields')
    return make(
      text,
      `Check the field names against 'aep-zoho explore ${call.module ?? '<module>'} --via http-api' (a template may name a field that was renamed or deleted in Zoho).`,
    );
  if (call.status === 429)
    return make(
      text,
      `Zoho kept throttling after the retries: lower ZOHO_MAX_IN_FLIGHT to your edition's concurrency limit (free 5, standard 10, professional 15, enterprise 20) and run again.`,
      'ZOHO_THROTTLED',
    );
  if (call.status >= 500) return make(text, 'Zoho had a server error; run again later (re-running is safe).');
  return make(
    text,
    'Zoho rejected the request; the message names the parameter. Run with --debug to see the request (the token is never shown).',
  );
}

// --- Modules and fields as explore's tables and columns (explore, dataflow create and templates on the http-api path)

/** The path of a module on Zoho's API, below the API domain (matchTable finds a table by it too). */
export const zohoTablePath = (module: string) => `crm/v8/${module}`;

/** The modules Zoho's API serves (api_supported), as tables: name = API name, sorted by name. */
export async function zohoTables(crm: ZohoCrm): Promise<TableRef[]> {
  return (await crm.modules()).map((m) => ({
    name: m.apiName,
    path: zohoTablePath(m.apiName),
    canPreview: true,
    canFetchSchema: true,
  }));
}

const LOOKUP_PARTS: Record<string, string[]> = {
  ownerlookup: ['name', 'id', 'email'],
  userlookup: ['name', 'id', 'email'],
};

/**
 * A Zoho field as an explore column, typed as Adobe's explore types the same columns (so templates
 * and xdmType() read both alike): lookups are objects ({name, id}, plus email for users).
 */
export function zohoColumn(field: ZohoField): ExploreColumn {
  const meta = { originalType: field.dataType, ...(field.lookupModule ? { lookupModule: field.lookupModule } : {}) };
  const name = field.apiName;
  switch (field.dataType) {
    case 'integer':
    case 'bigint':
      return { name, type: 'integer', xdm: { type: 'integer' }, meta };
    case 'double':
    case 'currency':
    case 'decimal':
    case 'percent':
      return { name, type: 'double', xdm: { type: 'number' }, meta };
    case 'boolean':
      return { name, type: 'boolean', xdm: { type: 'boolean' }, meta };
    case 'date':
      return { name, type: 'string', 'meta:xdmType': 'date', xdm: { type: 'string', format: 'date' }, meta };
    case 'datetime':
      return { name, type: 'string', 'meta:xdmType': 'date-time', xdm: { type: 'string', format: 'date-time' }, meta };
    default:
      break;
  }
  if (field.jsonType === 'jsonobject' || field.dataType === 'lookup' || field.dataType in LOOKUP_PARTS) {
    const parts = LOOKUP_PARTS[field.dataType] ?? ['name', 'id'];
    return {
      name,
      type: 'object',
      'meta:xdmType': 'object',
      xdm: {
        type: 'object',
        properties: Object.fromEntries(parts.map((p) => [p, { type: 'string' }])),
      } as ExploreColumn['xdm'],
      meta,
    };
  }
  if (field.jsonType === 'jsonarray') return { name, type: 'array', xdm: { type: 'array' }, meta };
  return { name, type: 'string', xdm: { type: 'string' }, meta };
}

/** A module's columns: `id` (every record carries it) and its fields; a UserError when Zoho gives no metadata (204). */
export async function zohoColumns(crm: ZohoCrm, module: string): Promise<ExploreColumn[]> {
  const fields = await crm.fields(module);
  if (!fields) {
    throw new UserError(
      `Zoho CRM gives no field metadata for module ${module} (HTTP 204: the metadata is inaccessible to this user).`,
      {
        hint: 'Check that the Zoho user who granted the tokens may read this module (and that the tokens have the ZohoCRM.settings.fields.READ scope), or choose another module.',
      },
    );
  }
  const id: ExploreColumn = { name: 'id', type: 'string', xdm: { type: 'string' }, meta: { originalType: 'bigint' } };
  return [...(fields.some((f) => f.apiName === 'id') ? [] : [id]), ...fields.map(zohoColumn)];
}

/** A module's first `limit` records for a preview: one call, the first 50 columns (Zoho's per-call limit; `id` comes anyway), oldest change first. */
export async function zohoPreview(
  crm: ZohoCrm,
  module: string,
  columns: ExploreColumn[],
  limit: number,
): Promise<Array<Record<string, unknown>>> {
  const fields = columns
    .map((c) => c.name)
    .filter((n) => n !== 'id')
    .slice(0, MAX_FIELDS_PER_CALL);
  return (await crm.records(module, { fields, perPage: limit })).records.slice(0, limit);
}
