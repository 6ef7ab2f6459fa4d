// Adobe's standard XDM library as the emulated Schema Registry knows it: a few classes and field
// groups with realistic field paths (the ones a CRM mapping targets), plus the helpers that turn a
// stored schema into its leaf field paths. Paths and $ids follow Adobe's published XDM repository
// (adobe/xdm: classes/profile, classes/b2b/account, classes/b2b/opportunity, mixins/profile/*).
// It is a subset: enough fields to map Zoho Leads, Contacts, Accounts and Deals, not every field.
import type { EmulatorState, Resource } from './state.js';

/** XDM leaf types as the registry reports them in `meta:xdmType`. */
export type XdmType = 'string' | 'number' | 'int' | 'long' | 'boolean' | 'date' | 'date-time';

/** A field tree: a leaf type, or an object of named sub-fields. */
export interface FieldTree {
  [name: string]: XdmType | FieldTree;
}

export interface StandardResource {
  $id: string;
  title: string;
  description: string;
  kind: 'classes' | 'mixins';
  /** Classes: the behavior they extend. */
  behavior?: string;
  /** Field groups: the classes they may be added to. */
  intendedToExtend?: string[];
  /** Only in orgs with B2B classes (Real-Time CDP B2B edition). */
  b2b?: boolean;
  fields: FieldTree;
}

export const RECORD_BEHAVIOR = 'https://ns.adobe.com/xdm/data/record';
export const TIME_SERIES_BEHAVIOR = 'https://ns.adobe.com/xdm/data/time-series';
export const BEHAVIORS = [RECORD_BEHAVIOR, TIME_SERIES_BEHAVIOR];

export const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
export const EXPERIENCE_EVENT_CLASS = 'https://ns.adobe.com/xdm/context/experienceevent';
export const ACCOUNT_CLASS = 'https://ns.adobe.com/xdm/context/account';
export const OPPORTUNITY_CLASS = 'https://ns.adobe.com/xdm/context/opportunity';

// Standard data types, reused by classes and field groups (and by `$ref`s in tenant field groups).
const address: FieldTree = {
  street1: 'string',
  street2: 'string',
  city: 'string',
  stateProvince: 'string',
  postalCode: 'string',
  country: 'string',
  countryCode: 'string',
  primary: 'boolean',
  status: 'string',
};
const phone: FieldTree = { number: 'string', primary: 'boolean', status: 'string' };
const email: FieldTree = { address: 'string', primary: 'boolean', status: 'string', type: 'string' };
const b2bSource: FieldTree = {
  sourceType: 'string',
  sourceInstanceID: 'string',
  sourceID: 'string',
  sourceKey: 'string',
};
const sourceAudit: FieldTree = {
  createdBy: 'string',
  createdDate: 'date-time',
  lastUpdatedBy: 'string',
  lastUpdatedDate: 'date-time',
  lastActivityDate: 'date-time',
  lastReferencedDate: 'date-time',
  lastViewedDate: 'date-time',
};
const currencyAmount: FieldTree = { amount: 'number', currencyCode: 'string' };

/** Data types a tenant field group may `$ref`, by $id. */
export const STANDARD_DATA_TYPES: Record<string, FieldTree> = {
  'https://ns.adobe.com/xdm/common/address': address,
  'https://ns.adobe.com/xdm/context/phonenumber': phone,
  'https://ns.adobe.com/xdm/context/emailaddress': email,
  'https://ns.adobe.com/xdm/datatypes/b2b-source': b2bSource,
  'https://ns.adobe.com/xdm/common/external-source-system-audit': sourceAudit,
  'https://ns.adobe.com/xdm/datatypes/currency': currencyAmount,
};

const recordFields: FieldTree = { _id: 'string' };

export const STANDARD_CLASSES: StandardResource[] = [
  {
    $id: PROFILE_CLASS,
    title: 'XDM Individual Profile',
    description:
      'A singular representation of the attributes and interests of both identified and partially-identified individuals.',
    kind: 'classes',
    behavior: RECORD_BEHAVIOR,
    fields: {
      ...recordFields,
      _repo: { createDate: 'date-time', modifyDate: 'date-time' },
      createdByBatchID: 'string',
      modifiedByBatchID: 'string',
      personID: 'string',
      repositoryCreatedBy: 'string',
      repositoryLastModifiedBy: 'string',
    },
  },
  {
    $id: EXPERIENCE_EVENT_CLASS,
    title: 'XDM ExperienceEvent',
    description: 'A fact record of what occurred, including the point in time and identity of the individual involved.',
    kind: 'classes',
    behavior: TIME_SERIES_BEHAVIOR,
    fields: {
      ...recordFields,
      timestamp: 'date-time',
      eventType: 'string',
      eventMergeId: 'string',
      producedBy: 'string',
    },
  },
  {
    $id: ACCOUNT_CLASS,
    title: 'XDM Business Account',
    description: 'Captures the minimum required properties of a business account (B2B edition).',
    kind: 'classes',
    behavior: RECORD_BEHAVIOR,
    b2b: true,
    fields: {
      ...recordFields,
      accountID: 'string',
      accountKey: b2bSource,
      extSourceSystemAudit: sourceAudit,
      isDeleted: 'boolean',
    },
  },
  {
    $id: OPPORTUNITY_CLASS,
    title: 'XDM Business Opportunity',
    description: 'Captures the minimum set of properties that define a business opportunity (B2B edition).',
    kind: 'classes',
    behavior: RECORD_BEHAVIOR,
    b2b: true,
    fields: {
      ...recordFields,
      opportunityID: 'string',
      opportunityKey: b2bSource,
      opportunityName: 'string',
      opportunityDescription: 'string',
      opportunityStage: 'string',
      opportunityType: 'string',
      accountID: 'string',
      accountKey: b2bSource,
      extSourceSystemAudit: sourceAudit,
      isDeleted: 'boolean',
    },
  },
];

export const STANDARD_FIELD_GROUPS: StandardResource[] = [
  {
    $id: 'https://ns.adobe.com/xdm/context/profile-person-details',
    title: 'Demographic Details',
    description: 'Demographic information such as name, gender, and birth date of an individual.',
    kind: 'mixins',
    intendedToExtend: [PROFILE_CLASS],
    fields: {
      person: {
        name: {
          firstName: 'string',
          middleName: 'string',
          lastName: 'string',
          fullName: 'string',
          courtesyTitle: 'string',
          suffix: 'string',
        },
        birthDate: 'date',
        birthYear: 'int',
        birthDayAndMonth: 'string',
        gender: 'string',
      },
    },
  },
  {
    $id: 'https://ns.adobe.com/xdm/context/profile-personal-details',
    title: 'Personal Contact Details',
    description: 'Contact information for an individual person such as home address, phone number, fax, and email.',
    kind: 'mixins',
    intendedToExtend: [PROFILE_CLASS],
    fields: { personalEmail: email, mobilePhone: phone, homePhone: phone, faxPhone: phone, homeAddress: address },
  },
  {
    $id: 'https://ns.adobe.com/xdm/context/profile-work-details',
    title: 'Business Contact Details',
    description: 'Contact information for a business person such as work address, work email, and work phone.',
    kind: 'mixins',
    intendedToExtend: [PROFILE_CLASS],
    fields: { workEmail: email, workPhone: phone, workAddress: address },
  },
  {
    $id: 'https://ns.adobe.com/xdm/common/external-source-system-audit-details',
    title: 'External Source System Audit Details',
    description: 'Audit attributes for records that come from an external source system.',
    kind: 'mixins',
    intendedToExtend: [PROFILE_CLASS, ACCOUNT_CLASS, OPPORTUNITY_CLASS],
    fields: { extSourceSystemAudit: sourceAudit },
  },
  {
    $id: 'https://ns.adobe.com/xdm/mixins/account-details',
    title: 'XDM Business Account Details',
    description: 'XDM business account details.',
    kind: 'mixins',
    intendedToExtend: [ACCOUNT_CLASS],
    b2b: true,
    fields: {
      accountName: 'string',
      accountNumber: 'string',
      accountDescription: 'string',
      accountType: 'string',
      accountSite: 'string',
      accountOwnerID: 'string',
      accountParentID: 'string',
      accountOwnership: 'string',
      accountTradeStyle: 'string',
      accountSourceType: 'string',
      defaultCurrencyCode: 'string',
      accountPhone: phone,
      accountFax: phone,
      accountBillingAddress: address,
      accountShippingAddress: address,
      accountOrganization: {
        industry: 'string',
        website: 'string',
        numberOfEmployees: 'int',
        annualRevenue: currencyAmount,
        SICCode: 'string',
        tickerSymbol: 'string',
        rating: 'string',
      },
    },
  },
  {
    $id: 'https://ns.adobe.com/xdm/mixins/opportunity-details',
    title: 'XDM Business Opportunity Details',
    description: 'Details of a business opportunity: amount, close date, probability.',
    kind: 'mixins',
    intendedToExtend: [OPPORTUNITY_CLASS],
    b2b: true,
    fields: {
      opportunityAmount: currencyAmount,
      expectedCloseDate: 'date',
      probabilityPercentage: 'number',
      isClosed: 'boolean',
      isWon: 'boolean',
      leadSource: 'string',
      nextStep: 'string',
      forecastCategory: 'string',
    },
  },
];

/** Standard identity namespaces (code → numeric id where Adobe documents one). */
export const STANDARD_NAMESPACES: Record<string, number | undefined> = {
  ECID: 4,
  Email: 6,
  Phone: 7,
  TNTID: 9,
  AAID: 10,
  Email_LC_SHA256: 11,
  AdCloud: 411,
  'Phone_E.164': undefined,
  Phone_SHA256: undefined,
  GAID: undefined,
  IDFA: undefined,
  // Not in Adobe's list of standard namespaces, but present in most sandboxes; kept so CRM ids work.
  CRMID: undefined,
};

export function standardClasses(hasB2B: boolean): StandardResource[] {
  return STANDARD_CLASSES.filter((resource) => hasB2B || !resource.b2b);
}

export function standardFieldGroups(hasB2B: boolean): StandardResource[] {
  return STANDARD_FIELD_GROUPS.filter((resource) => hasB2B || !resource.b2b);
}

/** Leaf fields of a tree, as `dotted.path → xdmType`. */
export function flattenFields(tree: FieldTree, prefix = '', into = new Map<string, XdmType>()): Map<string, XdmType> {
  for (const [name, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (typeof value === 'string') into.set(path, value);
    else flattenFields(value, path, into);
  }
  return into;
}

/** A field tree as JSON Schema `properties` (for `definitions` and xed-full answers). */
export function treeToProperties(tree: FieldTree): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(tree)) {
    properties[name] =
      typeof value === 'string'
        ? leafSchema(name, value)
        : { title: titleOf(name), type: 'object', 'meta:xdmType': 'object', properties: treeToProperties(value) };
  }
  return properties;
}

function leafSchema(name: string, type: XdmType): Record<string, unknown> {
  const json: Record<string, unknown> = { title: titleOf(name), 'meta:xdmType': type };
  if (type === 'int' || type === 'long') json.type = 'integer';
  else if (type === 'date' || type === 'date-time') Object.assign(json, { type: 'string', format: type });
  else json.type = type;
  return json;
}

const titleOf = (name: string) =>
  name
    .replace(/^_/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());

/** Reads a JSON Schema `properties` object (a tenant class or field group's definitions) into a tree. */
export function propertiesToTree(properties: unknown): FieldTree {
  const tree: FieldTree = {};
  if (!properties || typeof properties !== 'object') return tree;
  for (const [name, raw] of Object.entries(properties as Record<string, any>)) {
    if (!raw || typeof raw !== 'object') continue;
    const ref = raw.$ref ?? raw['$ref '];
    if (typeof ref === 'string' && STANDARD_DATA_TYPES[ref]) tree[name] = STANDARD_DATA_TYPES[ref];
    else if (raw.properties && typeof raw.properties === 'object') tree[name] = propertiesToTree(raw.properties);
    else tree[name] = jsonTypeToXdm(raw);
  }
  return tree;
}

function jsonTypeToXdm(raw: Record<string, any>): XdmType {
  const declared = raw['meta:xdmType'];
  if (
    typeof declared === 'string' &&
    ['string', 'number', 'int', 'long', 'boolean', 'date', 'date-time'].includes(declared)
  )
    return declared as XdmType;
  if (raw.type === 'integer') return 'int';
  if (raw.type === 'number') return 'number';
  if (raw.type === 'boolean') return 'boolean';
  if (raw.format === 'date' || raw.format === 'date-time') return raw.format;
  return 'string'; // strings, and arrays/maps, which Data Prep addresses as a whole
}

/** JSON Schema's types, and XDM's `meta:xdmType`s (help/xdm/schema/field-constraints.md). */
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);
const XDM_TYPES = new Set([
  'string',
  'number',
  'long',
  'int',
  'short',
  'byte',
  'boolean',
  'date',
  'date-time',
  'object',
  'map',
  'array',
]);

/**
 * The first field definition in a `properties` object that the registry would refuse, as a
 * sentence: a `type` JSON Schema lacks (`datetime`, `double`), an unknown `meta:xdmType`, a
 * `format` on a non-string, an object without properties, an array without items.
 */
export function invalidFieldDefinition(properties: unknown, prefix = ''): string | undefined {
  for (const [name, raw] of Object.entries((properties ?? {}) as Record<string, any>)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (!raw || typeof raw !== 'object') return `field '${path}' must be a JSON Schema object`;
    if (typeof (raw.$ref ?? raw['$ref ']) === 'string') continue;
    if (!JSON_TYPES.has(raw.type))
      return `field '${path}' has type ${JSON.stringify(raw.type)}; use one of ${[...JSON_TYPES].join(', ')}`;
    if (raw['meta:xdmType'] !== undefined && !XDM_TYPES.has(raw['meta:xdmType']))
      return `field '${path}' has meta:xdmType ${JSON.stringify(raw['meta:xdmType'])}`;
    if (raw.format !== undefined && raw.type !== 'string')
      return `field '${path}' has a format but type ${raw.type}; formats apply to strings`;
    if (raw.type === 'array' && (!raw.items || typeof raw.items !== 'object'))
      return `array field '${path}' needs items`;
    if (raw.type === 'object') {
      if (raw.properties && typeof raw.properties === 'object') {
        const inner = invalidFieldDefinition(raw.properties, path);
        if (inner) return inner;
      } else if (!raw.additionalProperties)
        return `object field '${path}' needs properties (or additionalProperties, for a map)`;
    }
  }
  return undefined;
}

/** The field tree a tenant class or field group defines (every `definitions.*.properties` merged). */
export function definitionsTree(resource: Resource): FieldTree {
  const tree: FieldTree = {};
  for (const definition of Object.values((resource.definitions ?? {}) as Record<string, any>)) {
    mergeTrees(tree, propertiesToTree(definition?.properties));
  }
  return tree;
}

export function mergeTrees(into: FieldTree, from: FieldTree): FieldTree {
  for (const [name, value] of Object.entries(from)) {
    const existing = into[name];
    if (typeof value !== 'string' && existing && typeof existing !== 'string') mergeTrees(existing, value);
    else into[name] = typeof value === 'string' ? value : mergeTrees({}, value);
  }
  return into;
}

/** The fields a class or field group `$id` contributes, whether standard or stored by a tenant. */
export function resourceTree(state: EmulatorState, id: string): FieldTree | undefined {
  const standard = [...STANDARD_CLASSES, ...STANDARD_FIELD_GROUPS].find((resource) => resource.$id === id);
  if (standard) return standard.fields;
  const stored = state.classes.get(id) ?? state.fieldGroups.get(id);
  if (!stored) return undefined;
  const tree = definitionsTree(stored);
  // A tenant class inherits its behavior's fields (_id, and timestamp for time-series).
  if (stored['meta:resourceType'] === 'classes') {
    mergeTrees(tree, { _id: 'string' });
    if ((stored['meta:extends'] ?? []).includes(TIME_SERIES_BEHAVIOR)) mergeTrees(tree, { timestamp: 'date-time' });
  }
  return tree;
}

/** All fields of a schema (class + field groups), or undefined when the schema does not exist. */
export function schemaTree(state: EmulatorState, schemaId: string): FieldTree | undefined {
  const schema = state.schemas.get(schemaId);
  return schema ? schemaTreeOf(state, schema) : undefined;
}

/** The fields a schema resource's `allOf` brings together (also for a schema not yet stored, e.g. a PATCH result). */
export function schemaTreeOf(state: EmulatorState, schema: Resource): FieldTree {
  const tree: FieldTree = {};
  for (const part of schema.allOf ?? []) {
    const ref = part?.$ref ?? part?.['$ref '];
    const fields = typeof ref === 'string' ? resourceTree(state, ref) : undefined;
    if (fields) mergeTrees(tree, fields);
  }
  return tree;
}

/** Leaf fields of a schema with their XDM types, e.g. `person.name.firstName → string`. */
export function schemaFields(state: EmulatorState, schemaId: string): Map<string, XdmType> | undefined {
  const tree = schemaTree(state, schemaId);
  return tree ? flattenFields(tree) : undefined;
}

/**
 * All leaf XDM paths of a schema, resolved through its class and field groups (dotted, as Data Prep
 * destinations are written: `person.name.firstName`, `_<tenantId>.zohoId`). Undefined when no
 * schema has this `$id`. Callers check the schema's org and sandbox themselves.
 */
export function schemaFieldPaths(state: EmulatorState, schemaId: string): Set<string> | undefined {
  const fields = schemaFields(state, schemaId);
  return fields ? new Set(fields.keys()) : undefined;
}
