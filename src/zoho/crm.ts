// Zoho CRM's REST API v8 as the http-api path reads it (aep-fallback.md §3, issue 15 "Reading Zoho
// correctly"): module and field metadata, a sync's walk of a module (walk(): COQL on a keyset of
// Modified_Time and id, no page token and no cap, coql.ts, docs/zoho-rules.md), records one page at
// a time for previews (page_token, sorted by Modified_Time, If-Modified-Since; more than 50 fields
// as several calls merged by id, chunks.ts), the deleted records, and the record count. Every
// call's credits are counted as Zoho's API-limits and COQL pages price them (docs/zoho-rules.md).
// All traffic goes through the one network stack (http/client.ts: proxies, timeouts, retries on
// 429/5xx with Retry-After, the body cap) and waits for one of at most ZOHO_MAX_IN_FLIGHT slots (5
// by default: the free edition's concurrency limit). Refusals become errors in errors.ts; explore's
// view of modules and fields is columns.ts.
import { DEFAULT_ZOHO_ENDPOINT, envValue, type Settings } from '../config/settings.js';
import type { Context } from '../core/context.js';
import { HttpClient, networkOptions, type NetworkOptions } from '../http/client.js';
import { Limiter } from '../http/limiter.js';
import { MAX_FIELDS_PER_CALL, fieldChunks, idGroups, mergeChunks } from './chunks.js';
import { COQL_LIMIT, SORT_FIELD, coqlCredits, walkFields, walkQuery, walkRecord, type WalkFrom } from './coql.js';
import { LOOKUP_PARTS } from './columns.js';
import { notJson, zohoError } from './errors.js';
import { modifiedSince } from './time.js';
import { ZohoTokenSource } from './token.js';

// What callers read from here, wherever it lives now.
export { MAX_FIELDS_PER_CALL, fieldChunks } from './chunks.js';
export { COQL_LIMIT, COQL_MAX_COLUMNS, coqlCredits, type WalkFrom } from './coql.js';
export { zohoColumn, zohoColumns, zohoPreview, zohoTablePath, zohoTables } from './columns.js';
export { zohoTime } from './time.js';

export const CRM_API = '/crm/v8';
export const MAX_PER_PAGE = 200;
/** The free edition's concurrency limit (Standard 10, Professional 15, Enterprise 20, Ultimate 25). */
export const DEFAULT_ZOHO_IN_FLIGHT = 5;

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

export interface WalkPage {
  /** Oldest change first: Modified_Time ascending, then id ascending. */
  records: Array<Record<string, unknown>>;
  more: boolean;
  cost: Cost;
  /** Zoho's clock when it answered (its Date header, ms): where the walk's live edge is. */
  clock?: number;
}

export interface ZohoCrmOptions {
  /** Zoho calls in flight at once (default ZOHO_MAX_IN_FLIGHT, else 5). */
  maxInFlight?: number;
  /**
   * Fields per records call, at most Zoho's 50. Only tests lower it: the emulator's modules have
   * fewer than 50 fields, and the merge by id is the same code whatever the chunk size.
   */
  fieldsPerCall?: number;
}

/** What one call sends besides its path and query, and what it is about. */
interface CallOptions {
  what?: About;
  headers?: Record<string, string>;
  /** The cost of the page this call is part of (calls and credits added to it). */
  cost?: Cost;
  /** A POST's body (a COQL query). */
  json?: unknown;
  /** What the call costs (1, a COQL query by its LIMIT). */
  credits?: number;
}

interface Answer {
  status: number;
  body: any;
  /** Zoho's clock when it answered (its Date header, ms), if it sent one. */
  clock?: number;
}

/** What a call is about, for its error: the module, and the call in words (COQL query, deleted records). */
interface About {
  module?: string;
  call?: string;
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

  /** Only the composition root (cli/services.ts) and tests open one; everything else asks the context's services. */
  static open(
    ctx: Pick<Context, 'env' | 'log' | 'signal' | 'now'>,
    settings: Settings,
    options: ZohoCrmOptions = {},
  ): ZohoCrm {
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
    const { body } = await this.get(`${CRM_API}/settings/modules`, new URLSearchParams());
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
    const { status, body } = await this.get(`${CRM_API}/settings/fields`, new URLSearchParams({ module }), {
      what: { module },
      cost,
    });
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
    const fields = walkFields(options.fields);
    const users = await this.userLookupsOf(module, cost);
    const query = walkQuery(module, fields, users, options.from ?? {}, limit);
    const { status, body, clock } = await this.request('POST', `${CRM_API}/coql`, new URLSearchParams(), {
      what: { module, call: 'COQL query' },
      cost,
      json: { select_query: query },
      credits: coqlCredits(limit),
    });
    const when = clock === undefined ? {} : { clock };
    if (status === 204 || status === 304) return { records: [], more: false, cost, ...when };
    const data: any[] = Array.isArray(body?.data) ? body.data : [];
    const records = data.map((row) => walkRecord(row, fields, users));
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
    // `id` always comes.
    const wanted = [...new Set(options.fields.map((f) => f.trim()).filter((f) => f && f !== 'id'))];
    const [firstChunk, ...otherChunks] = fieldChunks(wanted.length ? wanted : [SORT_FIELD], this.fieldsPerCall);
    const query = new URLSearchParams({
      fields: firstChunk.join(','),
      per_page: String(perPage),
      sort_by: SORT_FIELD,
      sort_order: 'asc',
    });
    if (options.pageToken) query.set('page_token', options.pageToken);
    const path = `${CRM_API}/${encodeURIComponent(module)}`;
    const first = await this.get(path, query, { what: { module }, headers: modifiedSince(options.since) });
    if (first.status === 304 || first.status === 204) return { records: [], more: false };
    const records: Array<Record<string, unknown>> = Array.isArray(first.body?.data) ? first.body.data : [];
    const info = first.body?.info ?? {};
    const page: RecordsPage = {
      records,
      more: info.more_records === true,
      ...(info.more_records === true && info.next_page_token ? { nextPageToken: String(info.next_page_token) } : {}),
    };
    if (!otherChunks.length || !records.length) return page;
    const groups = idGroups(records);
    const answers = await Promise.all(
      otherChunks.flatMap((fields) =>
        groups.map((group) =>
          this.get(path, new URLSearchParams({ fields: fields.join(','), ids: group.join(',') }), {
            what: { module },
          }),
        ),
      ),
    );
    const changed = mergeChunks(records, answers, otherChunks.length);
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
    const cost: Cost = { calls: 0, credits: 0 };
    const { status, body } = await this.get(`${CRM_API}/${encodeURIComponent(module)}/deleted`, query, {
      what: { module, call: 'deleted records' },
      headers: modifiedSince(options.since),
      cost,
    });
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
    const { status, body } = await this.get(
      `${CRM_API}/${encodeURIComponent(module)}/actions/count`,
      new URLSearchParams(),
      {
        what: { module },
        headers: modifiedSince(since),
      },
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
  private get(path: string, query: URLSearchParams, options: CallOptions = {}): Promise<Answer> {
    return this.request('GET', path, query, options);
  }

  /**
   * One call with the access token; a refused token (INVALID_TOKEN) is refreshed once and the call
   * resent. Counts the call and its credits.
   */
  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: URLSearchParams,
    options: CallOptions,
  ): Promise<Answer> {
    const { what = {}, headers = {}, cost, json, credits = 1 } = options;
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
          throw notJson(method, path, response.status, response.body);
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
