// Zoho CRM's REST API v8, the part aep-zoho reads after Adobe's Zoho source is gone
// (aep-fallback.md §3): module and field metadata, records, deleted records. Served from the
// emulator's LiveCrm (zoho-live.ts) with `Authorization: Zoho-oauthtoken <token>`, where the token
// must be a live access token the emulated accounts server issued.
//
// What it follows, and what it chose where the sources are silent (UNVERIFIED in aep-fallback.md):
// - GET /crm/v8/{module}: `fields` is mandatory, at most 50 (v3/v5 get-records.html); `per_page`
//   at most 200; `page` and `page_token` not together; `page` stops at the first 2,000 records with
//   DISCRETE_PAGINATION_LIMIT_EXCEEDED (airbytehq/airbyte#30977, the exact body); `sort_by` is id,
//   Created_Time or Modified_Time, `sort_order` asc|desc with desc the default (Kaizen #29);
//   `If-Modified-Since` keeps records modified at or after it (inclusive, as Airbyte observed) and
//   answers 304 with no body when there are none; an empty module is 204. `ids` (≤ 100) reads
//   just those records, without paging. Every record carries
//   `id`; lookups are objects ({name, id}, plus email on user lookups).
// - Page tokens as Zoho's v8 OAS gives them (zoho/crm-oas v8.0 getRecords examples): consecutive
//   tokens reach 100,000 records, then PAGINATION_LIMIT_EXCEEDED; an expired one is EXPIRED_VALUE
//   (`details.api_name: "page_token"`); one that is unknown or sent with other parameters is
//   TOKEN_BOUND_DATA_MISMATCH. How a token behaves while records change is not documented: the
//   emulator takes the worst reading, a position in the sorted list (a record edited during a walk
//   moves to the end and the next record slides into a page already read). A token lives 24 h
//   (`page_token_expiry`; the real lifetime is unverified).
// - POST /crm/v8/coql: the Query API (zoho-coql.ts).
// - PUT /crm/v8/{module} and DELETE /crm/v8/{module}?ids= (record.json "Update Records", "Delete
//   Records"; at most 100 each): a CRM user's edits, made from outside against a running emulator.
//   Each record is answered in turn (Success_Response or API_Exception); the status when some fail
//   is not documented: 200 when one went through, else 400. Fields Zoho keeps (id, Created_*,
//   Modified_*) and names the module lacks are left out of an update, not refused.
// - GET /crm/v8/{module}/deleted: `type` all|recycle|permanent (default all), `page`/`per_page`
//   (≤ 200), If-Modified-Since on `deleted_time` (get-deleted-records.html, SDK 8). Oldest first.
// - GET /crm/v8/settings/modules/{module}, GET /crm/v8/{module}/{id}, GET /crm/v8/{module}/actions/count
//   and GET /crm/v8/users?type=CurrentUser, which Zoho's Node SDK 8.0 calls (getModuleByAPIName,
//   getRecord, recordCount, and the token store's user lookup); paths as in Zoho's OAS
//   (github.com/zoho/crm-oas v8.0 modules.json, record.json, record_count.json, users.json). A record
//   id that names no record is 204 (unverified; Zoho's OAS gives only the 200).
// - Field metadata carries what Zoho's does (fields.json; the SDK's Fields class): data_type,
//   json_type, length, decimal_place, pick_list_values ({display_value, actual_value, id,
//   sequence_number, reference_value, type}; -None- first) and lookup ({display_label, api_name,
//   module: {api_name, id}, id}). Lengths are Zoho's usual defaults per type (our choice).
// - Error bodies are Zoho's `{code, details, message, status: "error"}`. The exact words for
//   the 50-field limit, a bad page token and a bad parameter are not documented: the emulator
//   uses LIMIT_EXCEEDED / INVALID_DATA with the parameter named in `details`.
import type { EmuRequest, EmuResponse, RouteSpec, Router } from '../router.js';
import { ID_PREFIX, zohoDateTime, type CrmTable, type FieldType } from '../zoho-crm.js';
import type { LiveCrm } from '../zoho-live.js';
import type { ServiceContext } from './context.js';
import {
  COQL_READ,
  moduleReadScope,
  moduleWriteScope,
  scopesCover,
  SETTINGS_FIELDS_READ,
  SETTINGS_MODULES_READ,
} from '../zoho-scopes.js';
import { zohoAccessTokenProblem, zohoGrantedScope } from './zoho-accounts.js';
import { answerCoql } from './zoho-coql.js';

export const CRM_API = '/crm/v8';
export const MAX_FIELDS = 50;
export const MAX_PER_PAGE = 200;
/** Record ids one `ids` read takes. */
export const MAX_IDS = 100;
/** "You can only get the first 2000 records without using page_token param". */
export const PAGE_LIMIT = 2000;
const PAGE_TOKEN_LIFETIME_MS = 24 * 3600_000;
/** "Consecutive page tokens can be used to navigate through up to 100,000 records" (v8 getRecords). */
export const PAGE_TOKEN_REACH = 100_000;

/** Zoho's modules without API support, as settings/modules lists them (api_supported: false). */
const UNSUPPORTED_MODULES = ['Home', 'Reports', 'Dashboards', 'Forecasts', 'Feeds'];

/** Which module each lookup field points to (What_Id is Zoho's multi-module lookup; here Deals). */
export const LOOKUP_TARGETS: Record<string, string> = {
  Parent_Account: 'Accounts',
  Account_Name: 'Accounts',
  Account: 'Accounts',
  Reporting_To: 'Contacts',
  Contact_Name: 'Contacts',
  Contact: 'Contacts',
  Who_Id: 'Contacts',
  Campaign_Source: 'Campaigns',
  Parent_Campaign: 'Campaigns',
  What_Id: 'Deals',
  Product: 'Products',
};

const JSON_TYPES: Record<FieldType, string> = {
  text: 'string',
  email: 'string',
  phone: 'string',
  website: 'string',
  picklist: 'string',
  textarea: 'string',
  integer: 'integer',
  double: 'double',
  currency: 'double',
  boolean: 'boolean',
  date: 'string',
  datetime: 'string',
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
};

export const zohoApiError = (
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): EmuResponse => ({
  status,
  body: { code, details, message, status: 'error' },
});

/** A token without the scope a call needs (zoho/crm-oas v8.0: 401, "invalid oauth scope to access this URL"). */
const scopeMismatch = (): EmuResponse =>
  zohoApiError(401, 'OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL');

const SORTABLE = ['id', 'Created_Time', 'Modified_Time'] as const;
type SortField = (typeof SORTABLE)[number];

interface PageToken {
  module: string;
  sortBy: SortField;
  sortOrder: 'asc' | 'desc';
  since?: number;
  /** The fields and page size the token was made for (another value is TOKEN_BOUND_DATA_MISMATCH). */
  fields: string;
  perPage: number;
  /** Records already given: the next page starts at this position of the list as it is then. */
  offset: number;
  page: number;
  expiresAt: number;
}

/** The Zoho CRM API's own state: the emulator's context, the CRM, and the page tokens it gave out. */
interface ZohoApi {
  ctx: ServiceContext;
  crm: LiveCrm;
  pageTokens: Map<string, PageToken>;
  /** Page tokens issued so far (part of each token, so none repeats). */
  issued: number;
}

/** A route of Zoho's API: the scopes it needs (each entry a list of alternatives, zoho-scopes.ts) and its handler. */
interface ZohoRoute extends RouteSpec<ZohoApi> {
  needs: (api: ZohoApi, req: EmuRequest) => string[][];
}

/** The module scope reading `module` needs (a module the CRM lacks needs its own name's scope). */
const moduleScope = (api: ZohoApi, module: string): string[] =>
  moduleReadScope(module, api.crm.table(module)?.custom ?? false);
const moduleRecords = (api: ZohoApi, req: EmuRequest) => [moduleScope(api, req.params.module)];
const moduleWrite = (operation: 'UPDATE' | 'DELETE') => (api: ZohoApi, req: EmuRequest) => [
  moduleWriteScope(req.params.module, api.crm.table(req.params.module)?.custom ?? false, operation),
];
/** Users and the organization: Zoho's users/org scopes, which the emulator does not check (the SDK reads them). */
const unchecked = () => [];

/**
 * Zoho's CRM API v8 as a route table. Every route takes `Authorization: Zoho-oauthtoken <token>` with a
 * live access token the accounts server issued, whose grant covers `needs` (tokens no grant made here
 * carry no scope and are not checked). Records can be updated and deleted too, as a CRM user edits
 * them, so a sync's changes can be made from outside (aep-zoho itself only reads).
 */
export const ZOHO_CRM_ROUTES: readonly ZohoRoute[] = [
  // COQL: "ZohoCRM.coql.READ and ZohoCRM.modules.all or ZohoCRM.modules.{module_name}.{operation_type}"
  // (v8 select-api-scopes.html); the FROM module's scope is checked in runCoql.
  { method: 'POST', path: `${CRM_API}/coql`, needs: () => [COQL_READ], handle: runCoql },
  { method: 'GET', path: `${CRM_API}/settings/modules`, needs: () => [SETTINGS_MODULES_READ], handle: listModules },
  { method: 'GET', path: `${CRM_API}/settings/fields`, needs: () => [SETTINGS_FIELDS_READ], handle: listFields },
  { method: 'GET', path: `${CRM_API}/users`, needs: unchecked, handle: listUsers },
  { method: 'GET', path: `${CRM_API}/org`, needs: unchecked, handle: getOrg },
  {
    method: 'GET',
    path: `${CRM_API}/settings/modules/:module`,
    needs: () => [SETTINGS_MODULES_READ],
    handle: getModule,
  },
  { method: 'GET', path: `${CRM_API}/:module/deleted`, needs: moduleRecords, handle: listDeleted },
  { method: 'GET', path: `${CRM_API}/:module/actions/count`, needs: moduleRecords, handle: countRecords },
  { method: 'GET', path: `${CRM_API}/:module`, needs: moduleRecords, handle: listRecords },
  { method: 'GET', path: `${CRM_API}/:module/:id`, needs: moduleRecords, handle: getRecord },
  { method: 'PUT', path: `${CRM_API}/:module`, needs: moduleWrite('UPDATE'), handle: updateRecords },
  { method: 'DELETE', path: `${CRM_API}/:module`, needs: moduleWrite('DELETE'), handle: deleteRecords },
];

export function registerZohoCrmApi(router: Router, ctx: ServiceContext, crm: LiveCrm): void {
  const api: ZohoApi = { ctx, crm, pageTokens: new Map(), issued: 0 };
  router.mount(
    ZOHO_CRM_ROUTES.map((route) => ({ ...route, handle: authorized(route) })),
    api,
  );
}

/** The token of `Authorization: Zoho-oauthtoken <token>`. */
const tokenOf = (req: EmuRequest) =>
  /^Zoho-oauthtoken\s+(\S+)$/i.exec(String(req.headers.authorization ?? '').trim())?.[1];

/** The route's handler behind Zoho's token and scope checks. */
const authorized =
  (route: ZohoRoute) =>
  (api: ZohoApi, req: EmuRequest): EmuResponse | Promise<EmuResponse> => {
    const token = tokenOf(req);
    if (!token) return zohoApiError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed');
    if (zohoAccessTokenProblem(api.ctx, token)) return zohoApiError(401, 'INVALID_TOKEN', 'invalid oauth token');
    const granted = zohoGrantedScope(api.ctx, token);
    if (granted !== undefined && !scopesCover(granted, route.needs(api, req))) return scopeMismatch();
    return route.handle(api, req);
  };

function runCoql(api: ZohoApi, req: EmuRequest): EmuResponse {
  const granted = zohoGrantedScope(api.ctx, tokenOf(req) ?? '');
  return answerCoql(req, api.crm, LOOKUP_TARGETS, (module) =>
    granted === undefined || scopesCover(granted, [moduleScope(api, module)]) ? undefined : scopeMismatch(),
  );
}

const invalidModule = () =>
  zohoApiError(400, 'INVALID_MODULE', 'the module name given seems to be invalid', { resource_path_index: 0 });

/** GET /settings/modules: every module, api_supported on the CRM's tables, not on Home, Reports… */
function listModules(api: ZohoApi): EmuResponse {
  return {
    status: 200,
    body: {
      modules: [
        ...api.crm.tables().map((table, i) => moduleInfo(table.name, table.label, table.custom, i, true)),
        ...UNSUPPORTED_MODULES.map((name, i) => moduleInfo(name, name, false, 50 + i, false)),
      ],
    },
  };
}

/** GET /settings/fields?module=: the module's fields as Zoho describes them. */
function listFields(api: ZohoApi, req: EmuRequest): EmuResponse {
  const module = req.query.get('module');
  if (!module)
    return zohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param: 'module',
    });
  if (UNSUPPORTED_MODULES.includes(module)) return { status: 204 }; // metadata inaccessible (aep-fallback.md §3.2)
  const table = api.crm.table(module);
  if (!table) return invalidModule();
  const moduleIndex = api.crm.tables().indexOf(table);
  const fields = table.columns
    .filter((column) => column.name !== 'id')
    .map((column, i) => fieldInfo(table, column.name, moduleIndex, i));
  return { status: 200, body: { fields } };
}

/** Zoho's users API: `type` picks the users (users.json); CurrentUser is the token's own user. */
function listUsers(api: ZohoApi, req: EmuRequest): EmuResponse {
  const type = req.query.get('type') ?? 'AllUsers';
  if (!USER_TYPES.includes(type)) return invalidParam('type', `type must be one of ${USER_TYPES.join(', ')}`);
  const all = api.crm.users();
  const chosen =
    type === 'CurrentUser'
      ? all.slice(0, 1)
      : ['DeactiveUsers', 'NotConfirmedUsers', 'DeletedUsers'].includes(type)
        ? []
        : all;
  if (!chosen.length) return { status: 204 };
  return {
    status: 200,
    body: {
      users: chosen.map((user, i) => userInfo(user, i === 0 && all[0] === user)),
      info: { per_page: 200, count: chosen.length, page: 1, more_records: false },
    },
  };
}

/** The organization (org.json), which the SDK reads for its token store's user key (zgid). */
function getOrg(api: ZohoApi): EmuResponse {
  return {
    status: 200,
    body: {
      org: [
        {
          id: zohoId(1001),
          company_name: 'Emulated CRM',
          primary_email: api.crm.users()[0]?.email ?? null,
          primary_zuid: '700000001',
          zgid: '700000002',
          domain_name: 'org700000002',
          alias: null,
          country_code: 'US',
          currency: 'US Dollar - USD',
          currency_symbol: '$',
          iso_code: 'USD',
          currency_locale: 'en_US',
          time_zone: ORG_TIME_ZONE,
          max_per_page: MAX_PER_PAGE,
          type: 'production',
          mc_status: false,
          gapps_enabled: false,
          translation_enabled: false,
          hipaa_compliance_enabled: false,
          lite_users_enabled: false,
        },
      ],
    },
  };
}

/** GET /settings/modules/{module}: one module (modules.json). */
function getModule(api: ZohoApi, req: EmuRequest): EmuResponse {
  const tables = api.crm.tables();
  const index = tables.findIndex((table) => table.name === req.params.module);
  if (index >= 0) {
    const table = tables[index];
    return { status: 200, body: { modules: [moduleInfo(table.name, table.label, table.custom, index, true)] } };
  }
  const unsupported = UNSUPPORTED_MODULES.indexOf(req.params.module);
  if (unsupported >= 0)
    return {
      status: 200,
      body: { modules: [moduleInfo(req.params.module, req.params.module, false, 50 + unsupported, false)] },
    };
  return invalidModule();
}

/** GET /{module}/deleted: deleted records, oldest first, `type` all|recycle|permanent. */
function listDeleted(api: ZohoApi, req: EmuRequest): EmuResponse {
  const table = api.crm.table(req.params.module);
  if (!table) return invalidModule();
  const type = req.query.get('type') ?? 'all';
  if (!['all', 'recycle', 'permanent'].includes(type))
    return invalidParam('type', `type must be all, recycle or permanent, not '${type}'`);
  const paging = pageParams(req);
  if ('status' in paging) return paging;
  const since = ifModifiedSince(req);
  if (typeof since === 'object') return since;
  const entries = api.crm
    .deleted(table.name)
    .filter(
      (entry) =>
        (type === 'all' || entry.type === type) && (since === undefined || Date.parse(entry.deleted_time) >= since),
    );
  if (!entries.length) return { status: since === undefined ? 204 : 304 };
  const start = (paging.page - 1) * paging.perPage;
  const data = entries.slice(start, start + paging.perPage);
  if (!data.length) return { status: 204 };
  return {
    status: 200,
    body: {
      data,
      info: {
        per_page: paging.perPage,
        count: data.length,
        page: paging.page,
        more_records: start + data.length < entries.length,
      },
    },
  };
}

/** GET /{module}/actions/count → {"count": n} (zoho/crm-oas v8.0; aep-fallback.md §5.2); with If-Modified-Since, the records modified at or after it (on Zoho UNVERIFIED). */
function countRecords(api: ZohoApi, req: EmuRequest): EmuResponse {
  const table = api.crm.table(req.params.module);
  if (!table) return invalidModule();
  const since = ifModifiedSince(req);
  if (typeof since === 'object') return since;
  const count = api.crm
    .rows(table.name)
    .filter((row) => since === undefined || Date.parse(String(row.Modified_Time)) >= since).length;
  return { status: 200, body: { count } };
}

/** GET /{module}: records, `fields` required, paged by `page` (2,000 records) or `page_token` (100,000), or just `ids`. */
function listRecords(api: ZohoApi, req: EmuRequest): EmuResponse {
  const table = api.crm.table(req.params.module);
  if (!table) return invalidModule();
  const fieldsParam = req.query.get('fields');
  if (!fieldsParam?.trim())
    return zohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param_name: 'fields',
    });
  const fields = fieldsParam
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (fields.length > MAX_FIELDS)
    return zohoApiError(400, 'LIMIT_EXCEEDED', `you can include a maximum of ${MAX_FIELDS} field API names`, {
      param_name: 'fields',
      limit: MAX_FIELDS,
    });
  const known = new Set(table.columns.map((column) => column.name));
  const unknown = fields.find((name) => !known.has(name));
  if (unknown) return zohoApiError(400, 'INVALID_DATA', 'invalid data', { param_name: 'fields', api_name: unknown });
  // `ids` (GetRecordsParam in SDK 8): these records only, at most 100, with the fields asked for;
  // no paging. The limit of 100 is the one Zoho's get-records page gives for `ids`.
  const idsText = req.query.get('ids');
  if (idsText !== null) return recordsByIds(api, req, table, fields, idsText);
  const perPage = intParam(req, 'per_page', 1, MAX_PER_PAGE, MAX_PER_PAGE);
  if (typeof perPage === 'object') return perPage;
  const tokenText = req.query.get('page_token');
  if (tokenText !== null && req.query.has('page'))
    return zohoApiError(400, 'INVALID_REQUEST', "page cannot be used with the 'page_token' param", {
      param_name: 'page',
    });

  const cursor =
    tokenText !== null
      ? storedCursor(api, req, table, fieldsParam, perPage, tokenText)
      : newCursor(req, table, fieldsParam, perPage);
  if (!isCursor(cursor)) return cursor;
  const view = api.crm.sortedBy(table.name, cursor.sortBy);
  let order = view.rows;
  if (cursor.sortOrder === 'desc') order = [...order].reverse();
  const matching =
    cursor.since === undefined ? order : order.filter((row) => Date.parse(String(row.Modified_Time)) >= cursor.since!);
  if (!matching.length) return { status: cursor.since === undefined ? 204 : 304 };
  // Positional: the list as it is now, from the number of records already given.
  const start = cursor.offset;
  const end = tokenText !== null ? start + perPage : Math.min(start + perPage, PAGE_LIMIT);
  const slice = matching.slice(start, end).map((row) => ({ row }));
  if (!slice.length) return { status: 204 };
  const more = start + slice.length < matching.length;
  const page = tokenText !== null ? cursor.page + 1 : cursor.page;
  let next: string | null = null;
  const expiresAt = api.ctx.now() + PAGE_TOKEN_LIFETIME_MS;
  if (more) {
    next = `${(++api.issued).toString(36)}${Math.random().toString(36).slice(2, 12)}`;
    api.pageTokens.set(next, { ...cursor, offset: start + slice.length, page, expiresAt });
  }
  const data = slice.map(({ row }) => project(row, fields));
  return {
    status: 200,
    body: {
      data,
      info: {
        per_page: perPage,
        next_page_token: next,
        count: data.length,
        sort_by: cursor.sortBy,
        page,
        previous_page_token: tokenText,
        page_token_expiry: next ? zohoDateTime(expiresAt) : null,
        sort_order: cursor.sortOrder,
        more_records: more,
      },
    },
  };
}

/** The records `ids` names (at most 100), with the fields asked for; no paging. */
function recordsByIds(api: ZohoApi, req: EmuRequest, table: CrmTable, fields: string[], idsText: string): EmuResponse {
  const ids = idsText
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (!ids.length) return invalidParam('ids', 'ids must name at least one record id');
  if (ids.length > MAX_IDS)
    return zohoApiError(400, 'LIMIT_EXCEEDED', `you can give at most ${MAX_IDS} ids`, {
      param_name: 'ids',
      limit: MAX_IDS,
    });
  if (req.query.has('page') || req.query.has('page_token'))
    return zohoApiError(400, 'INVALID_REQUEST', 'ids cannot be used with page or page_token', {
      param_name: 'ids',
    });
  const wanted = new Set(ids);
  const data = api.crm
    .sortedBy(table.name, 'id')
    .rows.filter((row) => wanted.has(String(row.id)))
    .map((row) => project(row, fields));
  if (!data.length) return { status: 204 };
  return {
    status: 200,
    body: { data, info: { per_page: data.length, count: data.length, page: 1, more_records: false } },
  };
}

/** The cursor a page token stands for, or Zoho's refusal (bound to other parameters, expired, past its reach). */
function storedCursor(
  api: ZohoApi,
  req: EmuRequest,
  table: CrmTable,
  fieldsParam: string,
  perPage: number,
  tokenText: string,
): PageToken | EmuResponse {
  const stored = api.pageTokens.get(tokenText);
  // The v8 OAS's bodies (getRecords examples: tokenbounddatamismatch, expiredvalue, paginationlimitexceeded).
  if (
    !stored ||
    stored.module !== table.name ||
    stored.fields !== fieldsParam ||
    stored.perPage !== perPage ||
    ['sort_by', 'sort_order'].some(
      (name) => req.query.has(name) && req.query.get(name) !== stored[name === 'sort_by' ? 'sortBy' : 'sortOrder'],
    )
  )
    return zohoApiError(
      400,
      'TOKEN_BOUND_DATA_MISMATCH',
      'The page_token given seems to be invalid or input param is added or altered or deleted',
      { param_name: 'page_token' },
    );
  if (stored.expiresAt <= api.ctx.now())
    return zohoApiError(400, 'EXPIRED_VALUE', 'Page token expired', {
      api_name: 'page_token',
      json_path: '$.query.page_token',
    });
  if (stored.offset >= PAGE_TOKEN_REACH)
    return zohoApiError(
      400,
      'PAGINATION_LIMIT_EXCEEDED',
      `You can only get upto ${PAGE_TOKEN_REACH} records using page_token param`,
      { param_name: 'page_token' },
    );
  return stored;
}

/** A first page's cursor from `sort_by`, `sort_order`, If-Modified-Since and `page`, or the refusal of a bad one. */
function newCursor(req: EmuRequest, table: CrmTable, fieldsParam: string, perPage: number): PageToken | EmuResponse {
  const sortBy = req.query.get('sort_by') ?? 'id';
  if (!(SORTABLE as readonly string[]).includes(sortBy))
    return zohoApiError(400, 'INVALID_DATA', `sort_by must be one of ${SORTABLE.join(', ')}`, {
      param_name: 'sort_by',
      supported_values: [...SORTABLE],
    });
  const sortOrder = req.query.get('sort_order') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') return invalidParam('sort_order', 'sort_order must be asc or desc');
  const since = ifModifiedSince(req);
  if (typeof since === 'object') return since;
  const page = intParam(req, 'page', 1, Number.MAX_SAFE_INTEGER, 1);
  if (typeof page === 'object') return page;
  if ((page - 1) * perPage >= PAGE_LIMIT) {
    return zohoApiError(
      400,
      'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
      `You can only get the first ${PAGE_LIMIT} records without using page_token param`,
      { limit: PAGE_LIMIT },
    );
  }
  return {
    module: table.name,
    sortBy: sortBy as SortField,
    sortOrder,
    since,
    fields: fieldsParam,
    perPage,
    offset: (page - 1) * perPage,
    page,
    expiresAt: 0,
  };
}

const isCursor = (value: PageToken | EmuResponse): value is PageToken => 'module' in value;

/** One record (record.json `/crm/v8/{module_api_name}/{id}`): `fields` optional, every field when absent; `{data: [record]}`. */
function getRecord(api: ZohoApi, req: EmuRequest): EmuResponse {
  const table = api.crm.table(req.params.module);
  if (!table) return invalidModule();
  const id = req.params.id;
  if (!/^\d+$/.test(id))
    return zohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', { resource_path_index: 1 });
  const known = table.columns.map((column) => column.name).filter((name) => name !== 'id');
  const fieldsParam = req.query.get('fields');
  const fields = fieldsParam
    ? fieldsParam
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : known;
  if (fields.length > MAX_FIELDS)
    return zohoApiError(400, 'LIMIT_EXCEEDED', `you can include a maximum of ${MAX_FIELDS} field API names`, {
      param: 'fields',
      limit: MAX_FIELDS,
    });
  const unknown = fields.find((name) => !known.includes(name) && name !== 'id');
  if (unknown) return zohoApiError(400, 'INVALID_DATA', 'invalid data', { param: 'fields', api_name: unknown });
  const row = api.crm.record(table.name, id);
  if (!row) return { status: 204 };
  return { status: 200, body: { data: [project(row, fields)] } };
}

/** Fields a client never sets: Zoho keeps them itself, and ignores them in an update. */
const SYSTEM_FIELDS = ['id', 'Created_Time', 'Modified_Time', 'Created_By', 'Modified_By'];

/** One record's error in a write's `data` answer (record.json API_Exception). */
const recordError = (code: string, message: string, details: Record<string, unknown>) => ({
  code,
  details,
  message,
  status: 'error' as const,
});

/** The answer to a write of several records: 200 when one went through, else 400 (our reading). */
const writeAnswer = (data: Array<{ status: string }>): EmuResponse => ({
  status: data.some((entry) => entry.status === 'success') ? 200 : 400,
  body: { data },
});

/**
 * PUT /{module} (record.json "Update Records"): `{data: [{id, …fields}]}`, at most 100; each record
 * answered in turn. Fields that are not the module's, and those Zoho keeps, are left out.
 */
function updateRecords(api: ZohoApi, req: EmuRequest): EmuResponse {
  const table = api.crm.table(req.params.module);
  if (!table) return invalidModule();
  const data = (req.body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data) || !data.length)
    return zohoApiError(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'data' });
  if (data.length > MAX_IDS)
    return zohoApiError(400, 'LIMIT_EXCEEDED', `you can update a maximum of ${MAX_IDS} records`, {
      api_name: 'data',
      limit: MAX_IDS,
    });
  const writable = new Set(table.columns.map((c) => c.name).filter((name) => !SYSTEM_FIELDS.includes(name)));
  return writeAnswer(
    data.map((entry: Record<string, unknown> | null) => {
      const id = entry?.id;
      if (typeof id !== 'string' || !id)
        return recordError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'id' });
      if (!api.crm.record(table.name, id))
        return recordError('INVALID_DATA', 'the id given seems to be invalid', { api_name: 'id', id });
      const changes = Object.fromEntries(Object.entries(entry!).filter(([key]) => writable.has(key)));
      const row = api.crm.update(table.name, id, changes);
      const { Modified_Time, Modified_By, Created_Time, Created_By } = row;
      return {
        code: 'SUCCESS',
        details: { Modified_Time, Modified_By, Created_Time, id, Created_By },
        message: 'record updated',
        status: 'success',
      };
    }),
  );
}

/** DELETE /{module}?ids= (record.json "Delete Records"): at most 100, to the recycle bin (then in /deleted). */
function deleteRecords(api: ZohoApi, req: EmuRequest): EmuResponse {
  const table = api.crm.table(req.params.module);
  if (!table) return invalidModule();
  const ids = (req.query.get('ids') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (!ids.length)
    return zohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param: 'ids' });
  if (ids.length > MAX_IDS)
    return zohoApiError(400, 'LIMIT_EXCEEDED', `you can delete a maximum of ${MAX_IDS} records`, {
      param: 'ids',
      limit: MAX_IDS,
    });
  return writeAnswer(
    ids.map((id) => {
      if (!api.crm.record(table.name, id))
        return recordError('INVALID_DATA', 'the id given seems to be invalid', { api_name: 'id', id });
      api.crm.delete(table.name, id);
      return { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' };
    }),
  );
}

/** The records' fixed UTC offset (ORG_UTC_OFFSET, -05:00, no daylight saving) as a time zone id. */
const ORG_TIME_ZONE = 'EST';

/** Zoho's `type` values for GET /users (users.json). */
const USER_TYPES = [
  'AllUsers',
  'ActiveUsers',
  'DeactiveUsers',
  'ConfirmedUsers',
  'NotConfirmedUsers',
  'DeletedUsers',
  'ActiveConfirmedUsers',
  'AdminUsers',
  'ActiveConfirmedAdmins',
  'CurrentUser',
];

function userInfo(user: { name: string; id: string; email?: string }, admin: boolean): Record<string, unknown> {
  const [first, ...rest] = user.name.split(' ');
  return {
    id: user.id,
    full_name: user.name,
    first_name: first,
    last_name: rest.join(' ') || first,
    email: user.email ?? null,
    status: 'active',
    confirm: true,
    role: { name: admin ? 'CEO' : 'Manager', id: zohoId(2200 + (admin ? 0 : 1)) },
    profile: { name: admin ? 'Administrator' : 'Standard', id: zohoId(2210 + (admin ? 0 : 1)) },
    time_zone: ORG_TIME_ZONE,
    locale: 'en_US',
    country_locale: 'en_US',
  };
}

/** The fields asked for, `id` always, lookups as the objects Zoho returns (copies). */
function project(row: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const record: Record<string, unknown> = { id: row.id };
  for (const name of fields) {
    const value = row[name];
    record[name] = value && typeof value === 'object' ? { ...(value as object) } : value;
  }
  return record;
}

function invalidParam(param: string, message: string): EmuResponse {
  return zohoApiError(400, 'INVALID_DATA', message, { param_name: param });
}

function intParam(req: EmuRequest, name: string, min: number, max: number, fallback: number): number | EmuResponse {
  const text = req.query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max)
    return invalidParam(
      name,
      `${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`,
    );
  return value;
}

function pageParams(req: EmuRequest): { page: number; perPage: number } | EmuResponse {
  const perPage = intParam(req, 'per_page', 1, MAX_PER_PAGE, MAX_PER_PAGE);
  if (typeof perPage === 'object') return perPage;
  const page = intParam(req, 'page', 1, Number.MAX_SAFE_INTEGER, 1);
  if (typeof page === 'object') return page;
  return { page, perPage };
}

/** If-Modified-Since as an instant: ISO 8601 with seconds and an offset (or Z), e.g. 2019-07-25T15:26:49+05:30. */
function ifModifiedSince(req: EmuRequest): number | undefined | EmuResponse {
  const raw = req.headers['if-modified-since'];
  const text = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!text) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms))
    return zohoApiError(
      400,
      'INVALID_DATA',
      'the If-Modified-Since header must be an ISO 8601 date-time with an offset',
      { header: 'If-Modified-Since' },
    );
  return ms;
}

const zohoId = (n: number) => `${ID_PREFIX}${String(n).padStart(6, '0')}`;

function moduleInfo(
  name: string,
  label: string,
  custom: boolean,
  index: number,
  apiSupported: boolean,
): Record<string, unknown> {
  const singular = name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.replace(/s$/, '');
  return {
    id: zohoId(2175 + index),
    api_name: name,
    module_name: name,
    plural_label: label,
    singular_label: singular.replace(/_/g, ' '),
    generated_type: custom ? 'custom' : 'default',
    api_supported: apiSupported,
    creatable: apiSupported,
    editable: apiSupported,
    deletable: apiSupported,
    viewable: true,
    visible: true,
    status: 'visible',
  };
}

function fieldInfo(table: CrmTable, name: string, moduleIndex: number, index: number): Record<string, unknown> {
  const type = table.fieldTypes[name];
  const label = name.replace(/_/g, ' ');
  const target = type === 'lookup' ? LOOKUP_TARGETS[name] : undefined;
  return {
    id: zohoId(10_000 + moduleIndex * 100 + index),
    api_name: name,
    field_label: label,
    display_label: label,
    data_type: type,
    json_type: JSON_TYPES[type],
    system_mandatory: name === table.primaryField,
    read_only: ['Created_By', 'Created_Time', 'Modified_By', 'Modified_Time', 'Last_Activity_Time'].includes(name),
    custom_field:
      table.custom && !['Owner', 'Created_By', 'Created_Time', 'Modified_By', 'Modified_Time', 'Name'].includes(name),
    visible: true,
    length: FIELD_LENGTHS[type],
    decimal_place: type === 'double' || type === 'currency' ? 2 : null,
    pick_list_values: type === 'picklist' ? pickListValues(table, name, moduleIndex, index) : [],
    lookup: target
      ? {
          display_label: label,
          api_name: name,
          module: {
            api_name: target,
            id: zohoId(
              2175 +
                ['Accounts', 'Contacts', 'Leads', 'Campaigns', 'Products', 'Deals', 'Tasks', 'Subscriptions'].indexOf(
                  target,
                ),
            ),
          },
          id: zohoId(20_000 + moduleIndex * 100 + index),
        }
      : {},
  };
}

/** Zoho's usual field lengths per data type (the standard fields' `length` in settings/fields). */
const FIELD_LENGTHS: Record<FieldType, number> = {
  text: 255,
  email: 100,
  phone: 30,
  website: 255,
  picklist: 120,
  textarea: 32000,
  integer: 9,
  double: 16,
  currency: 16,
  boolean: 5,
  date: 20,
  datetime: 120,
  lookup: 120,
  ownerlookup: 120,
};

/** A picklist's values: -None- and every value its records hold, in order, as Zoho lists them. */
function pickListValues(
  table: CrmTable,
  name: string,
  moduleIndex: number,
  fieldIndex: number,
): Record<string, unknown>[] {
  const values = [
    ...new Set(table.rows.map((row) => row[name]).filter((v): v is string => typeof v === 'string')),
  ].sort();
  return ['-None-', ...values].map((value, i) => ({
    display_value: value,
    sequence_number: i + 1,
    reference_value: value,
    actual_value: value,
    id: zohoId(100_000 + moduleIndex * 10_000 + fieldIndex * 100 + i),
    type: 'used',
  }));
}
