// The template's mapping set (Data Prep). It has no name in Adobe's lists (ruling 14): observe finds
// it through the flow and the schema; a create whose answer was lost, by the schema it writes.
// Hand-written rule: a mapping set is replaced whole by a PUT, which bumps its version; the flow then
// moves to that version.
import { dataPrep, mappingSetSchema, type Mapping, type MappingSet } from '../../aep/data-prep.js';
import { UserError } from '../../core/errors.js';
import { templateOf } from '../names.js';
import { EndlessListingError } from '../../http/pages.js';
import { ANY, noId, type FindContext, type KindSpec } from '../kind.js';
import type { Actual } from '../types.js';
import { forces, same, unresolved, type UpdateRule } from '../rules.js';
import type { Change } from '../types.js';

export const MAPPING_SET_KEPT = 'Data Prep has no DELETE for mapping sets; it stays, unused once its dataflow is gone';

/** Data Prep stores source types as media types (aep-api.md §7). */
const SOURCE_TYPES: Record<string, string> = {
  'TEXT/X.SCHEMA-PATH': 'ATTRIBUTE',
  'TEXT/X.AEP-XL': 'EXPRESSION',
  'TEXT/PLAIN': 'STATIC',
};

/** A mapping as one comparable line, in either body style Adobe stores. */
export function mappingLine(m: Mapping): string {
  const type = String(m.sourceType ?? 'ATTRIBUTE').toUpperCase();
  return `${SOURCE_TYPES[type] ?? type} ${m.source ?? m.sourceAttribute} → ${m.destination ?? m.destinationXdmPath}`;
}

const update: UpdateRule = (_desired, actual, body) => {
  const schema = (body.outputSchema as { schemaRef: { id: unknown } }).schemaRef.id;
  // A mapping set writes one schema; another schema means a new set (the old one cannot be deleted).
  if (unresolved(schema) || !same(schema, mappingSetSchema(actual.resource as MappingSet)))
    return forces('schema', mappingSetSchema(actual.resource as MappingSet), schema);
  const want = (body.mappings as Mapping[]).map(mappingLine);
  const have = ((actual.resource.mappings as Mapping[] | undefined) ?? []).map(mappingLine);
  const changes: Change[] = [
    ...want.filter((line) => !have.includes(line)).map((line) => ({ field: 'mappings', to: line })),
    ...have.filter((line) => !want.includes(line)).map((line) => ({ field: 'mappings', from: line })),
  ];
  const version = Number((actual.resource as MappingSet).version);
  return { changes, requests: changes.length ? [dataPrep.put(actual.id, body, version)] : [] };
};

const read = (answer: MappingSet) =>
  answer?.id ? { id: answer.id, name: answer.name ?? answer.id, resource: answer } : undefined;

/** The mapping sets writing these schemas (none listed when there is no schema). */
async function writing(ctx: FindContext, schemas: Actual[]): Promise<Actual[]> {
  if (!schemas.length) return [];
  const all = await ctx.shared.mappingSets().catch((error) => {
    if (error instanceof EndlessListingError) throw error; // never read as "no mapping sets"
    return [];
  });
  return all.filter((m) => schemas.some((s) => s.id === mappingSetSchema(m))).map((m) => read(m)!);
}

export const mappingSet = {
  label: 'mapping set',
  scope: 'template',
  dependsOn: ['schema', 'fieldGroup'],
  // Data Prep's names take letters, digits and underscores.
  name: (n) => `aep_zoho_${n.profile}_${templateOf(n).name}`.replace(/[^A-Za-z0-9_]/g, '_'),
  // After a lost answer: those writing the schema the create named (and named like ours where names
  // are given), newest first: the one just made.
  // Destroy: those writing our schemas (each belongs to its schema's template).
  within: 'schema',
  belongsTo: (actual) => mappingSetSchema(actual.resource as MappingSet),
  find: async (ctx, { name, made, within }) =>
    name === ANY && !made
      ? writing(ctx, within ?? [])
      : made
        ? (await ctx.shared.mappingSets())
            .filter(
              (m) =>
                mappingSetSchema(m) === made.outputSchema.schemaRef.id && (m.name === undefined || m.name === name),
            )
            .sort((a, b) => Number(a.createdDate ?? 0) - Number(b.createdDate ?? 0))
            .reverse()
            .map((m) => read(m)!)
        : [],
  owned: () => false, // no marker: ours while it writes our schema
  // A version of 0 (or none) reads the current one.
  get: (id, version) => dataPrep.get(id, version || undefined),
  read,
  create: (body) => dataPrep.create(body),
  created: (answer) => {
    if (typeof answer?.id !== 'string' || !answer.id) throw noId('POST mappingSets', answer);
    return { id: answer.id, version: Number(answer.version ?? 0) };
  },
  adopted: (actual) => ({ id: actual.id, version: Number(actual.resource.version ?? 0) }),
  rules: update,
  // A PUT makes a new version, which the flow then moves to: without it, the flow would stay on the old one.
  updated: (answer, id) => {
    const version = Number(answer?.version);
    if (!Number.isInteger(version))
      throw new UserError(
        `Data Prep answered the update of mapping set ${id} without its new version; the dataflow still uses the old one.`,
        { hint: 'Re-run the command: it reads the mapping set again and moves the dataflow to its version.' },
      );
    return { version };
  },
  // Data Prep has no DELETE for mapping sets (aep-api.md §5; Adobe's data-prep.yaml has none, and the
  // service answers 405): never planned, so a later dry run does not plan it again, and said once, as kept.
  undeletable: () => MAPPING_SET_KEPT,
  retire: { mode: 'keep' },
} satisfies KindSpec;
