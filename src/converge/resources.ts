// The one table of resource kinds: per kind its label, its dependencies, how to read it by id, how
// to create, update (what changes in place, what forces a replacement) and delete it. The create
// order is a topological sort of `dependsOn`; destroy goes the other way. Sources for each rule:
// docs/aep-updates.md (§ numbers below) and docs/aep-api.md's rulings.
import { DATASET_SCHEMA_CONTENT_TYPE, catalog, createdDatasetId, datasetsOf } from '../aep/catalog.js';
import { dataPrep, mappingSetSchema, type Mapping, type MappingSet } from '../aep/data-prep.js';
import { flowService, oneItem, type Collection, type JsonPatch } from '../aep/flow-service.js';
import { schemaRegistry, type RegistryKind } from '../aep/schema-registry.js';
import { UserError } from '../core/errors.js';
import type { PlatformRequest } from '../http/platform.js';
import { Ref, type Actual, type Change, type Desired, type Kind, type Outcome } from './types.js';

export { DATASET_SCHEMA_CONTENT_TYPE };

/** What a kind's update rule decides for an existing resource. */
export interface Diff {
  changes: Change[];
  requests: PlatformRequest[];
  /** Set when Adobe cannot change it in place. */
  replace?: string;
  notes?: string[];
  /**
   * Fields left in a field group that no mapping writes any more: the plan says so only while the
   * current mapping set still writes them (the run that drops the mapping), not on every later run.
   */
  leftOver?: Array<{ field: string; note: string }>;
}

export interface KindSpec {
  label: string;
  dependsOn: Kind[];
  /** The GET by id, and how to read its answer (undefined: gone). */
  get(id: string): PlatformRequest;
  read(answer: any, id: string): Actual | undefined;
  create(body: Record<string, unknown>): PlatformRequest;
  /** The new resource's id (and etag or version) from the create answer; an answer without one is an error. */
  created(answer: any): Outcome;
  /** Compares the desired body (Refs resolved where the target exists) with what Adobe has. */
  update(desired: Desired, actual: Actual, resolved: Record<string, unknown>): Diff;
  delete: ((actual: { id: string }) => PlatformRequest[]) | 'cannot be deleted';
  /**
   * How a replaced resource goes. `delete`: once the new flow exists (`flow`), or once the old flow
   * is gone (`old flow`: connections in use cannot be deleted). `rename`: renamed aside before its
   * successor is created (titles are unique; a dataset keeps its data) and kept, for destroy.
   * `keep`: left as it is (it belongs to a retired schema, or cannot be deleted). `before`: sent
   * before the successor is created (a flow: disabled, so two never run at once); `undo`: sent when
   * Adobe refuses the successor, so what `before` did is not left behind (the old flow enabled again).
   */
  retire:
    | {
        mode: 'delete';
        after: 'flow' | 'old flow';
        before?(actual: Actual): PlatformRequest[];
        undo?(actual: Actual): PlatformRequest[];
        requests(actual: Actual): PlatformRequest[];
      }
    | { mode: 'rename'; request(actual: Actual, name: string): PlatformRequest }
    | { mode: 'keep' };
}

const flowKind = (collection: Collection): Pick<KindSpec, 'get' | 'read' | 'create' | 'created'> => ({
  get: (id) => flowService.get(collection, id),
  read: (answer) => {
    const item = oneItem(answer);
    return item ? { id: item.id, name: item.name, etag: item.etag, resource: item } : undefined;
  },
  create: (body) => flowService.create(collection, body),
  created: (answer) => {
    if (typeof answer?.id !== 'string' || !answer.id) throw noId(`POST ${collection}`, answer);
    return { id: answer.id, etag: answer.etag };
  },
});

const registryKind = (kind: RegistryKind): Pick<KindSpec, 'get' | 'read' | 'create' | 'created'> => ({
  get: (id) => schemaRegistry.lookup('tenant', kind, id),
  read: (answer) => (answer?.$id ? { id: answer.$id, name: answer.title, resource: answer } : undefined),
  create: (body) => schemaRegistry.create(kind, body),
  created: (answer) => {
    if (typeof answer?.$id !== 'string' || !answer.$id) throw noId(`POST tenant/${kind}`, answer);
    return { id: answer.$id };
  },
});

function noId(request: string, answer: unknown): UserError {
  return new UserError(
    `Adobe answered ${request} without the new resource's id (${JSON.stringify(answer)?.slice(0, 200)}); nothing was recorded.`,
    {
      hint: 'Re-run the command: it looks the resource up by name before creating it again. If this keeps happening, check AEP_PLATFORM_URL points at Adobe.',
    },
  );
}

/** Loose equality for Adobe's answers: `"15"` is 15, `"true"` is true (ruling 13). */
export const same = (a: unknown, b: unknown): boolean =>
  a === undefined || a === null
    ? b === undefined || b === null
    : b !== undefined && b !== null && String(a) === String(b);

/** A name/description change, as a change list and Flow Service JSON Patch ops. */
function nameAndDescription(
  desired: Record<string, unknown>,
  actual: Record<string, any>,
  fields: Array<'name' | 'description'> = ['name', 'description'],
) {
  const changes: Change[] = [];
  const ops: JsonPatch = [];
  for (const field of fields) {
    if (desired[field] !== undefined && !same(desired[field], actual[field])) {
      changes.push({ field, from: actual[field], to: desired[field] });
      ops.push({ op: actual[field] === undefined ? 'add' : 'replace', path: `/${field}`, value: desired[field] });
    }
  }
  return { changes, ops };
}

const unresolved = (value: unknown): value is Ref => value instanceof Ref;

/** A replacement, and why: "forces replacement: tableName crm/v2/Accounts → crm/v2/Products". */
const replacing = (reason: string): Diff => ({ changes: [], requests: [], replace: reason });
const forces = (what: string, from: unknown, to: unknown): Diff =>
  replacing(`forces replacement: ${what} ${show(from)} → ${unresolved(to) ? 'a new one' : show(to)}`);
const show = (value: unknown) =>
  value === undefined || value === null ? 'none' : typeof value === 'string' ? value : JSON.stringify(value);

// ---- Schema Registry field trees -------------------------------------------------------------

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

/** The known $refs of an allOf (a Ref to a resource not made yet is not one of them). */
const refsOf = (allOf: unknown): string[] =>
  Array.isArray(allOf)
    ? allOf
        .map((entry) => (entry as { $ref?: unknown })?.$ref)
        .filter((ref): ref is string => typeof ref === 'string' && !!ref)
    : [];

// ---- Data Prep -------------------------------------------------------------------------------

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

// ---- Flows -----------------------------------------------------------------------------------

const transformation = (
  flow: Record<string, any>,
  name: string,
): { index: number; params: Record<string, any> } | undefined => {
  const list: Array<{ name?: string; params?: Record<string, any> }> = Array.isArray(flow.transformations)
    ? flow.transformations
    : [];
  const index = list.findIndex((t) => t?.name === name);
  return index < 0 ? undefined : { index, params: list[index].params ?? {} };
};

const SCHEDULE_FIELDS = ['frequency', 'interval', 'backfill'] as const;

export const RESOURCES: Record<Kind, KindSpec> = {
  connection: {
    label: 'base connection',
    dependsOn: [],
    ...flowKind('connections'),
    update: (desired, actual, body) => {
      // A connection picked with --name is someone else's: only our own gets our description.
      const { changes, ops } = nameAndDescription(body, actual.resource, desired.facts?.ours ? ['description'] : []);
      // Adobe masks secrets on GET, so stored tokens cannot be compared: they move only when asked (ruling 10).
      if (desired.facts?.updateCredentials) {
        changes.push({ field: 'auth.params', to: 'the stored Zoho credentials' });
        ops.push({ op: 'replace', path: '/auth/params', value: (body.auth as { params: unknown }).params });
      }
      return {
        changes,
        requests: ops.length ? [flowService.patch('connections', actual.id, actual.etag ?? '', ops)] : [],
      };
    },
    delete: (actual) => [flowService.delete('connections', actual.id)],
    retire: { mode: 'keep' },
  },

  class: {
    label: 'class',
    dependsOn: [],
    ...registryKind('classes'),
    update: (_desired, actual, body) => {
      const base = refsOf(body.allOf)[0];
      if (base && !refsOf(actual.resource.allOf).includes(base))
        return forces('class behaviour', refsOf(actual.resource.allOf)[0], base);
      return patchDescription('classes', actual, body);
    },
    delete: (actual) => [schemaRegistry.delete('classes', actual.id)],
    retire: renameRegistry('classes'),
  },

  fieldGroup: {
    label: 'field group',
    dependsOn: ['class'],
    ...registryKind('fieldgroups'),
    update: (desired, actual, body) => {
      const tenantNs = String(desired.facts?.tenantNs);
      const want = tenantProperties(body, tenantNs);
      const have = tenantProperties(actual.resource, tenantNs);
      const extend = (body['meta:intendedToExtend'] as unknown[])?.[0];
      // A field group extends the classes it names, and a schema takes only field groups of its class.
      if (unresolved(extend)) return replacing('forces replacement: its class is new');
      if (
        !unresolved(extend) &&
        extend &&
        !((actual.resource['meta:intendedToExtend'] as unknown[]) ?? []).includes(extend)
      ) {
        return forces('class', (actual.resource['meta:intendedToExtend'] as unknown[])?.[0], extend);
      }
      const diff = patchDescription('fieldgroups', actual, body);
      if (!want) return diff;
      if (!have) return replacing(`forces replacement: field group ${actual.name} has no ${tenantNs} fields to extend`);
      const fields = compareFields(want.properties, have.properties, have.pointer);
      // Once a dataset exists Adobe takes additive schema changes only (aep-updates.md §3.2).
      if (fields.retyped.length)
        return replacing(
          `forces replacement: retyped field ${fields.retyped.join(', ')} (Adobe allows only additive schema changes once a dataset exists)`,
        );
      const changes = [
        ...diff.changes,
        ...fields.add.map((op) => ({
          field: `${tenantNs}.${pointerPath(op.path, have.pointer)}`,
          to: describeField(op.value),
        })),
      ];
      const ops = [...((diff.requests[0]?.body as JsonPatch | undefined) ?? []), ...fields.add];
      const leftOver = fields.leftOver.map((path) => ({
        field: `${tenantNs}.${path}`,
        note: `field ${tenantNs}.${path} stays in the field group: no mapping writes it any more (Adobe allows only additive schema changes)`,
      }));
      return { changes, requests: ops.length ? [schemaRegistry.patch('fieldgroups', actual.id, ops)] : [], leftOver };
    },
    delete: (actual) => [schemaRegistry.delete('fieldgroups', actual.id)],
    retire: renameRegistry('fieldgroups'),
  },

  schema: {
    label: 'schema',
    dependsOn: ['class', 'fieldGroup'],
    ...registryKind('schemas'),
    update: (_desired, actual, body) => {
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
      const diff = patchDescription('schemas', actual, body);
      const added: unknown[] = [
        ...want.filter((ref) => !have.includes(ref)),
        ...(body.allOf as Array<{ $ref: unknown }>).map((entry) => entry.$ref).filter(unresolved),
      ];
      const ops: JsonPatch = [
        ...((diff.requests[0]?.body as JsonPatch | undefined) ?? []),
        ...added.map((ref) => ({ op: 'add' as const, path: '/allOf/-', value: { $ref: ref } })),
      ];
      const changes = [
        ...diff.changes,
        ...added.map((ref) => ({ field: 'allOf', to: unresolved(ref) ? 'the new field group' : ref })),
      ];
      return {
        changes,
        requests: ops.length ? [schemaRegistry.patch('schemas', actual.id, ops)] : [],
      };
    },
    // A schema enabled for Profile can never be deleted (ruling 16): destroy keeps it.
    delete: (actual) => [schemaRegistry.delete('schemas', actual.id)],
    retire: renameRegistry('schemas'),
  },

  descriptor: {
    label: 'identity descriptor',
    dependsOn: ['schema'],
    get: (id) => schemaRegistry.descriptor(id),
    read: (answer, id) =>
      answer?.['@type']
        ? { id: String(answer['@id'] ?? id), name: describeIdentity(answer), resource: answer }
        : undefined,
    create: (body) => schemaRegistry.createDescriptor(body),
    created: (answer) => {
      const id = answer?.['@id'] ?? answer?.$id;
      if (typeof id !== 'string' || !id) throw noId('POST tenant/descriptors', answer);
      return { id };
    },
    update: (_desired, actual, body) => {
      if (unresolved(body['xdm:sourceSchema'])) return replacing('forces replacement: its schema is new');
      const fields = ['xdm:sourceSchema', 'xdm:sourceProperty', 'xdm:namespace', 'xdm:isPrimary', 'xdm:property'];
      const changes = fields
        .filter((f) => !same(body[f], actual.resource[f]))
        .map((field) => ({ field, from: actual.resource[field], to: body[field] }));
      return { changes, requests: changes.length ? [schemaRegistry.putDescriptor(actual.id, body)] : [] };
    },
    delete: (actual) => [schemaRegistry.delete('descriptors', actual.id)],
    retire: { mode: 'keep' },
  },

  dataset: {
    label: 'dataset',
    dependsOn: ['schema', 'descriptor'],
    get: (id) => catalog.get(id),
    read: (answer, id) => {
      const found = datasetsOf(answer).find((d) => d.id === id);
      return found ? { id, name: found.name, resource: found } : undefined;
    },
    create: (body) => catalog.create(body),
    created: (answer) => ({ id: createdDatasetId(answer) }),
    update: (_desired, actual, body) => {
      const schema = (body.schemaRef as { id: unknown }).id;
      if (unresolved(schema) || !same(schema, actual.resource.schemaRef?.id))
        return forces('schema', actual.resource.schemaRef?.id, schema);
      const { changes } = nameAndDescription(body, actual.resource);
      const patch: Record<string, unknown> = Object.fromEntries(changes.map((c) => [c.field, c.to]));
      const tags = body.tags as Record<string, string[]> | undefined;
      // Adobe may add values of its own to a tag: only the ones we need must be there.
      const missing = Object.entries(tags ?? {}).filter(
        ([tag, values]) => !values.every((v) => (actual.resource.tags?.[tag] ?? []).includes(v)),
      );
      if (missing.length) {
        changes.push(
          ...missing.map(([tag, values]) => ({ field: `tags.${tag}`, from: actual.resource.tags?.[tag], to: values })),
        );
        patch.tags = {
          ...(actual.resource.tags ?? {}),
          ...Object.fromEntries(
            missing.map(([tag, values]) => [tag, [...new Set([...(actual.resource.tags?.[tag] ?? []), ...values])]]),
          ),
        };
      }
      return { changes, requests: changes.length ? [catalog.patch(actual.id, patch)] : [] };
    },
    delete: (actual) => [catalog.delete(actual.id)],
    retire: { mode: 'rename', request: (actual, name) => catalog.patch(actual.id, { name }) },
  },

  sourceConnection: {
    label: 'source connection',
    dependsOn: ['connection'],
    ...flowKind('sourceConnections'),
    update: (desired, actual, body) => {
      // Source and target connections are not changed in place (aep-updates.md §0.2, §5).
      const params = (body.params ?? {}) as { tableName?: string }; // an HTTP API source connection has none
      if (!same(params.tableName, actual.resource.params?.tableName)) {
        const tableNames = (desired.facts?.tableNames ?? {}) as Record<string, string>;
        const from = actual.resource.params?.tableName;
        return forces('source.table', tableNames[from] ?? from, desired.facts?.table ?? params.tableName);
      }
      if (unresolved(body.baseConnectionId) || !same(body.baseConnectionId, actual.resource.baseConnectionId))
        return forces('base connection', actual.resource.baseConnectionId, body.baseConnectionId);
      const spec = (body.connectionSpec as { id: string }).id;
      if (!same(spec, actual.resource.connectionSpec?.id))
        return forces('connection spec', actual.resource.connectionSpec?.id, spec);
      return namePatch('sourceConnections', actual, body);
    },
    delete: (actual) => [flowService.delete('sourceConnections', actual.id)],
    retire: {
      mode: 'delete',
      after: 'old flow',
      requests: (actual) => [flowService.delete('sourceConnections', actual.id)],
    },
  },

  targetConnection: {
    label: 'target connection',
    dependsOn: ['dataset', 'schema'],
    ...flowKind('targetConnections'),
    update: (_desired, actual, body) => {
      const dataset = (body.params as { dataSetId: unknown }).dataSetId;
      const schema = (body.data as { schema: { id: unknown } }).schema.id;
      if (unresolved(dataset) || !same(dataset, actual.resource.params?.dataSetId))
        return forces('dataset', actual.resource.params?.dataSetId, dataset);
      if (unresolved(schema) || !same(schema, actual.resource.data?.schema?.id))
        return forces('schema', actual.resource.data?.schema?.id, schema);
      return namePatch('targetConnections', actual, body);
    },
    delete: (actual) => [flowService.delete('targetConnections', actual.id)],
    retire: {
      mode: 'delete',
      after: 'old flow',
      requests: (actual) => [flowService.delete('targetConnections', actual.id)],
    },
  },

  mappingSet: {
    label: 'mapping set',
    dependsOn: ['schema', 'fieldGroup'],
    get: (id) => dataPrep.get(id),
    read: (answer: MappingSet) =>
      answer?.id ? { id: answer.id, name: answer.name ?? answer.id, resource: answer } : undefined,
    create: (body) => dataPrep.create(body),
    created: (answer) => {
      if (typeof answer?.id !== 'string' || !answer.id) throw noId('POST mappingSets', answer);
      return { id: answer.id, version: Number(answer.version ?? 0) };
    },
    update: (_desired, actual, body) => {
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
    },
    delete: (actual) => [dataPrep.delete(actual.id)],
    retire: { mode: 'keep' },
  },

  flow: {
    label: 'dataflow',
    dependsOn: ['sourceConnection', 'targetConnection', 'mappingSet'],
    ...flowKind('flows'),
    update: (desired, actual, body) => {
      const flow = actual.resource;
      // The flow spec and connections of a flow are fixed (aep-updates.md §0.2).
      for (const [field, what] of [
        ['sourceConnectionIds', 'source connection'],
        ['targetConnectionIds', 'target connection'],
      ] as const) {
        const want = body[field] as unknown[];
        if (want.some(unresolved) || JSON.stringify(want) !== JSON.stringify(flow[field]))
          return forces(what, flow[field]?.[0], want[0]);
      }
      if (!same((body.flowSpec as { id: string }).id, flow.flowSpec?.id))
        return forces('flow spec', flow.flowSpec?.id, (body.flowSpec as { id: string }).id);
      const bodyTransforms = body.transformations as Array<{ name: string; params: Record<string, any> }>;
      // A streaming flow has no Copy (and no schedule): records arrive when `sync` posts them.
      const wantCopy = bodyTransforms.find((t) => t.name === 'Copy')?.params.deltaColumn;
      const haveCopy = transformation(flow, 'Copy')?.params.deltaColumn ?? {};
      // Only what the template sets: a flow made with a dateFormat (or given one by Adobe) is not a change.
      for (const field of wantCopy ? ['name', 'dateFormat', 'timezone'] : []) {
        if ((field === 'name' || wantCopy[field] !== undefined) && !same(wantCopy[field], haveCopy[field]))
          return forces(`source.${field === 'name' ? 'deltaColumn' : field}`, haveCopy[field], wantCopy[field]);
      }
      const { changes, ops } = nameAndDescription(body, flow);
      const wantMapping = bodyTransforms.find((t) => t.name === 'Mapping')!.params;
      const haveMapping = transformation(flow, 'Mapping');
      if (!haveMapping) return replacing('forces replacement: the flow has no Mapping transformation');
      if (
        unresolved(wantMapping.mappingId) ||
        unresolved(wantMapping.mappingVersion) ||
        !same(wantMapping.mappingId, haveMapping.params.mappingId) ||
        !same(wantMapping.mappingVersion, haveMapping.params.mappingVersion)
      ) {
        const version = unresolved(wantMapping.mappingVersion)
          ? 'the version its update returns'
          : `v${wantMapping.mappingVersion}`;
        changes.push({
          field: 'transformations.Mapping',
          from: `${haveMapping.params.mappingId} v${haveMapping.params.mappingVersion}`,
          to: `${unresolved(wantMapping.mappingId) ? 'the new mapping set' : wantMapping.mappingId} at ${version}`,
        });
        // By index, found by name: Adobe's example patches index 0, which on a CRM flow is Copy (aep-updates.md §0.1).
        ops.push({
          op: 'replace',
          path: `/transformations/${haveMapping.index}`,
          value: { name: 'Mapping', params: wantMapping },
        });
      }
      if (!body.scheduleParams)
        return { changes, requests: ops.length ? [flowService.patch('flows', actual.id, actual.etag ?? '', ops)] : [] };
      const want = body.scheduleParams as Record<string, unknown>;
      const have = (flow.scheduleParams ?? {}) as Record<string, unknown>;
      // A field the desired schedule leaves out is compared only when the frequency changes (a 'once' flow takes no interval).
      const frequencyChanges = !same(want.frequency, have.frequency);
      for (const field of SCHEDULE_FIELDS) {
        if ((want[field] !== undefined || frequencyChanges) && !same(want[field], have[field])) {
          changes.push({ field: `scheduleParams.${field}`, from: have[field], to: want[field] });
          ops.push(
            want[field] === undefined
              ? // Flow Service's PatchInstruction requires `value`, typed object, even for a remove
                // (flow-service.yaml); RFC 6902 ignores it there: an empty object meets both.
                { op: 'remove', path: `/scheduleParams/${field}`, value: {} }
              : {
                  op: have[field] === undefined ? 'add' : 'replace',
                  path: `/scheduleParams/${field}`,
                  value: want[field],
                },
          );
        }
      }
      // startTime moves only when asked for, and never once the first start has passed (§0.4).
      if (desired.facts?.explicitStart && !same(want.startTime, have.startTime)) {
        changes.push({ field: 'scheduleParams.startTime', from: have.startTime, to: want.startTime });
        ops.push({ op: 'replace', path: '/scheduleParams/startTime', value: want.startTime });
      }
      return { changes, requests: ops.length ? [flowService.patch('flows', actual.id, actual.etag ?? '', ops)] : [] };
    },
    delete: (actual) => [flowService.delete('flows', actual.id)],
    retire: {
      mode: 'delete',
      after: 'flow',
      // A flow is created enabled (Flow Service takes no `state` on create, 1410-400): the old one is
      // disabled first, so the two never run at once on the same table (docs/adobe-rules.md).
      before: (actual) =>
        String(actual.resource.state).toLowerCase() === 'disabled' ? [] : [flowService.action(actual.id, 'disable')],
      undo: (actual) =>
        String(actual.resource.state).toLowerCase() === 'disabled' ? [] : [flowService.action(actual.id, 'enable')],
      requests: (actual) => [flowService.delete('flows', actual.id)],
    },
  },
};

function renameRegistry(kind: RegistryKind): KindSpec['retire'] {
  return {
    mode: 'rename',
    request: (actual, name) => schemaRegistry.patch(kind, actual.id, [{ op: 'replace', path: '/title', value: name }]),
  };
}

function patchDescription(kind: RegistryKind, actual: Actual, body: Record<string, unknown>): Diff {
  if (body.description === undefined || same(body.description, actual.resource.description))
    return { changes: [], requests: [] };
  return {
    changes: [{ field: 'description', from: actual.resource.description, to: body.description }],
    requests: [
      schemaRegistry.patch(kind, actual.id, [
        {
          op: actual.resource.description === undefined ? 'add' : 'replace',
          path: '/description',
          value: body.description,
        },
      ]),
    ],
  };
}

function namePatch(collection: Collection, actual: Actual, body: Record<string, unknown>): Diff {
  const { changes, ops } = nameAndDescription(body, actual.resource);
  return { changes, requests: ops.length ? [flowService.patch(collection, actual.id, actual.etag ?? '', ops)] : [] };
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
export const describeIdentity = (d: Record<string, unknown>) =>
  `${String(d['xdm:namespace'])} on ${String(d['xdm:sourceProperty'] ?? '')
    .replace(/^\//, '')
    .replace(/\//g, '.')}`;

/** Kinds in create order: each after what it depends on. */
export const CREATE_ORDER: Kind[] = (() => {
  const order: Kind[] = [];
  const visit = (kind: Kind) => {
    if (order.includes(kind)) return;
    RESOURCES[kind].dependsOn.forEach(visit);
    order.push(kind);
  };
  (Object.keys(RESOURCES) as Kind[]).forEach(visit);
  return order;
})();

export const DESTROY_ORDER: Kind[] = [...CREATE_ORDER].reverse();
