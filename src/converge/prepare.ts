// Between observe and plan: each template checked against what was observed (its table's columns,
// the org's standard class and field groups), then turned into desired resources (desire.ts).
// Pure but for reading the template file for a line number in a message.
import { closest, distance } from 'fastest-levenshtein';
import type { ExploreColumn } from '../aep/flow-service.js';
import type { Logger } from '../core/context.js';
import { UsageError, UserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { lineOf } from '../template/load.js';
import { TENANT_PLACEHOLDER, type LoadedTemplate, type TemplateMapping } from '../template/types.js';
import { desireTemplate, mappingColumns, unknownType, type TemplateFacts } from './desire.js';
import type { TemplateObservation } from './observe-template.js';
import type { Desired } from './types.js';

/** What one template needs from the lookups, and what they found. */
export interface Prepared {
  loaded: LoadedTemplate;
  observed: TemplateObservation;
  mappings: TemplateMapping[];
  skippedColumns: string[];
  fallback: boolean;
  tenantId: string;
  desired: Desired[];
}

/** Checks a template against its table and turns it into desired resources. */
export function prepare(
  loaded: LoadedTemplate,
  observed: TemplateObservation,
  facts: Omit<TemplateFacts, 'fallback' | 'table' | 'columns' | 'mappings'>,
  connectionId: string,
): Prepared {
  const { template } = loaded;
  const { table, columns } = observed;
  const have = new Set(columns.map((c: ExploreColumn) => c.name));
  checkRequiredColumns(loaded, observed, have);
  // Commas separate alternatives in Adobe's filters (ruling 15): none in the names we look up.
  for (const [field, value] of [
    ['/target/dataset/name', template.target.dataset.name],
    ['/target/schema/title', template.target.schema.title],
    ['/target/fieldGroup/title', template.target.fieldGroup.title],
  ] as const) {
    if (value.includes(','))
      throw new UsageError(`Template '${template.name}' (${loaded.file}): ${field} '${value}' contains a comma.`, {
        hint: 'Adobe reads a comma in a lookup filter as "or": remove it from the name.',
      });
  }
  const skipped = new Set<string>();
  const mappings = template.mappings.filter((m) => {
    const missing = mappingColumns(m).filter((c) => !have.has(c));
    for (const c of missing) skipped.add(c);
    return missing.length === 0;
  });
  if (!observed.classExists && !template.target.schema.fallbackClass) {
    throw new UserError(
      `This organization has no XDM class ${template.target.schema.class}, which template '${template.name}' needs.`,
      {
        hint: para`Add a fallbackClass to the template (see 'aep-zoho templates show accounts'), or ask your Adobe
          admin about the B2B edition.`,
      },
    );
  }
  const fallback = !observed.classExists;
  if (!fallback) checkDestinations(loaded, observed, mappings);
  const desired = desireTemplate(template, { ...facts, fallback, table, columns, mappings }, connectionId);
  return { loaded, observed, mappings, skippedColumns: [...skipped], fallback, tenantId: facts.tenantId, desired };
}

/** The delta column and the identity's column must be in the table. */
function checkRequiredColumns(loaded: LoadedTemplate, { table }: TemplateObservation, have: Set<string>): void {
  const { template } = loaded;
  const required = [
    ['delta column', template.source.deltaColumn],
    ...(template.identity ? [['identity column', template.identity.source.split('.')[0]]] : []),
  ];
  for (const [role, column] of required) {
    if (!have.has(column)) {
      throw new UsageError(
        para`Template '${template.name}' (${loaded.file}): the ${role} '${column}' is not a column of table
          ${table.name} (${table.path}).`,
        {
          hint: para`A Zoho admin may have hidden or renamed the field; check 'aep-zoho explore ${table.name}', then fix
            the template's ${role === 'delta column' ? '/source/deltaColumn' : '/identity/source'}.`,
        },
      );
    }
  }
}

/**
 * Every destination must exist before the first write: a standard one in the class or its field
 * groups, a tenant one in the field group this run makes (with a fallback class, all are tenant).
 */
function checkDestinations(loaded: LoadedTemplate, observed: TemplateObservation, mappings: TemplateMapping[]) {
  const { template } = loaded;
  const standard = observed.standardPaths;
  if (!standard) return;
  const wrong = mappings.filter(
    (m) => !m.destination.startsWith(`${TENANT_PLACEHOLDER}.`) && !standard.has(m.destination),
  );
  if (!wrong.length) return;
  const known = [...standard];
  const list = wrong.map((m) => {
    const line = lineOf(loaded.file, m.destination);
    const near = closest(m.destination, known);
    return `${loaded.file}${line ? `:${line}` : ''}: ${m.destination}${near ? ` (did you mean ${near}?)` : ''}`;
  });
  throw new UsageError(
    para`Template '${template.name}' maps to destination${wrong.length > 1 ? 's' : ''} that
      ${template.target.schema.class} and its field groups do not have: ${list.join('; ')}.`,
    {
      hint: para`Fix the destination, add the field group that has it to /target/schema/fieldGroups, or map it under
        ${TENANT_PLACEHOLDER}. (the tenant field group aep-zoho makes).`,
    },
  );
}

/**
 * A misspelled column would silently never be ingested: an error naming the template line and the
 * closest column, unless --allow-missing-columns says the gap is deliberate (then a warning). A
 * column of a type aep-zoho does not know is said too: it lands as a string.
 */
export function checkColumns(log: Logger, prepared: Prepared[], allowMissingColumns: boolean | undefined): void {
  const missing = prepared.flatMap((p) =>
    p.skippedColumns.map((c) => {
      const near = closest(
        c,
        p.observed.columns.map((col) => col.name),
      );
      const line = lineOf(p.loaded.file, c);
      const guess = near && distance(near.toLowerCase(), c.toLowerCase()) <= 2 ? ` (did you mean ${near}?)` : '';
      return {
        template: p.loaded.template.name,
        text: `${p.loaded.file}${line ? `:${line}` : ''}: column ${c} is not in table ${p.observed.table.name}${guess}`,
      };
    }),
  );
  if (missing.length && !allowMissingColumns) {
    const what = missing.length === 1 ? `'${missing[0].template}' maps a column` : 'mappings name columns';
    throw new UsageError(`Template ${what} the table does not have: ${missing.map((m) => m.text).join('; ')}.`, {
      hint: para`Fix the column name (\`aep-zoho explore <table>\` lists them), or pass --allow-missing-columns to skip
        those mappings on purpose.`,
    });
  }
  for (const m of missing) log.warn(`${m.text}; its mapping is skipped.`);
  for (const p of prepared) {
    // Columns mapped as they are (a lookup's `Owner.id` is a string whatever the column's type).
    const used = new Set(p.mappings.filter((m) => m.source && !m.source.includes('.')).map((m) => m.source!));
    for (const column of p.observed.columns.filter((c) => used.has(c.name))) {
      const raw = unknownType(column);
      if (raw)
        log.warn(
          para`${p.loaded.template.name}: column ${column.name} has the type '${raw}', which aep-zoho does not know;
            it lands as an XDM string.`,
        );
    }
  }
}
