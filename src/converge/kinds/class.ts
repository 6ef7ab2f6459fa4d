// A tenant class: made only when a template's standard class is missing (its fallback class).
import { schemaRegistry } from '../../aep/schema-registry.js';
import { suffixed } from '../names.js';
import { registryKind, renameRegistry, type KindSpec } from '../kind.js';
import { registryPatch, replaceOp } from '../rules.js';

/** The known $refs of an allOf (a Ref to a resource not made yet is not one of them). */
export const refsOf = (allOf: unknown): string[] =>
  Array.isArray(allOf)
    ? allOf
        .map((entry) => (entry as { $ref?: unknown })?.$ref)
        .filter((ref): ref is string => typeof ref === 'string' && !!ref)
    : [];

export const xdmClass = {
  label: 'class',
  scope: 'template',
  dependsOn: [],
  name: (n) => suffixed(n, (t) => t.target.schema.fallbackClass?.title ?? t.target.schema.title),
  ...registryKind('classes'),
  rules: {
    // The behaviour is the first $ref of ours; Adobe's allOf may list more: it is kept while it is there.
    normalise: (body, resource) => {
      const base = refsOf(body.allOf)[0];
      const have = refsOf(resource.allOf);
      return {
        body: { ...body, behaviour: base },
        resource: { ...resource, behaviour: !base || have.includes(base) ? base : have[0] },
      };
    },
    replaceOn: [{ path: 'behaviour', what: 'class behaviour' }],
    patch: { description: replaceOp },
    send: registryPatch('classes'),
  },
  delete: (actual) => [schemaRegistry.delete('classes', actual.id)],
  retire: renameRegistry('classes'),
} satisfies KindSpec;
