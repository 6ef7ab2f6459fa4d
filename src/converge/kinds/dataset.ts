// The template's dataset. A replaced one is renamed aside and kept with its data.
import { catalog, createdDatasetId, datasetsNamed, datasetsOf } from '../../aep/catalog.js';
import { suffixed } from '../names.js';
import { unlessNotFound } from '../../core/errors.js';
import { ANY, marked, oldestFirst, type FindContext, type KindSpec } from '../kind.js';
import type { Actual } from '../types.js';
import { nameAndDescription, type FieldRule } from '../rules.js';

/** Adobe may add values of its own to a tag: only the ones we need must be there. */
const tagsIncluded: FieldRule = (want, have) => {
  const tags = (have ?? {}) as Record<string, string[]>;
  const missing = Object.entries((want ?? {}) as Record<string, string[]>).filter(
    ([tag, values]) => !values.every((v) => (tags[tag] ?? []).includes(v)),
  );
  if (!missing.length) return undefined;
  return {
    changes: missing.map(([tag, values]) => ({ field: `tags.${tag}`, from: tags[tag], to: values })),
    value: {
      ...tags,
      ...Object.fromEntries(missing.map(([tag, values]) => [tag, [...new Set([...(tags[tag] ?? []), ...values])]])),
    },
  };
};

/** The datasets these target connections write, read by id (one that is gone is left out). */
async function behind(ctx: FindContext, targets: Actual[]): Promise<Actual[]> {
  const ids = [...new Set(targets.map((t) => String(t.resource.params?.dataSetId)))];
  const read: Array<Actual | undefined> = await Promise.all(
    ids.map(async (id) => dataset.read(await unlessNotFound(ctx.platform.send(catalog.get(id))), id)),
  );
  return read.filter((d): d is Actual => !!d);
}

export const dataset = {
  label: 'dataset',
  scope: 'template',
  dependsOn: ['schema', 'descriptor'],
  name: (n) => suffixed(n, (t) => t.target.dataset.name),
  // Destroy: the datasets our target connections write (Catalog has no list to search by our suffix).
  within: 'targetConnection',
  find: async (ctx, { name, within }) =>
    name === ANY
      ? behind(ctx, within ?? [])
      : oldestFirst(
          (await datasetsNamed(ctx.platform, name))
            .filter((d) => d.name === name)
            .map((d) => ({ id: d.id, name: d.name, resource: d as Record<string, any> })),
        ),
  owned: marked,
  get: (id) => catalog.get(id),
  read: (answer, id) => {
    const found = datasetsOf(answer).find((d) => d.id === id);
    return found ? { id, name: found.name, resource: found } : undefined;
  },
  create: (body) => catalog.create(body),
  created: (answer) => ({ id: createdDatasetId(answer) }),
  rules: {
    replaceOn: [{ path: 'schemaRef.id', what: 'schema' }],
    patch: { ...nameAndDescription, tags: tagsIncluded },
    // Catalog's PATCH takes the fields themselves.
    send: (actual, edits) => catalog.patch(actual.id, Object.fromEntries(edits.map((e) => [e.field, e.value]))),
  },
  delete: (actual) => [catalog.delete(actual.id)],
  retire: { mode: 'rename', request: (actual, name) => catalog.patch(actual.id, { name }) },
} satisfies KindSpec;
