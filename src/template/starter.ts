// `templates init`: a starter template from a table's explored columns. Every column goes into the
// tenant field group as `_{TENANT_ID}.zoho.<module>.<field>` (camelCase), lookups as their `.id`
// and `.name` parts; the user then moves fields to standard XDM paths and adds an identity, the
// way the built-in templates do. The class follows the module: see schemaClass.
import { dirname, relative, sep } from 'node:path';
import { para } from '../core/text.js';
import { SCHEMA_FILE, camelCase } from './load.js';
import { TENANT_PLACEHOLDER } from './types.js';
import type { Template, TemplateMapping } from './types.js';

export interface StarterColumn {
  name: string;
  type: string;
  xdm?: { type: string; format?: string; properties?: Record<string, unknown> };
  'meta:xdmType'?: string;
}

export interface Starter {
  template: Template;
  /** Why the delta column is what it is, when it is not Modified_Time (for a warning). */
  deltaNote?: string;
}

const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
/**
 * Adobe's record behaviour. No standard XDM class fits most Zoho modules (Products, Tasks, custom
 * ones), and a behaviour is never a class, so with it as `class` the fallbackClass (a tenant class
 * with record behaviour) is made in every org.
 */
export const RECORD_BEHAVIOR = 'https://ns.adobe.com/xdm/data/record';
type SchemaClass = Pick<Template['target']['schema'], 'class' | 'fallbackClass'>;
/** The B2B classes of the built-in accounts and deals templates, with their fallbacks, word for word. */
const B2B_CLASSES: Record<string, SchemaClass> = {
  Accounts: {
    class: 'https://ns.adobe.com/xdm/context/account',
    fallbackClass: {
      title: 'Zoho CRM Account',
      description: 'A Zoho CRM account, for orgs without the XDM Business Account class (created by aep-zoho).',
      behavior: 'record',
    },
  },
  Deals: {
    class: 'https://ns.adobe.com/xdm/context/opportunity',
    fallbackClass: {
      title: 'Zoho CRM Deal',
      description: 'A Zoho CRM deal, for orgs without the XDM Business Opportunity class (created by aep-zoho).',
      behavior: 'record',
    },
  },
};
/** The parts of a Zoho lookup worth keeping (the `email` of user lookups is personal data, left out). */
const LOOKUP_PARTS = ['id', 'name'];

export function starterTemplate(
  table: { name: string; path: string },
  columns: StarterColumn[],
  outputFile: string,
  name = templateName(table.name),
): Starter {
  const module = camelCase(table.name);
  const root = `${TENANT_PLACEHOLDER}.zoho.${module}`;
  const label = table.name.replace(/_/g, ' ');
  const taken = new Set<string>();
  /** camelCase names can collide (`Email_Opt_Out`, `EmailOptOut`): number the later ones. */
  const unique = (field: string) => {
    let name = field;
    for (let n = 2; taken.has(name); n++) name = `${field}${n}`;
    taken.add(name);
    return name;
  };
  const mappings: TemplateMapping[] = [];
  for (const column of columns) {
    const field = unique(camelCase(column.name));
    // A lookup ({ name, id }: https://www.zoho.com/crm/developer/docs/api/v8/get-records.html): its
    // parts as explore gives them, else (Adobe's Zoho source lists it as a bare `object`) id and name.
    // Mapped whole, an object would land as a string, which no one wants of a lookup.
    const isLookup = column.type === 'object' || column.xdm?.type === 'object';
    const given = Object.keys(column.xdm?.properties ?? {});
    const parts = given.length ? given : LOOKUP_PARTS;
    if (isLookup) {
      // A lookup ({name, id}) becomes an object with the parts Data Prep reaches by dot notation.
      const wanted = LOOKUP_PARTS.filter((part) => parts.includes(part));
      for (const part of wanted.length ? wanted : parts)
        mappings.push({ source: `${column.name}.${part}`, destination: `${root}.${field}.${camelCase(part)}` });
    } else {
      mappings.push({ source: column.name, destination: `${root}.${field}` });
    }
  }
  const { deltaColumn, note } = pickDeltaColumn(columns);
  const schemaPath = relative(dirname(outputFile), SCHEMA_FILE).split(sep).join('/');
  const template: Template = {
    $schema: schemaPath.startsWith('.') ? schemaPath : `./${schemaPath}`,
    name,
    description: para`Zoho CRM ${label}: every column in a tenant field group (starter from 'aep-zoho templates init';
      map standard XDM fields and an identity as needed)`,
    source: { table: table.name, deltaColumn },
    target: {
      schema: {
        title: `Zoho CRM ${label}`,
        description: `Zoho CRM ${label} ingested by aep-zoho.`,
        ...schemaClass(table.name, label, columns),
        fieldGroups: [],
      },
      fieldGroup: {
        title: `Zoho CRM ${label} fields`,
        description: `Zoho CRM ${label.toLowerCase()} fields (created by aep-zoho).`,
      },
      dataset: {
        name: `Zoho CRM ${label}`,
        description: `Zoho CRM ${label}, ingested by the aep-zoho dataflow.`,
        profileEnabled: false,
      },
    },
    mappings,
    schedule: { frequency: 'hour', interval: 1, backfill: true },
  };
  return { template, deltaNote: note };
}

/**
 * People (Contacts, Leads, any module with a name and an email) are XDM Individual Profiles, which
 * every org has; Accounts and Deals take the built-in templates' B2B classes and fallbacks; anything
 * else is a record of its own: a tenant class with record behaviour.
 */
export function schemaClass(module: string, label: string, columns: StarterColumn[]): SchemaClass {
  const names = new Set(columns.map((c) => c.name));
  const person =
    module === 'Contacts' ||
    module === 'Leads' ||
    ((names.has('First_Name') || names.has('Last_Name')) && names.has('Email'));
  if (person) return { class: PROFILE_CLASS };
  const b2b = B2B_CLASSES[module];
  if (b2b) return structuredClone(b2b);
  const singular = singularOf(label);
  // The class title must differ from the schema's (`Zoho CRM <label>`).
  const entity = singular === label ? `${label} record` : singular;
  return {
    class: RECORD_BEHAVIOR,
    fallbackClass: {
      title: `Zoho CRM ${entity}`,
      description: para`A Zoho CRM ${singular === label ? entity : entity.toLowerCase()}, as a tenant class with record
        behavior: XDM has no standard class for it (created by aep-zoho).`,
      behavior: 'record',
    },
  };
}

/** `Products` → `Product`, `Opportunities` → `Opportunity`, `Sales Orders` → `Sales Order`; others as they are. */
function singularOf(label: string): string {
  if (/[^aeiou]ies$/i.test(label)) return `${label.slice(0, -3)}y`;
  if (/(ss|us|is)$/i.test(label) || !/s$/i.test(label)) return label;
  return label.slice(0, -1);
}

/** Modified_Time when the table has it, else the first date-time column. */
function pickDeltaColumn(columns: StarterColumn[]): { deltaColumn: string; note?: string } {
  if (columns.some((c) => c.name === 'Modified_Time')) return { deltaColumn: 'Modified_Time' };
  const isDateTime = (c: StarterColumn) => c.xdm?.format === 'date-time' || c['meta:xdmType'] === 'date-time';
  const candidate =
    columns.find((c) => isDateTime(c) && /modif|updat|change/i.test(c.name)) ?? columns.find(isDateTime);
  if (candidate)
    return {
      deltaColumn: candidate.name,
      note: para`The table has no Modified_Time column; the delta column is '${candidate.name}'. Check that it changes
        whenever a record does.`,
    };
  return {
    deltaColumn: 'Modified_Time',
    note: para`The table has no Modified_Time or other date-time column; source.deltaColumn says 'Modified_Time' — set
      it to the column that changes whenever a record does.`,
  };
}

/** The table name as a template name: lowercase, and only the characters a template name allows. */
export function templateName(table: string): string {
  const name = table
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 64);
  return name || 'template';
}
