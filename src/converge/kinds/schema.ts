// The template's schema: its class and field groups. Hand-written rule: the allOf takes additions
// only, and a Profile schema's primary identity is the planner's rule (plan.ts).
import type { JsonPatch } from '../../aep/flow-service.js';
import { schemaRegistry } from '../../aep/schema-registry.js';
import { suffixed } from '../names.js';
import { registryKind, renameRegistry, type KindSpec } from '../kind.js';
import { diff, forces, registryPatch, replacing, same, unresolved, type UpdateRule } from '../rules.js';
import { refsOf } from './class.js';
import { description } from './fieldGroup.js';

const update: UpdateRule = (desired, actual, body) => {
  const want = refsOf(body.allOf);
  const have = refsOf(actual.resource.allOf);
  if (unresolved(body['meta:class'])) return replacing('forces replacement: its class is new');
  if (actual.resource['meta:class'] && !same(body['meta:class'], actual.resource['meta:class'])) {
    return forces('class', actual.resource['meta:class'], body['meta:class']);
  }
  // A new field group is an additive change: its $ref, known once it is made, is added (§3.3).
  const removed = have.filter((ref) => !want.includes(ref) && ref !== actual.resource['meta:class']);
  if (removed.length)
    return replacing(
      `forces replacement: field group ${removed.join(', ')} would be removed (Adobe allows only additive schema changes)`,
    );
  const described = diff({ ...description, send: registryPatch('schemas') }, desired, actual, body);
  const added: unknown[] = [
    ...want.filter((ref) => !have.includes(ref)),
    ...(body.allOf as Array<{ $ref: unknown }>).map((entry) => entry.$ref).filter(unresolved),
  ];
  const ops: JsonPatch = [
    ...((described.requests[0]?.body as JsonPatch | undefined) ?? []),
    ...added.map((ref) => ({ op: 'add' as const, path: '/allOf/-', value: { $ref: ref } })),
  ];
  const changes = [
    ...described.changes,
    ...added.map((ref) => ({ field: 'allOf', to: unresolved(ref) ? 'the new field group' : ref })),
  ];
  return { changes, requests: ops.length ? [schemaRegistry.patch('schemas', actual.id, ops)] : [] };
};

export const schema = {
  label: 'schema',
  scope: 'template',
  dependsOn: ['class', 'fieldGroup'],
  name: (n) => suffixed(n, (t) => t.target.schema.title),
  ...registryKind('schemas'),
  rules: update,
  delete: (actual) => [schemaRegistry.delete('schemas', actual.id)],
  // A schema enabled for Profile can never be deleted (ruling 16): destroy keeps it.
  undeletable: (actual) =>
    (actual.resource['meta:immutableTags'] ?? []).includes('union')
      ? 'enabled for Profile: Adobe never lets such a schema be deleted'
      : undefined,
  retire: renameRegistry('schemas'),
} satisfies KindSpec;
