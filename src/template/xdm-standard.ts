// Adobe's standard XDM classes and field groups, bundled (data/xdm-standard.json, generated from
// https://github.com/adobe/xdm by scripts/xdm-fields.js), so a template's destinations can be
// checked without an org. What the bundle does not hold (a tenant class, a field group of the org's
// own) can only be checked by `dataflow create --dry-run`, which reads the org's Schema Registry.
import { readFileSync } from 'node:fs';
import type { Template } from './types.js';
import { TENANT_PLACEHOLDER } from './types.js';

interface Standard {
  title: string;
  paths: Record<string, string>;
}
interface Bundle {
  source: string;
  classes: Record<string, Standard & { behavior?: string }>;
  fieldGroups: Record<string, Standard & { intendedToExtend: string[] }>;
}

let bundle: Bundle | undefined;
function load(): Bundle {
  bundle ??= JSON.parse(readFileSync(new URL('../../data/xdm-standard.json', import.meta.url), 'utf8')) as Bundle;
  return bundle;
}

export interface DestinationCheck {
  /** The class and field groups whose fields were checked. */
  checked: string[];
  /** What the template names that is not a standard class or field group: needs the org. */
  needsOrg: string[];
  /** Destinations none of them has, with the closest standard path. */
  missing: Array<{ index: number; destination: string; closest?: string }>;
  /** Field groups that do not extend the template's class. */
  misplaced: string[];
}

/**
 * Checks every standard destination (not under `_{TENANT_ID}`) against the template's class and
 * field groups. Nothing is called missing unless every one of them is a standard one: a field of an
 * unknown (tenant) field group would otherwise look wrong.
 */
export async function checkDestinations(template: Template): Promise<DestinationCheck> {
  const { classes, fieldGroups } = load();
  const schema = template.target.schema;
  const named = [schema.class, ...(schema.fieldGroups ?? [])];
  const needsOrg = named.filter((id) => !classes[id] && !fieldGroups[id]);
  const known = named.filter((id) => classes[id] || fieldGroups[id]);
  const misplaced = (schema.fieldGroups ?? []).filter((id) => {
    // A field group meant for a behaviour (record, time-series) fits any class of that behaviour.
    const extend = fieldGroups[id]?.intendedToExtend ?? [];
    const cls = classes[schema.class];
    return (
      cls && extend.length > 0 && !extend.includes(schema.class) && !(cls.behavior && extend.includes(cls.behavior))
    );
  });
  if (needsOrg.length) return { checked: known, needsOrg, missing: [], misplaced };
  const paths = new Set(known.flatMap((id) => Object.keys((classes[id] ?? fieldGroups[id]).paths)));
  const wrong = template.mappings
    .map((m, index) => ({ index, destination: m.destination }))
    .filter((m) => !m.destination.startsWith(`${TENANT_PLACEHOLDER}.`) && !paths.has(m.destination));
  if (!wrong.length) return { checked: known, needsOrg, missing: [], misplaced };
  const { closest } = await import('fastest-levenshtein');
  const all = [...paths];
  return {
    checked: known,
    needsOrg,
    missing: wrong.map((m) => ({ ...m, closest: all.length ? closest(m.destination, all) : undefined })),
    misplaced,
  };
}

/**
 * Where a soft delete lands (`deletes: soft`): `isDeleted`, the Record Status field
 * (https://ns.adobe.com/xdm/mixins/record-status), when the template's class or one of its standard
 * field groups has it (the XDM Business Account and Opportunity classes do, aep-fallback.md §5.4);
 * otherwise `_{TENANT_ID}.zoho.<module>.isDeleted`, which the template's tenant field group gains
 * (a new optional field: an additive change, allowed once data landed). A class the bundle does not
 * know (a tenant class) gets the tenant field too.
 */
export function deletedDestination(template: Template): string {
  const { classes, fieldGroups } = load();
  const schema = template.target.schema;
  const standard = [schema.class, ...(schema.fieldGroups ?? [])].some(
    (id) => (classes[id] ?? fieldGroups[id])?.paths.isDeleted === 'boolean',
  );
  return standard ? 'isDeleted' : `${TENANT_PLACEHOLDER}.zoho.${template.source.table.toLowerCase()}.isDeleted`;
}
