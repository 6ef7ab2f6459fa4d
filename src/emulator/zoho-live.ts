// The CRM as Zoho's own REST API sees it (issue 15): the synthetic CRM of zoho-crm.ts, plus what
// happened in the org after Adobe's Zoho connector stopped reading it (its snapshot, CRM_SNAPSHOT):
//
// - A bulk import of BULK_ACCOUNTS accounts on 2025-07-14, written by Zoho's import tool a few
//   hundred records per second, so hundreds of records share each Created_Time/Modified_Time
//   second; a mass update on 2025-08-01 touched about a third of them in one second; some were
//   edited one by one later. Accounts so holds more than 2,000 records (the `page` limit).
// - Some of the imported accounts were deleted (recycle bin) or deleted permanently since.
//
// Everything is generated from a seed, lazily (only when a module is first read through the REST
// API), so the Flow Service side and the tests that never call Zoho pay nothing. Each emulator
// has its own LiveCrm: tests change it (update, create, delete) on the emulator's clock, and the
// REST API serves the changes (Modified_Time, If-Modified-Since, /deleted).
import {
  ACCOUNT_RATINGS,
  ACCOUNT_TYPES,
  COMPANY_FORMS,
  COMPANY_KINDS,
  COMPANY_STEMS,
  CRM_SEED,
  Gen,
  ID_PREFIX,
  INDUSTRIES,
  OWNERSHIPS,
  crmTables,
  phone,
  place,
  prng,
  slug,
  zohoDateTime,
  type CrmLookup,
  type CrmTable,
} from './zoho-crm.js';

type Row = Record<string, unknown>;

/** Imported accounts; with the 48 of the connector's snapshot Accounts holds 2,498 records. */
export const BULK_ACCOUNTS = 2450;
/** The import: 2025-07-14 10:00:00 in the org's zone (-05:00), 350 records a second. */
export const IMPORT_START = Date.UTC(2025, 6, 14, 15);
export const IMPORT_PER_SECOND = 350;
/** The mass update: 2025-08-01 09:30:00 -05:00, one second for every record it touched. */
export const MASS_UPDATE = Date.UTC(2025, 7, 1, 14, 30);
/** The newest edit among the generated records (later ones are the tests'). */
export const LIVE_UNTIL = Date.UTC(2025, 8, 30, 22);

/** An entry of GET /crm/v8/{module}/deleted (zohocrm-nodejs-sdk-8.0 record/deleted_record.js). */
export interface DeletedRecord {
  deleted_by: { name: string; id: string };
  id: string;
  display_name: string;
  type: 'recycle' | 'permanent';
  created_by: { name: string; id: string };
  deleted_time: string;
}

interface ModuleState {
  /** Current records in creation order. */
  rows: Row[];
  byId: Map<string, number>;
  deleted: DeletedRecord[];
  /** Bumped on every change, so sorted views can be cached. */
  version: number;
}

export class LiveCrm {
  private readonly modules = new Map<string, ModuleState>();
  private readonly sorted = new Map<string, { version: number; rows: Row[]; keys: number[] }>();
  private nextId = 900_001;
  private nextBulkId = 1;

  constructor(private readonly now: () => number) {}

  /** The modules Zoho's API serves records for: the synthetic CRM's tables. */
  tables(): CrmTable[] {
    return crmTables();
  }

  table(module: string): CrmTable | undefined {
    return crmTables().find((table) => table.name === module);
  }

  /** Current records of a module (not deleted), in creation order. Do not modify. */
  rows(module: string): readonly Row[] {
    return this.state(module).rows;
  }

  record(module: string, id: string): Row | undefined {
    const state = this.state(module);
    const index = state.byId.get(id);
    return index === undefined ? undefined : state.rows[index];
  }

  deleted(module: string): readonly DeletedRecord[] {
    return this.state(module).deleted;
  }

  /** The CRM's users, by id; the first is the one the API's tokens belong to (and who deletes). */
  users(): readonly CrmLookup[] {
    return team();
  }

  /** Records sorted by `field` (id, Created_Time or Modified_Time), ties by id; with numeric keys. */
  sortedBy(module: string, field: 'id' | 'Created_Time' | 'Modified_Time'): { rows: Row[]; keys: number[] } {
    const state = this.state(module);
    const cacheKey = `${module}\u0000${field}`;
    const cached = this.sorted.get(cacheKey);
    if (cached && cached.version === state.version) return cached;
    const keyed = state.rows.map((row) => ({
      row,
      key: field === 'id' ? 0 : Date.parse(String(row[field])),
      id: String(row.id),
    }));
    keyed.sort((a, b) => a.key - b.key || a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const view = { version: state.version, rows: keyed.map((k) => k.row), keys: keyed.map((k) => k.key) };
    this.sorted.set(cacheKey, view);
    return view;
  }

  /** Edits a record as a CRM user would: Modified_Time becomes now (whole seconds). */
  update(module: string, id: string, changes: Row): Row {
    const state = this.state(module);
    const index = state.byId.get(id);
    if (index === undefined) throw new Error(`LiveCrm: no ${module} record ${id}`);
    this.checkFields(module, changes);
    const row = {
      ...state.rows[index],
      ...changes,
      Modified_Time: zohoDateTime(this.second()),
      Modified_By: { ...this.user() },
    };
    state.rows[index] = row;
    state.version++;
    return row;
  }

  /** Adds a record (created and modified now); fields not given are null. */
  create(module: string, values: Row): Row {
    const table = this.table(module);
    if (!table) throw new Error(`LiveCrm: no module ${module}`);
    this.checkFields(module, values);
    const state = this.state(module);
    const now = zohoDateTime(this.second());
    const owner = this.user();
    const row: Row = Object.fromEntries(table.columns.map((column) => [column.name, null]));
    Object.assign(row, values, {
      id: `${ID_PREFIX}${this.nextId++}`,
      Owner: { ...owner },
      Created_By: { ...owner },
      Modified_By: { ...owner },
      Created_Time: now,
      Modified_Time: now,
    });
    state.byId.set(String(row.id), state.rows.push(row) - 1);
    state.version++;
    return row;
  }

  /**
   * Adds `count` records at once, as an import would (a test hook for walks past Zoho's 100,000
   * page-token reach): `values(i)` gives each one's fields; `modifiedAt(i)` its Created_Time and
   * Modified_Time (ms, whole seconds; default now). Fields not given are null.
   */
  bulkCreate(module: string, count: number, values: (i: number) => Row, modifiedAt?: (i: number) => number): void {
    const table = this.table(module);
    if (!table) throw new Error(`LiveCrm: no module ${module}`);
    const state = this.state(module);
    const owner = this.user();
    const blank: Row = Object.fromEntries(table.columns.map((column) => [column.name, null]));
    for (let i = 0; i < count; i++) {
      const given = values(i);
      this.checkFields(module, given);
      const at = zohoDateTime(modifiedAt ? Math.floor(modifiedAt(i) / 1000) * 1000 : this.second());
      const row: Row = {
        ...blank,
        ...given,
        // 19 digits like every Zoho id, in a range of their own (…0001xxxxxx).
        id: `${ID_PREFIX.slice(0, -1)}${1_000_000 + this.nextBulkId++}`,
        Owner: { ...owner },
        Created_By: { ...owner },
        Modified_By: { ...owner },
        Created_Time: at,
        Modified_Time: at,
      };
      state.byId.set(String(row.id), state.rows.push(row) - 1);
    }
    state.version++;
  }

  /** Deletes a record now: it leaves the records list and appears in /deleted. */
  delete(module: string, id: string, type: DeletedRecord['type'] = 'recycle'): DeletedRecord {
    const state = this.state(module);
    const index = state.byId.get(id);
    if (index === undefined) throw new Error(`LiveCrm: no ${module} record ${id}`);
    const [row] = state.rows.splice(index, 1);
    state.byId = indexById(state.rows);
    const entry = deletedEntry(this.table(module)!, row, this.user(), this.second(), type);
    state.deleted.push(entry);
    state.version++;
    return entry;
  }

  private second(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  private user(): CrmLookup {
    return team()[0];
  }

  private checkFields(module: string, values: Row): void {
    const known = new Set(this.table(module)!.columns.map((column) => column.name));
    const bad = Object.keys(values).filter(
      (key) => !known.has(key) || ['id', 'Created_Time', 'Modified_Time'].includes(key),
    );
    if (bad.length) throw new Error(`LiveCrm: ${module} has no writable field ${bad.join(', ')}`);
  }

  private state(module: string): ModuleState {
    let state = this.modules.get(module);
    if (!state) {
      const table = this.table(module);
      if (!table) throw new Error(`LiveCrm: no module ${module}`);
      const extra = module === 'Accounts' ? bulkAccounts() : { rows: [], deleted: [] };
      const rows = [...table.rows, ...extra.rows];
      state = { rows, byId: indexById(rows), deleted: [...extra.deleted], version: 0 };
      this.modules.set(module, state);
    }
    return state;
  }
}

function indexById(rows: Row[]): Map<string, number> {
  return new Map(rows.map((row, i) => [String(row.id), i]));
}

function deletedEntry(
  table: CrmTable,
  row: Row,
  by: CrmLookup,
  at: number,
  type: DeletedRecord['type'],
): DeletedRecord {
  const creator = row.Created_By as CrmLookup;
  return {
    deleted_by: { name: by.name, id: by.id },
    id: String(row.id),
    // Zoho gives no display name for permanently deleted records (get-deleted-records.html).
    display_name: type === 'permanent' ? '' : String(row[table.primaryField] ?? ''),
    type,
    created_by: { name: creator.name, id: creator.id },
    deleted_time: zohoDateTime(at),
  };
}

/** The CRM's six users, as the synthetic CRM's records name them, by id. */
let users: CrmLookup[] | undefined;
function team(): CrmLookup[] {
  if (!users) {
    const byId = new Map<string, CrmLookup>();
    for (const table of crmTables())
      for (const row of table.rows) byId.set((row.Owner as CrmLookup).id, { ...(row.Owner as CrmLookup) });
    users = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  return users;
}

let bulk: { rows: Row[]; deleted: DeletedRecord[] } | undefined;

/** The imported accounts (and the ones deleted since), generated once per process. Frozen. */
export function bulkAccounts(): { rows: readonly Row[]; deleted: readonly DeletedRecord[] } {
  if (bulk) return bulk;
  const g = new Gen(prng(CRM_SEED + 15));
  const table = crmTables().find((t) => t.name === 'Accounts')!;
  const people = team();
  const names = new Set(table.rows.map((row) => String(row.Account_Name)));
  let sequence = 500_001;
  const rows: Row[] = [];
  const deleted: DeletedRecord[] = [];
  for (let i = 0; i < BULK_ACCOUNTS; i++) {
    const createdAt = IMPORT_START + Math.floor(i / IMPORT_PER_SECOND) * 1000;
    const roll = g.next();
    const modifiedAt = roll < 0.55 ? createdAt : roll < 0.85 ? MASS_UPDATE : g.time(MASS_UPDATE + 1000, LIVE_UNTIL);
    const [stem, kind] = [g.pick(COMPANY_STEMS), g.pick(COMPANY_KINDS)];
    const where = place(g);
    let name = `${stem} ${kind} ${where.city} ${g.pick(COMPANY_FORMS)}`;
    for (let n = 2; names.has(name); n++) name = `${stem} ${kind} ${where.city} ${n}`;
    names.add(name);
    const ownership = g.pick(OWNERSHIPS);
    const owner = g.pick(people);
    const domain = `${slug(stem)}${slug(kind)}${slug(where.city)}${i}.com`;
    const values: Row = {
      id: `${ID_PREFIX}${(sequence += g.int(1, 9))}`,
      Account_Name: name,
      Account_Number: String(g.int(10_000_000, 99_999_999)),
      Account_Site: g.maybe(0.5, () => g.pick(['Headquarters', 'Branch', 'Regional Office'])),
      Parent_Account: null,
      Account_Type: g.pick(ACCOUNT_TYPES),
      Industry: g.pick(INDUSTRIES),
      Annual_Revenue: g.money(100_000, 50_000_000),
      Employees: g.int(2, 8_000),
      Ownership: ownership,
      Rating: g.maybe(0.6, () => g.pick(ACCOUNT_RATINGS)),
      SIC_Code: g.maybe(0.5, () => g.int(1000, 9999)),
      Ticker_Symbol: null,
      Website: `https://www.${domain}`,
      Phone: phone(g, where.dial),
      Fax: null,
      Billing_Street: where.street,
      Billing_City: where.city,
      Billing_State: where.state,
      Billing_Code: where.zip,
      Billing_Country: where.country,
      Shipping_Street: where.street,
      Shipping_City: where.city,
      Shipping_State: where.state,
      Shipping_Code: where.zip,
      Shipping_Country: where.country,
      Description: 'Imported from the 2025 trade-show lead list.',
      Owner: { ...owner },
      Created_By: { ...people[0] },
      Created_Time: zohoDateTime(createdAt),
      Modified_By: { ...(modifiedAt === createdAt ? people[0] : g.pick(people)) },
      Modified_Time: zohoDateTime(modifiedAt),
      Last_Activity_Time: modifiedAt === createdAt ? null : zohoDateTime(modifiedAt),
    };
    const row = Object.fromEntries(table.columns.map((column) => [column.name, values[column.name] ?? null]));
    // About one in a hundred imported accounts was deleted since (a few of them permanently).
    if (g.chance(0.01)) {
      const at = g.time(Math.max(modifiedAt, MASS_UPDATE) + 1000, LIVE_UNTIL);
      deleted.push(deletedEntry(table, row, g.pick(people), at, g.chance(0.2) ? 'permanent' : 'recycle'));
    } else {
      rows.push(row);
    }
  }
  deleted.sort((a, b) => Date.parse(a.deleted_time) - Date.parse(b.deleted_time));
  bulk = { rows: rows.map((row) => Object.freeze(row)), deleted: deleted.map((entry) => Object.freeze(entry)) };
  return bulk;
}
