// Adobe's schema evolution principles (help/xdm/schema/composition.md, "Schema evolution
// principles"; aep-updates.md §3.2): once a dataset exists for a schema, "the rules of schema
// evolution become strictly enforced by the system for all the fields in the schema". Supported:
// adding fields, making a required field optional, new required fields, new title and description.
// Breaking, and so refused: "Removing previously defined fields", "Renaming or redefining existing
// fields" (a type change redefines; a rename removes the old path), "Removing or restricting
// previously supported field values", "Moving existing fields to a different location in the tree".
import { flattenFields, type FieldTree } from './xdm-classes.js';

/** One leaf field: its XDM type and, when the field restricts its values, the allowed ones. */
export interface FieldSignature {
  type: string;
  enum?: string[];
}

/** Leaf fields of a field tree plus the enums found in the JSON Schema `properties` that define it. */
export function signatures(tree: FieldTree, definitions: unknown = {}): Map<string, FieldSignature> {
  const enums = new Map<string, string[]>();
  for (const definition of Object.values((definitions ?? {}) as Record<string, any>))
    collectEnums(definition?.properties, '', enums);
  return new Map(
    [...flattenFields(tree)].map(([path, type]) => [
      path,
      { type, ...(enums.has(path) ? { enum: enums.get(path) } : {}) },
    ]),
  );
}

function collectEnums(properties: unknown, prefix: string, into: Map<string, string[]>): void {
  if (!properties || typeof properties !== 'object') return;
  for (const [name, raw] of Object.entries(properties as Record<string, any>)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (Array.isArray(raw?.enum)) into.set(path, raw.enum.map(String));
    collectEnums(raw?.properties, path, into);
  }
}

/** The breaking changes from `before` to `after`, each as a sentence; none for an additive change. */
export function breakingChanges(before: Map<string, FieldSignature>, after: Map<string, FieldSignature>): string[] {
  const changes: string[] = [];
  for (const [path, was] of before) {
    const now = after.get(path);
    if (!now) {
      changes.push(`field '${path}' would be removed (renaming or moving a field removes it)`);
      continue;
    }
    if (now.type !== was.type) changes.push(`field '${path}' would be redefined from ${was.type} to ${now.type}`);
    const dropped = was.enum ? was.enum.filter((value) => !(now.enum ?? was.enum!).includes(value)) : [];
    if (!was.enum && now.enum) changes.push(`field '${path}' would be restricted to the values ${now.enum.join(', ')}`);
    if (dropped.length)
      changes.push(`field '${path}' would no longer accept ${dropped.map((value) => `'${value}'`).join(', ')}`);
  }
  return changes;
}
