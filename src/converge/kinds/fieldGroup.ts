// The template's field group: our fields under the tenant namespace. Hand-written rule: Adobe takes
// only additive changes to the field tree once a dataset exists (aep-updates.md §3.2).
import type { JsonPatch } from '../../aep/flow-service.js';
import { schemaRegistry } from '../../aep/schema-registry.js';
import { suffixed } from '../names.js';
import { registryKind, renameRegistry, type KindSpec } from '../kind.js';
import { diff, forces, registryPatch, replaceOp, replacing, unresolved, type UpdateRule } from '../rules.js';

type Properties = Record<string, { type?: string; format?: string; properties?: Properties; [key: string]: unknown }>;

/** The tenant properties of a field group, and the JSON Pointer they live at. */
export function tenantProperties(
  fieldGroup: Record<string, any>,
  tenantNs: string,
): { properties: Properties; pointer: string } | undefined {
  for (const [key, definition] of Object.entries<any>(fieldGroup.definitions ?? {})) {
    const tenant = definition?.properties?.[tenantNs];
    if (tenant?.properties)
      return {
        properties: tenant.properties,
        pointer: `/definitions/${esc(key)}/properties/${esc(tenantNs)}/properties`,
      };
  }
  return undefined;
}

const esc = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const typeOf = (node: Properties[string]) => (node.format ? `${node.type}:${node.format}` : String(node.type));

/** Walks desired against actual: what to add, what was retyped, what the template no longer names. */
function compareFields(desired: Properties, actual: Properties, pointer: string, path: string[] = []) {
  const add: JsonPatch = [];
  const retyped: string[] = [];
  const leftOver: string[] = [];
  for (const [key, node] of Object.entries(desired)) {
    const here = [...path, key];
    const existing = actual[key];
    if (!existing) add.push({ op: 'add', path: `${pointer}/${esc(key)}`, value: node });
    else if (node.properties && existing.properties) {
      const inner = compareFields(node.properties, existing.properties, `${pointer}/${esc(key)}/properties`, here);
      add.push(...inner.add);
      retyped.push(...inner.retyped);
      leftOver.push(...inner.leftOver);
    } else if (!!node.properties !== !!existing.properties || typeOf(node) !== typeOf(existing)) {
      retyped.push(
        `${here.join('.')} (${existing.properties ? 'object' : typeOf(existing)} → ${node.properties ? 'object' : typeOf(node)})`,
      );
    }
  }
  for (const key of Object.keys(actual)) if (!desired[key]) leftOver.push([...path, key].join('.'));
  return { add, retyped, leftOver };
}

const pointerPath = (pointer: string, base: string) =>
  pointer
    .slice(base.length + 1)
    .split('/')
    .filter((s) => s !== 'properties')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
const describeField = (value: unknown) => {
  const node = value as Properties[string];
  return node?.properties ? `object {${Object.keys(node.properties).join(', ')}}` : typeOf(node);
};

/** The description, in place (as on a class or schema). */
export const description = { patch: { description: replaceOp } };

const update: UpdateRule = (desired, actual, body) => {
  const tenantNs = String(desired.facts?.tenantNs);
  const want = tenantProperties(body, tenantNs);
  const have = tenantProperties(actual.resource, tenantNs);
  const extend = (body['meta:intendedToExtend'] as unknown[])?.[0];
  // A field group extends the classes it names, and a schema takes only field groups of its class.
  if (unresolved(extend)) return replacing('forces replacement: its class is new');
  if (extend && !((actual.resource['meta:intendedToExtend'] as unknown[]) ?? []).includes(extend)) {
    return forces('class', (actual.resource['meta:intendedToExtend'] as unknown[])?.[0], extend);
  }
  const described = diff({ ...description, send: registryPatch('fieldgroups') }, desired, actual, body);
  if (!want) return described;
  if (!have) return replacing(`forces replacement: field group ${actual.name} has no ${tenantNs} fields to extend`);
  const fields = compareFields(want.properties, have.properties, have.pointer);
  // Once a dataset exists Adobe takes additive schema changes only (aep-updates.md §3.2).
  if (fields.retyped.length)
    return replacing(
      `forces replacement: retyped field ${fields.retyped.join(', ')} (Adobe allows only additive schema changes once a dataset exists)`,
    );
  const changes = [
    ...described.changes,
    ...fields.add.map((op) => ({
      field: `${tenantNs}.${pointerPath(op.path, have.pointer)}`,
      to: describeField(op.value),
    })),
  ];
  const ops = [...((described.requests[0]?.body as JsonPatch | undefined) ?? []), ...fields.add];
  const leftOver = fields.leftOver.map((path) => ({
    field: `${tenantNs}.${path}`,
    note: `field ${tenantNs}.${path} stays in the field group: no mapping writes it any more (Adobe allows only additive schema changes)`,
  }));
  return { changes, requests: ops.length ? [schemaRegistry.patch('fieldgroups', actual.id, ops)] : [], leftOver };
};

export const fieldGroup = {
  label: 'field group',
  scope: 'template',
  dependsOn: ['class'],
  name: (n) => suffixed(n, (t) => t.target.fieldGroup.title),
  ...registryKind('fieldgroups'),
  rules: update,
  delete: (actual) => [schemaRegistry.delete('fieldgroups', actual.id)],
  retire: renameRegistry('fieldgroups'),
} satisfies KindSpec;
