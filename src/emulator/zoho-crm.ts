// The synthetic Zoho CRM behind explore and dataflow runs: Zoho's standard modules plus one custom
// module, with Zoho's API field names and types (aep-api.md §15). Rows are generated from a seeded
// PRNG, so every run (and every emulator) sees the same records, ids and cross-references. The words
// it picks from (names, companies, places, picklist values) are data, in zoho-vocabulary.ts.
//
// Decisions (the real connector's behaviour is UNVERIFIED; these are the emulator's contract):
// - Table name vs path: `name` is the module's API name (`Accounts`, `Subscriptions`); `path` is
//   what Explore's `object=` and a source connection's `params.tableName` take; the name alone
//   fails. Paths and column shapes vary as Adobe's two explore pages show them (issue 12): most
//   modules answer as explore/tabular.md does, path `crm/v2/<API name>` and columns with an `xdm`
//   block; the CRM_PAGE_STYLE modules answer as explore/crm.md does, a lowercase path (`deals`,
//   like its `customeropportunityrole`) and columns `{ name, type, meta: { originalType } }` with
//   no `xdm` block, `type` the connector's raw type (`string`, `integer`, `double`, `boolean`,
//   `date`, `datetime`, `object`) and `originalType` Zoho's field type (`text`, `ownerlookup`…).
// - Lookups (Owner, Created_By, Modified_By, Account_Name, Contact_Name, Parent_Account, What_Id…)
//   stay one column each, of type object, as Zoho returns them: `{ name, id }`, plus `email` on
//   user lookups. Data Prep reaches the parts with its dot notation (`Owner.id`, `Account_Name.name`);
//   `sourcePaths()` lists every such path and `valueAt()` reads one from a row.
// - Values are what Zoho's records API returns: ids are 19-digit strings, date-times are ISO 8601
//   with the org's UTC offset (`2024-03-05T10:15:00-05:00`), dates `YYYY-MM-DD`, currency a number,
//   empty fields null. `Modified_Time` is every module's delta column.

import {
  ACCOUNT_RATINGS,
  ACCOUNT_TYPES,
  CAMPAIGN_STATUSES,
  CAMPAIGN_TOPICS,
  CAMPAIGN_TYPES,
  COMPANY_FORMS,
  COMPANY_KINDS,
  COMPANY_STEMS,
  DEAL_STAGES,
  DEPARTMENTS,
  DESCRIPTIONS,
  FIRST_NAMES,
  INDUSTRIES,
  LAST_NAMES,
  LEAD_RATINGS,
  LEAD_SOURCES,
  LEAD_STATUSES,
  MANUFACTURERS,
  NEXT_STEPS,
  OWNERSHIPS,
  PLACES,
  PLANS,
  PRODUCT_LINES,
  SALUTATIONS,
  SEASONS,
  STREETS,
  SUBSCRIPTION_STATUSES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TASK_SUBJECTS,
  TITLES,
} from './zoho-vocabulary.js';
export {
  COMPANY_STEMS,
  COMPANY_KINDS,
  COMPANY_FORMS,
  INDUSTRIES,
  ACCOUNT_TYPES,
  ACCOUNT_RATINGS,
  OWNERSHIPS,
} from './zoho-vocabulary.js';

/** An explore column: with an `xdm` block (explore/tabular.md) or with `meta.originalType` (explore/crm.md). */
export interface CrmColumn {
  name: string;
  type: string;
  xdm?: { type: string; format?: string; properties?: Record<string, { type: string }> };
  'meta:xdmType'?: string;
  meta?: { originalType: string };
}

export interface CrmTable {
  /** Display name in explore's root listing: the Zoho module's API name, e.g. Accounts. */
  name: string;
  /** What explore's `object=` and a source connection's `params.tableName` take. */
  path: string;
  columns: CrmColumn[];
  rows: Record<string, unknown>[];
  /** The module's plural label in Zoho's UI (same as the name for standard modules). */
  label: string;
  /** True for the org's own (custom) module. */
  custom: boolean;
  /** The field a lookup to this module shows as its `name` (Account_Name, Full_Name, …). */
  primaryField: string;
  /** The parts of each lookup column (`Owner` → name, id, email), whichever form its columns take. */
  lookups: Record<string, string[]>;
  /** Each column's Zoho data type, as Zoho's settings/fields API names it (`ownerlookup`, `currency`…). */
  fieldTypes: Record<string, FieldType>;
}

/** A Zoho lookup value as the records API returns it. */
export interface CrmLookup {
  name: string;
  id: string;
  email?: string;
}

export const CRM_SEED = 20250630;
export const DELTA_COLUMN = 'Modified_Time';
export const PATH_PREFIX = 'crm/v2/';
/** Modules explored as Adobe's CRM page shows tables: lowercase path, `meta.originalType` columns. Two are built-in templates' tables. */
export const CRM_PAGE_STYLE: ReadonlySet<string> = new Set(['Contacts', 'Deals', 'Products', 'Tasks']);
/** The org's time zone as a fixed UTC offset (US Eastern standard time); Zoho writes it on every date-time. */
export const ORG_UTC_OFFSET = '-05:00';
const OFFSET_MS = -5 * 3600_000;
/** Records were created from here… */
const START = Date.UTC(2023, 0, 2, 14);
/** …until this snapshot of the CRM (the month the Zoho source was retired). */
export const CRM_SNAPSHOT = Date.UTC(2025, 5, 27, 21);
const DAY = 86_400_000;
/** Zoho record ids: the org's 7-digit prefix, six zeros, then a sequence. */
export const ID_PREFIX = '4876876000000';

// ---------------------------------------------------------------- random source

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A value with two decimals, as Zoho stores currency. */
  money(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }
  /** Whole seconds: Zoho keeps no milliseconds. */
  time(from: number, to: number): number {
    return Math.floor((from + this.next() * Math.max(0, to - from)) / 1000) * 1000;
  }
  maybe<T>(p: number, value: () => T): T | null {
    return this.chance(p) ? value() : null;
  }
}

// ---------------------------------------------------------------- value formats

/** Zoho's date-time: ISO 8601 in the org's time zone, seconds, explicit offset. */
export function zohoDateTime(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19) + ORG_UTC_OFFSET;
}

/** Zoho's date: the calendar day in the org's time zone. */
export function zohoDate(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

export const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');

// ---------------------------------------------------------------- columns

/** Zoho's field data types, as the settings/fields API names them (lookup, ownerlookup, …). */
export type FieldType =
  | 'text'
  | 'email'
  | 'phone'
  | 'website'
  | 'picklist'
  | 'textarea'
  | 'integer'
  | 'double'
  | 'currency'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'lookup'
  | 'ownerlookup';
type Field = readonly [name: string, type: FieldType];

const STRING = { type: 'string' };

/** The parts of a lookup value, as Zoho's records API returns it. */
const LOOKUP_PARTS: Partial<Record<FieldType, string[]>> = {
  lookup: ['name', 'id'],
  ownerlookup: ['name', 'id', 'email'],
};

/** How explore/tabular.md describes a field: an `xdm` block (aep-api.md §3.2). */
function column(name: string, type: FieldType): CrmColumn {
  switch (type) {
    case 'integer':
      return { name, type: 'integer', xdm: { type: 'integer' } };
    case 'double':
    case 'currency':
      return { name, type: 'double', xdm: { type: 'number' } };
    case 'boolean':
      return { name, type: 'boolean', xdm: { type: 'boolean' } };
    case 'date':
      return { name, type: 'string', 'meta:xdmType': 'date', xdm: { type: 'string', format: 'date' } };
    case 'datetime':
      return { name, type: 'string', 'meta:xdmType': 'date-time', xdm: { type: 'string', format: 'date-time' } };
    case 'lookup':
    case 'ownerlookup':
      return {
        name,
        type: 'object',
        'meta:xdmType': 'object',
        xdm: { type: 'object', properties: Object.fromEntries(LOOKUP_PARTS[type]!.map((part) => [part, STRING])) },
      };
    default:
      return { name, type: 'string', xdm: { type: 'string' } };
  }
}

/** How explore/crm.md describes a field: the connector's raw type and the source's own, no `xdm` block. */
function crmPageColumn(name: string, type: FieldType): CrmColumn {
  const raw: Partial<Record<FieldType, string>> = {
    integer: 'integer',
    double: 'double',
    currency: 'double',
    boolean: 'boolean',
    date: 'date',
    datetime: 'datetime',
    lookup: 'object',
    ownerlookup: 'object',
  };
  return { name, type: raw[type] ?? 'string', meta: { originalType: type } };
}

/** Every module carries these besides its own fields. */
const AUDIT_FIELDS: readonly Field[] = [
  ['Owner', 'ownerlookup'],
  ['Created_By', 'ownerlookup'],
  ['Created_Time', 'datetime'],
  ['Modified_By', 'ownerlookup'],
  ['Modified_Time', 'datetime'],
];

// ---------------------------------------------------------------- modules

type Row = Record<string, unknown>;
type Crm = Map<string, CrmTable>;
interface Draft {
  /** Creation time in ms; a builder may move it later so referenced records exist first. */
  created: number;
  values: Row;
}

interface ModuleDef {
  name: string;
  label?: string;
  custom?: boolean;
  count: number;
  primary: string;
  fields: readonly Field[];
  lastActivity: boolean;
  build(g: Gen, draft: Draft, crm: Crm): Row;
  /** Runs once ids and audit fields exist: links among the module's own records. */
  link?(g: Gen, drafts: Draft[], crm: Crm): void;
}

interface Place {
  street: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  dial: string;
}

const created = (row: Row) => Date.parse(String(row.Created_Time));
const round2 = (value: number) => Math.round(value * 100) / 100;

export function place(g: Gen): Place {
  const [city, state, country, dial, pattern] = g.pick(PLACES);
  const zip = pattern.replace(/[#@]/g, (ch) =>
    ch === '#' ? String(g.int(0, 9)) : String.fromCharCode(65 + g.int(0, 25)),
  );
  return { street: `${g.int(1, 2400)} ${g.pick(STREETS)}`, city, state, zip, country, dial };
}

export const phone = (g: Gen, dial: string) =>
  `${dial} ${g.int(200, 989)} 555 ${String(g.int(0, 9999)).padStart(4, '0')}`;

/** A lookup value pointing at a row of another module. */
function ref(crm: Crm, module: string, row: Row): CrmLookup {
  return { name: String(row[crm.get(module)!.primaryField]), id: String(row.id) };
}

/** A record of `module` that existed when this draft was created; the draft moves later if none did. */
function pickExisting(g: Gen, crm: Crm, module: string, draft: Draft, where: (row: Row) => boolean = () => true): Row {
  const rows = crm.get(module)!.rows.filter(where);
  const earlier = rows.filter((row) => created(row) < draft.created);
  const chosen = earlier.length ? g.pick(earlier) : rows[0];
  if (!earlier.length) draft.created = created(chosen) + g.int(1, 72) * 3600_000;
  return chosen;
}

/** Like pickExisting, but null when nothing fits (optional lookups). */
function pickOptional(
  g: Gen,
  crm: Crm,
  module: string,
  draft: Draft,
  where: (row: Row) => boolean = () => true,
): Row | null {
  const earlier = crm.get(module)!.rows.filter((row) => where(row) && created(row) < draft.created);
  return earlier.length ? g.pick(earlier) : null;
}

/** Mail addresses are unique across the CRM, as Zoho's duplicate check would keep them. */
function email(g: Gen, first: string, last: string, domain: string, taken: Set<string>): string {
  const base = `${slug(first)}.${slug(last)}`;
  let address = `${base}@${domain}`;
  while (taken.has(address)) address = `${base}${g.int(2, 99)}@${domain}`;
  taken.add(address);
  return address;
}

function person(g: Gen) {
  const First_Name = g.pick(FIRST_NAMES);
  const Last_Name = g.pick(LAST_NAMES);
  return {
    First_Name,
    Last_Name,
    Full_Name: `${First_Name} ${Last_Name}`,
    Salutation: g.maybe(0.7, () => g.pick(SALUTATIONS)),
  };
}

function accountsModule(taken: Set<string>): ModuleDef {
  const names = new Set<string>();
  return {
    name: 'Accounts',
    count: 48,
    primary: 'Account_Name',
    lastActivity: true,
    fields: [
      ['Account_Name', 'text'],
      ['Account_Number', 'text'],
      ['Account_Site', 'text'],
      ['Parent_Account', 'lookup'],
      ['Account_Type', 'picklist'],
      ['Industry', 'picklist'],
      ['Annual_Revenue', 'currency'],
      ['Employees', 'integer'],
      ['Ownership', 'picklist'],
      ['Rating', 'picklist'],
      ['SIC_Code', 'integer'],
      ['Ticker_Symbol', 'text'],
      ['Website', 'website'],
      ['Phone', 'phone'],
      ['Fax', 'phone'],
      ['Billing_Street', 'text'],
      ['Billing_City', 'text'],
      ['Billing_State', 'text'],
      ['Billing_Code', 'text'],
      ['Billing_Country', 'text'],
      ['Shipping_Street', 'text'],
      ['Shipping_City', 'text'],
      ['Shipping_State', 'text'],
      ['Shipping_Code', 'text'],
      ['Shipping_Country', 'text'],
      ['Description', 'textarea'],
    ],
    build(g) {
      let stem: string, kind: string;
      do [stem, kind] = [g.pick(COMPANY_STEMS), g.pick(COMPANY_KINDS)];
      while (names.has(`${stem} ${kind}`));
      names.add(`${stem} ${kind}`);
      taken.add(`${slug(stem)}${slug(kind)}.com`); // the domain, so leads never reuse it
      const ownership = g.pick(OWNERSHIPS);
      const billing = place(g);
      const shipping = g.chance(0.7) ? billing : place(g);
      return {
        Account_Name: `${stem} ${kind} ${g.pick(COMPANY_FORMS)}`,
        Account_Number: String(g.int(10_000_000, 99_999_999)),
        Account_Site: g.maybe(0.6, () => g.pick(['Headquarters', 'Branch', 'Regional Office'])),
        Parent_Account: null,
        Account_Type: g.pick(ACCOUNT_TYPES),
        Industry: g.pick(INDUSTRIES),
        Annual_Revenue: g.money(250_000, 90_000_000),
        Employees: g.int(5, 12_000),
        Ownership: ownership,
        Rating: g.maybe(0.8, () => g.pick(ACCOUNT_RATINGS)),
        SIC_Code: g.maybe(0.6, () => g.int(1000, 9999)),
        Ticker_Symbol: /Public/.test(ownership) ? `${stem.slice(0, 3)}${kind[0]}`.toUpperCase() : null,
        Website: `https://www.${slug(stem)}${slug(kind)}.com`,
        Phone: phone(g, billing.dial),
        Fax: g.maybe(0.3, () => phone(g, billing.dial)),
        Billing_Street: billing.street,
        Billing_City: billing.city,
        Billing_State: billing.state,
        Billing_Code: billing.zip,
        Billing_Country: billing.country,
        Shipping_Street: shipping.street,
        Shipping_City: shipping.city,
        Shipping_State: shipping.state,
        Shipping_Code: shipping.zip,
        Shipping_Country: shipping.country,
        Description: g.maybe(0.4, () => g.pick(DESCRIPTIONS)),
      };
    },
    link(g, drafts, crm) {
      // Some accounts are subsidiaries of an older account.
      drafts.forEach((draft, i) => {
        if (i > 3 && g.chance(0.15)) draft.values.Parent_Account = ref(crm, 'Accounts', drafts[g.int(0, i - 1)].values);
      });
    },
  };
}

function contactsModule(taken: Set<string>): ModuleDef {
  return {
    name: 'Contacts',
    count: 80,
    primary: 'Full_Name',
    lastActivity: true,
    fields: [
      ['Salutation', 'picklist'],
      ['First_Name', 'text'],
      ['Last_Name', 'text'],
      ['Full_Name', 'text'],
      ['Account_Name', 'lookup'],
      ['Email', 'email'],
      ['Secondary_Email', 'email'],
      ['Email_Opt_Out', 'boolean'],
      ['Phone', 'phone'],
      ['Mobile', 'phone'],
      ['Home_Phone', 'phone'],
      ['Title', 'text'],
      ['Department', 'text'],
      ['Reporting_To', 'lookup'],
      ['Lead_Source', 'picklist'],
      ['Date_of_Birth', 'date'],
      ['Mailing_Street', 'text'],
      ['Mailing_City', 'text'],
      ['Mailing_State', 'text'],
      ['Mailing_Zip', 'text'],
      ['Mailing_Country', 'text'],
      ['Description', 'textarea'],
    ],
    build(g, draft, crm) {
      const account = pickExisting(g, crm, 'Accounts', draft);
      const who = person(g);
      const domain = String(account.Website).replace('https://www.', '');
      const mailing: Place = g.chance(0.75)
        ? {
            street: String(account.Billing_Street),
            city: String(account.Billing_City),
            state: String(account.Billing_State),
            zip: String(account.Billing_Code),
            country: String(account.Billing_Country),
            dial: String(account.Phone).split(' ')[0],
          }
        : place(g);
      return {
        Salutation: who.Salutation,
        First_Name: who.First_Name,
        Last_Name: who.Last_Name,
        Full_Name: who.Full_Name,
        Account_Name: ref(crm, 'Accounts', account),
        Email: email(g, who.First_Name, who.Last_Name, domain, taken),
        Secondary_Email: g.maybe(0.2, () =>
          email(g, who.First_Name, who.Last_Name, g.pick(['gmail.com', 'outlook.com', 'yahoo.com']), taken),
        ),
        Email_Opt_Out: g.chance(0.12),
        Phone: phone(g, mailing.dial),
        Mobile: g.maybe(0.7, () => phone(g, mailing.dial)),
        Home_Phone: g.maybe(0.15, () => phone(g, mailing.dial)),
        Title: g.pick(TITLES),
        Department: g.maybe(0.8, () => g.pick(DEPARTMENTS)),
        Reporting_To: null,
        Lead_Source: g.maybe(0.85, () => g.pick(LEAD_SOURCES)),
        Date_of_Birth: g.maybe(0.55, () => zohoDate(Date.UTC(g.int(1958, 2001), g.int(0, 11), g.int(1, 28), 12))),
        Mailing_Street: mailing.street,
        Mailing_City: mailing.city,
        Mailing_State: mailing.state,
        Mailing_Zip: mailing.zip,
        Mailing_Country: mailing.country,
        Description: g.maybe(0.3, () => g.pick(DESCRIPTIONS)),
      };
    },
    link(g, drafts, crm) {
      // Reporting lines stay inside one account, towards a colleague added earlier.
      drafts.forEach((draft, i) => {
        const accountId = (draft.values.Account_Name as CrmLookup).id;
        const colleagues = drafts
          .slice(0, i)
          .filter((other) => (other.values.Account_Name as CrmLookup).id === accountId);
        if (colleagues.length && g.chance(0.5))
          draft.values.Reporting_To = ref(crm, 'Contacts', g.pick(colleagues).values);
      });
    },
  };
}

function leadsModule(taken: Set<string>): ModuleDef {
  return {
    name: 'Leads',
    count: 60,
    primary: 'Full_Name',
    lastActivity: true,
    fields: [
      ['Salutation', 'picklist'],
      ['First_Name', 'text'],
      ['Last_Name', 'text'],
      ['Full_Name', 'text'],
      ['Company', 'text'],
      ['Designation', 'text'],
      ['Email', 'email'],
      ['Secondary_Email', 'email'],
      ['Email_Opt_Out', 'boolean'],
      ['Phone', 'phone'],
      ['Mobile', 'phone'],
      ['Fax', 'phone'],
      ['Website', 'website'],
      ['Industry', 'picklist'],
      ['Annual_Revenue', 'currency'],
      ['No_of_Employees', 'integer'],
      ['Rating', 'picklist'],
      ['Lead_Source', 'picklist'],
      ['Lead_Status', 'picklist'],
      ['Street', 'text'],
      ['City', 'text'],
      ['State', 'text'],
      ['Zip_Code', 'text'],
      ['Country', 'text'],
      ['Description', 'textarea'],
    ],
    build(g) {
      const who = person(g);
      const stem = g.pick(COMPANY_STEMS);
      const kind = g.pick(COMPANY_KINDS);
      let domain = `${slug(stem)}-${slug(kind)}.net`;
      if (taken.has(domain)) domain = `${slug(stem)}${slug(kind)}.io`;
      const where = place(g);
      return {
        Salutation: who.Salutation,
        First_Name: who.First_Name,
        Last_Name: who.Last_Name,
        Full_Name: who.Full_Name,
        Company: `${stem} ${kind}`,
        Designation: g.maybe(0.8, () => g.pick(TITLES)),
        Email: email(g, who.First_Name, who.Last_Name, domain, taken),
        Secondary_Email: g.maybe(0.1, () => email(g, who.First_Name, who.Last_Name, 'gmail.com', taken)),
        Email_Opt_Out: g.chance(0.08),
        Phone: g.maybe(0.8, () => phone(g, where.dial)),
        Mobile: g.maybe(0.5, () => phone(g, where.dial)),
        Fax: g.maybe(0.1, () => phone(g, where.dial)),
        Website: g.maybe(0.6, () => `https://${domain}`),
        Industry: g.maybe(0.7, () => g.pick(INDUSTRIES)),
        Annual_Revenue: g.maybe(0.5, () => g.money(50_000, 20_000_000)),
        No_of_Employees: g.maybe(0.6, () => g.int(1, 5000)),
        Rating: g.maybe(0.5, () => g.pick(LEAD_RATINGS)),
        Lead_Source: g.pick(LEAD_SOURCES),
        Lead_Status: g.pick(LEAD_STATUSES),
        Street: where.street,
        City: where.city,
        State: where.state,
        Zip_Code: where.zip,
        Country: where.country,
        Description: g.maybe(0.3, () => g.pick(DESCRIPTIONS)),
      };
    },
  };
}

function campaignsModule(): ModuleDef {
  return {
    name: 'Campaigns',
    count: 40,
    primary: 'Campaign_Name',
    lastActivity: false,
    fields: [
      ['Campaign_Name', 'text'],
      ['Type', 'picklist'],
      ['Status', 'picklist'],
      ['Start_Date', 'date'],
      ['End_Date', 'date'],
      ['Expected_Revenue', 'currency'],
      ['Budgeted_Cost', 'currency'],
      ['Actual_Cost', 'currency'],
      ['Expected_Response', 'integer'],
      ['Num_sent', 'integer'],
      ['Parent_Campaign', 'lookup'],
      ['Description', 'textarea'],
    ],
    build(g, draft) {
      const start = draft.created + g.int(3, 60) * DAY;
      const end = start + g.int(7, 90) * DAY;
      const type = g.pick(CAMPAIGN_TYPES);
      const status =
        start > CRM_SNAPSHOT ? 'Planning' : end > CRM_SNAPSHOT ? 'Active' : g.pick(CAMPAIGN_STATUSES.slice(2));
      const budget = g.money(1_000, 80_000);
      return {
        Campaign_Name: `${SEASONS[Math.floor(new Date(start).getUTCMonth() / 3)]} ${new Date(start).getUTCFullYear()} ${type}: ${g.pick(CAMPAIGN_TOPICS)}`,
        Type: type,
        Status: status,
        Start_Date: zohoDate(start),
        End_Date: zohoDate(end),
        Expected_Revenue: round2(budget * (2 + g.next() * 6)),
        Budgeted_Cost: budget,
        Actual_Cost: status === 'Planning' ? null : round2(budget * (0.6 + g.next() * 0.6)),
        Expected_Response: g.int(1, 40) * 5,
        Num_sent: type === 'Email' ? g.int(5, 400) * 100 : null,
        Parent_Campaign: null,
        Description: g.maybe(0.3, () => `${type} campaign run by the marketing team.`),
      };
    },
    link(g, drafts, crm) {
      drafts.forEach((draft, i) => {
        if (i > 2 && g.chance(0.15))
          draft.values.Parent_Campaign = ref(crm, 'Campaigns', drafts[g.int(0, i - 1)].values);
      });
    },
  };
}

function productsModule(): ModuleDef {
  const codes = new Set<string>();
  return {
    name: 'Products',
    count: 40,
    primary: 'Product_Name',
    lastActivity: false,
    fields: [
      ['Product_Name', 'text'],
      ['Product_Code', 'text'],
      ['Product_Active', 'boolean'],
      ['Product_Category', 'picklist'],
      ['Manufacturer', 'picklist'],
      ['Sales_Start_Date', 'date'],
      ['Sales_End_Date', 'date'],
      ['Unit_Price', 'currency'],
      ['Commission_Rate', 'currency'],
      ['Taxable', 'boolean'],
      ['Usage_Unit', 'picklist'],
      ['Qty_in_Stock', 'double'],
      ['Qty_Ordered', 'double'],
      ['Reorder_Level', 'double'],
      ['Description', 'textarea'],
    ],
    build(g, draft) {
      const [category, nouns, unit, [low, high]] = g.pick(PRODUCT_LINES);
      let code: string;
      do code = `${category.slice(0, 2).toUpperCase()}-${g.int(1000, 9999)}`;
      while (codes.has(code));
      codes.add(code);
      const ended = g.chance(0.2);
      const hardware = category === 'Hardware';
      return {
        Product_Name: `${g.pick(nouns)} ${g.pick(['X', 'Pro', 'Lite', 'Plus', 'S'])}${g.int(1, 9) * 100}`,
        Product_Code: code,
        Product_Active: !ended,
        Product_Category: category,
        Manufacturer: hardware ? g.pick(MANUFACTURERS) : 'Zylker Devices',
        Sales_Start_Date: zohoDate(draft.created),
        Sales_End_Date: ended ? zohoDate(draft.created + g.int(90, 500) * DAY) : null,
        Unit_Price: g.money(low, high),
        Commission_Rate: g.maybe(0.5, () => g.int(2, 15)),
        Taxable: g.chance(0.8),
        Usage_Unit: unit,
        Qty_in_Stock: hardware ? g.int(0, 900) : null,
        Qty_Ordered: hardware ? g.int(0, 300) : null,
        Reorder_Level: hardware ? g.int(1, 10) * 10 : null,
        Description: g.maybe(0.5, () => `${category} product line.`),
      };
    },
  };
}

function dealsModule(): ModuleDef {
  return {
    name: 'Deals',
    count: 56,
    primary: 'Deal_Name',
    lastActivity: true,
    fields: [
      ['Deal_Name', 'text'],
      ['Account_Name', 'lookup'],
      ['Contact_Name', 'lookup'],
      ['Amount', 'currency'],
      ['Closing_Date', 'date'],
      ['Pipeline', 'picklist'],
      ['Stage', 'picklist'],
      ['Probability', 'integer'],
      ['Expected_Revenue', 'currency'],
      ['Type', 'picklist'],
      ['Lead_Source', 'picklist'],
      ['Campaign_Source', 'lookup'],
      ['Next_Step', 'text'],
      ['Description', 'textarea'],
    ],
    build(g, draft, crm) {
      const account = pickExisting(g, crm, 'Accounts', draft);
      const accountId = String(account.id);
      const contact = pickOptional(
        g,
        crm,
        'Contacts',
        draft,
        (row) => (row.Account_Name as CrmLookup).id === accountId,
      );
      const product = pickOptional(g, crm, 'Products', draft);
      const campaign = g.chance(0.35) ? pickOptional(g, crm, 'Campaigns', draft) : null;
      const closing = draft.created + g.int(14, 180) * DAY;
      const closed = closing < CRM_SNAPSHOT;
      const [stage, probability] = closed ? g.pick(DEAL_STAGES.slice(6)) : g.pick(DEAL_STAGES.slice(0, 6));
      const amount = g.money(2_000, 250_000);
      const company = String(account.Account_Name).split(' ').slice(0, 2).join(' ');
      return {
        Deal_Name: `${company} - ${product ? product.Product_Name : 'Services'}`,
        Account_Name: ref(crm, 'Accounts', account),
        Contact_Name: contact ? ref(crm, 'Contacts', contact) : null,
        Amount: amount,
        Closing_Date: zohoDate(closing),
        Pipeline: 'Standard (Standard)',
        Stage: stage,
        Probability: probability,
        Expected_Revenue: round2((amount * probability) / 100),
        Type: account.Account_Type === 'Customer' ? 'Existing Business' : 'New Business',
        Lead_Source: g.maybe(0.8, () => g.pick(LEAD_SOURCES)),
        Campaign_Source: campaign ? ref(crm, 'Campaigns', campaign) : null,
        Next_Step: closed ? null : g.pick(NEXT_STEPS),
        Description: g.maybe(0.3, () => g.pick(DESCRIPTIONS)),
      };
    },
  };
}

function tasksModule(): ModuleDef {
  return {
    name: 'Tasks',
    count: 72,
    primary: 'Subject',
    lastActivity: false,
    fields: [
      ['Subject', 'text'],
      ['Due_Date', 'date'],
      ['Status', 'picklist'],
      ['Priority', 'picklist'],
      ['What_Id', 'lookup'],
      ['Who_Id', 'lookup'],
      ['Send_Notification_Email', 'boolean'],
      ['Closed_Time', 'datetime'],
      ['Description', 'textarea'],
    ],
    build(g, draft, crm) {
      // What_Id is the deal the task is about; Who_Id the person (the deal's contact when it has one).
      const deal = g.chance(0.8) ? pickExisting(g, crm, 'Deals', draft) : null;
      const dealContact = deal?.Contact_Name as CrmLookup | null | undefined;
      const who = dealContact ? { ...dealContact } : ref(crm, 'Contacts', pickExisting(g, crm, 'Contacts', draft));
      return {
        Subject: g.pick(TASK_SUBJECTS),
        Due_Date: zohoDate(draft.created + g.int(1, 30) * DAY),
        Status: g.pick(TASK_STATUSES),
        Priority: g.pick(TASK_PRIORITIES),
        What_Id: deal ? ref(crm, 'Deals', deal) : null,
        Who_Id: who,
        Send_Notification_Email: g.chance(0.3),
        Closed_Time: null,
        Description: g.maybe(0.25, () => g.pick(DESCRIPTIONS)),
      };
    },
    link(_g, drafts) {
      // Closing a task is its last edit.
      for (const { values } of drafts) if (values.Status === 'Completed') values.Closed_Time = values.Modified_Time;
    },
  };
}

function subscriptionsModule(): ModuleDef {
  return {
    name: 'Subscriptions',
    label: 'Subscriptions',
    custom: true,
    count: 45,
    primary: 'Name',
    lastActivity: false,
    fields: [
      ['Name', 'text'],
      ['Account', 'lookup'],
      ['Contact', 'lookup'],
      ['Product', 'lookup'],
      ['Plan', 'picklist'],
      ['Status', 'picklist'],
      ['Billing_Cycle', 'picklist'],
      ['Seats', 'integer'],
      ['Monthly_Fee', 'currency'],
      ['Start_Date', 'date'],
      ['Renewal_Date', 'date'],
      ['Auto_Renew', 'boolean'],
      ['Email', 'email'],
    ],
    build(g, draft, crm) {
      const account = pickExisting(g, crm, 'Accounts', draft, (row) => row.Account_Type === 'Customer');
      const accountId = String(account.id);
      const contact = pickOptional(
        g,
        crm,
        'Contacts',
        draft,
        (row) => (row.Account_Name as CrmLookup).id === accountId,
      );
      const product = pickExisting(g, crm, 'Products', draft, (row) => row.Product_Category !== 'Hardware');
      const [plan, perSeat] = g.pick(PLANS);
      const seats = g.int(1, 60) * 5;
      const annual = g.chance(0.4);
      const start = draft.created + g.int(0, 14) * DAY;
      return {
        Name: null, // numbered once the records are in creation order
        Account: ref(crm, 'Accounts', account),
        Contact: contact ? ref(crm, 'Contacts', contact) : null,
        Product: ref(crm, 'Products', product),
        Plan: plan,
        Status: g.pick(SUBSCRIPTION_STATUSES),
        Billing_Cycle: annual ? 'Annual' : 'Monthly',
        Seats: seats,
        Monthly_Fee: round2(seats * perSeat * (annual ? 0.9 : 1)),
        Start_Date: zohoDate(start),
        Renewal_Date: zohoDate(start + (annual ? 365 : 30) * DAY),
        Auto_Renew: g.chance(0.7),
        Email: contact ? contact.Email : null,
      };
    },
    link(_g, drafts) {
      drafts.forEach(({ values }, i) => {
        values.Name = `SUB-${String(1001 + i)}`;
      });
    },
  };
}

// ---------------------------------------------------------------- generation

interface User extends CrmLookup {
  email: string;
}

function users(g: Gen, next: () => string): User[] {
  const list: User[] = [];
  while (list.length < 6) {
    const first = g.pick(FIRST_NAMES);
    const last = g.pick(LAST_NAMES);
    if (list.some((user) => user.name === `${first} ${last}`)) continue;
    list.push({ name: `${first} ${last}`, id: next(), email: `${slug(first)}.${slug(last)}@zylker.com` });
  }
  return list;
}

/** Draws creation times, builds rows, orders them by creation (Zoho ids grow with it), adds audit fields. */
function generateModule(g: Gen, def: ModuleDef, crm: Crm, team: User[], nextId: () => string): CrmTable {
  const drafts: Draft[] = [];
  for (let i = 0; i < def.count; i++) {
    const draft: Draft = { created: g.time(START, CRM_SNAPSHOT - 20 * DAY), values: {} };
    draft.values = def.build(g, draft, crm);
    drafts.push(draft);
  }
  drafts.sort((a, b) => a.created - b.created);
  for (const draft of drafts) {
    const owner = g.pick(team);
    const modified = g.chance(0.25) ? draft.created : g.time(draft.created, CRM_SNAPSHOT);
    Object.assign(draft.values, {
      id: nextId(),
      Owner: { ...owner },
      Created_By: { ...(g.chance(0.7) ? owner : g.pick(team)) },
      Created_Time: zohoDateTime(draft.created),
      Modified_By: { ...g.pick(team) },
      Modified_Time: zohoDateTime(modified),
      ...(def.lastActivity ? { Last_Activity_Time: g.maybe(0.7, () => zohoDateTime(modified)) } : {}),
    });
  }
  const fields: Field[] = [
    ['id', 'text'],
    ...def.fields,
    ...AUDIT_FIELDS,
    ...(def.lastActivity ? [['Last_Activity_Time', 'datetime'] as const] : []),
  ];
  const crmPage = CRM_PAGE_STYLE.has(def.name);
  const table: CrmTable = {
    name: def.name,
    path: crmPage ? def.name.toLowerCase() : `${PATH_PREFIX}${def.name}`,
    columns: fields.map(([name, type]) => (crmPage ? crmPageColumn : column)(name, type)),
    lookups: Object.fromEntries(
      fields.flatMap(([name, type]) => (LOOKUP_PARTS[type] ? [[name, LOOKUP_PARTS[type]!]] : [])),
    ),
    rows: [],
    label: def.label ?? def.name,
    custom: !!def.custom,
    primaryField: def.primary,
    fieldTypes: Object.fromEntries(fields.map(([name, type]) => [name, type])),
  };
  crm.set(def.name, table);
  table.rows = drafts.map((draft) => draft.values);
  def.link?.(g, drafts, crm);
  table.rows = drafts.map((draft) => inColumnOrder(draft.values, fields, def.name));
  return table;
}

/** Rows carry exactly the columns, in column order; a builder that strays is a bug caught here. */
function inColumnOrder(values: Row, fields: readonly Field[], module: string): Row {
  const extra = Object.keys(values).filter((key) => !fields.some(([name]) => name === key));
  if (extra.length) throw new Error(`zoho-crm: ${module} row has fields without a column: ${extra.join(', ')}`);
  return Object.fromEntries(fields.map(([name]) => [name, values[name] ?? null]));
}

/** Generates the whole CRM from a seed; the same seed gives the same records, byte for byte. */
export function generateCrm(seed = CRM_SEED): CrmTable[] {
  const g = new Gen(prng(seed));
  let sequence = 201_001;
  const nextUserId = () => `${ID_PREFIX}${sequence++}`;
  const team = users(g, nextUserId);
  sequence = 331_001;
  const nextId = () => `${ID_PREFIX}${(sequence += g.int(1, 9))}`;
  const taken = new Set<string>();
  const crm: Crm = new Map();
  const modules = [
    accountsModule(taken),
    contactsModule(taken),
    leadsModule(taken),
    campaignsModule(),
    productsModule(),
    dealsModule(),
    tasksModule(),
    subscriptionsModule(),
  ];
  return modules.map((def) => generateModule(g, def, crm, team, nextId));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

let cached: CrmTable[] | undefined;

/** The CRM every emulated Zoho connection sees. Frozen: it is shared, so nobody may edit it in place. */
export function crmTables(): CrmTable[] {
  return (cached ??= deepFreeze(generateCrm()));
}

/** The table at this path (what explore's `object=` and `params.tableName` take), exactly. */
export function findTable(path: string): CrmTable | undefined {
  return crmTables().find((table) => table.path === path);
}

/** The table whose module API name (explore's `name`) is this, exactly. */
export function findTableByName(name: string): CrmTable | undefined {
  return crmTables().find((table) => table.name === name);
}

/** Path first, then name: how a user-facing tool may resolve what someone typed. Not for the API. */
export function resolveTable(nameOrPath: string): CrmTable | undefined {
  return findTable(nameOrPath) ?? findTableByName(nameOrPath);
}

/** Every source path Data Prep may map from this table: the columns, plus `Owner.id`-style parts of lookups. */
export function sourcePaths(table: CrmTable): string[] {
  return table.columns.flatMap((col) => [
    col.name,
    ...(table.lookups[col.name] ?? []).map((part) => `${col.name}.${part}`),
  ]);
}

/** Reads a source path (`Account_Name.id`, `Email`) from a row; undefined when the path does not exist. */
export function valueAt(row: Record<string, unknown>, path: string): unknown {
  if (path in row) return row[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const parent = row[path.slice(0, dot)];
  if (parent === null) return null;
  return parent && typeof parent === 'object'
    ? valueAt(parent as Record<string, unknown>, path.slice(dot + 1))
    : undefined;
}
