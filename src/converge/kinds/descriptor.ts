// The identity descriptor of the template's schema. It has no name of ours: observe and destroy find
// it through its schema; a create whose answer was lost, by what the create body described.
import { schemaRegistry } from '../../aep/schema-registry.js';
import { templateOf, xdmDestination } from '../names.js';
import { ANY, noId, type KindSpec } from '../kind.js';
import { replacing, same, unresolved, type UpdateRule } from '../rules.js';

export const describeIdentity = (d: Record<string, unknown>) =>
  `${String(d['xdm:namespace'])} on ${String(d['xdm:sourceProperty'] ?? '')
    .replace(/^\//, '')
    .replace(/\//g, '.')}`;

const FIELDS = ['xdm:sourceSchema', 'xdm:sourceProperty', 'xdm:namespace', 'xdm:isPrimary', 'xdm:property'];

/** Hand-written: a descriptor is replaced whole by a PUT, and a new schema means a new descriptor. */
const update: UpdateRule = (_desired, actual, body) => {
  if (unresolved(body['xdm:sourceSchema'])) return replacing('forces replacement: its schema is new');
  const changes = FIELDS.filter((f) => !same(body[f], actual.resource[f])).map((field) => ({
    field,
    from: actual.resource[field],
    to: body[field],
  }));
  return { changes, requests: changes.length ? [schemaRegistry.putDescriptor(actual.id, body)] : [] };
};

const read = (answer: any, id: string) =>
  answer?.['@type'] ? { id: String(answer['@id'] ?? id), name: describeIdentity(answer), resource: answer } : undefined;

export const descriptor = {
  label: 'identity descriptor',
  scope: 'template',
  dependsOn: ['schema'],
  // Not a name of ours (Adobe gives descriptors none): what it says, as plans print it.
  name: (n) => {
    const { identity } = templateOf(n);
    if (!identity) throw new Error('a descriptor is named for a template with an identity');
    return `${identity.namespace} on ${xdmDestination(identity.destination, n.tenantId ?? '', !!n.fallback)}`;
  },
  // Destroy: the identity descriptors of our schemas (each belongs to its schema's template).
  within: 'schema',
  belongsTo: (actual) => actual.resource['xdm:sourceSchema'],
  unnamed: true,
  find: async (ctx, { name, made, within }) => {
    if (name === ANY && !made) {
      const lists = await Promise.all(
        (within ?? []).map(async (s) =>
          (await ctx.shared.registry.descriptors(s.id).catch(() => []))
            .filter((d) => d['@type'] === 'xdm:descriptorIdentity' && d['xdm:sourceSchema'] === s.id)
            .map((d) => read(d, String(d['@id']))!),
        ),
      );
      return lists.flat();
    }
    if (!made) return [];
    const found = (await ctx.shared.registry.descriptors(made['xdm:sourceSchema'])).filter(
      (d) =>
        d['@type'] === made['@type'] &&
        d['xdm:sourceProperty'] === made['xdm:sourceProperty'] &&
        d['xdm:namespace'] === made['xdm:namespace'],
    );
    return found.map((d) => read(d, String(d['@id']))!);
  },
  // No marker: ours while it describes our schema.
  owned: () => false,
  get: (id) => schemaRegistry.descriptor(id),
  read,
  create: (body) => schemaRegistry.createDescriptor(body),
  created: (answer) => {
    const id = answer?.['@id'] ?? answer?.$id;
    if (typeof id !== 'string' || !id) throw noId('POST tenant/descriptors', answer);
    return { id };
  },
  adopted: (actual) => ({ id: actual.id }),
  rules: update,
  delete: (actual) => [schemaRegistry.delete('descriptors', actual.id)],
  retire: { mode: 'keep' },
} satisfies KindSpec;
