// The template's dataflow. Hand-written rule: the flow spec and connections are fixed, the Copy
// transformation's delta column forces a new flow, the Mapping transformation moves by index, and
// the schedule changes field by field (aep-updates.md §0.1-§0.4).
import {
  CRM_FLOW_SPEC_ID,
  STREAMING_FLOW_SPEC_ID,
  flowService,
  type FlowResource,
  type JsonPatch,
} from '../../aep/flow-service.js';
import type { Shared } from '../observe.js';
import { ownerOf, suffixed } from '../names.js';
import { flowKind, listedByName, oldestFirst, type KindSpec } from '../kind.js';
import { diff, flowPatch, forces, nameAndDescription, replacing, same, unresolved, type UpdateRule } from '../rules.js';

/** Both paths' flow specs: the CRM one as Adobe answers it (ruling 2), and the streaming one. */
export async function flowSpecIds(shared: Shared): Promise<string[]> {
  const crm = await shared.flow.crmFlowSpec().catch(() => undefined);
  return [...new Set([crm?.id ?? CRM_FLOW_SPEC_ID, STREAMING_FLOW_SPEC_ID])];
}

/** Flows of this profile on both paths, by name and marker: template → flows, oldest first. */
export async function ourFlows(
  shared: Shared,
  profile: string,
): Promise<{ mine: Map<string, FlowResource[]>; all: FlowResource[] }> {
  const ids = await flowSpecIds(shared);
  const all = (await Promise.all(ids.map((id) => shared.flowList('flows', `flowSpec.id==${id}`)))).flat();
  const mine = new Map<string, FlowResource[]>();
  for (const flow of oldestFirst(all.map((f) => ({ id: f.id, resource: f })))) {
    const template = ownerOf(flow.resource, profile);
    if (template) mine.set(template, [...(mine.get(template) ?? []), flow.resource as FlowResource]);
  }
  return { mine, all };
}

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

const update: UpdateRule = (desired, actual, body) => {
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
  const named = diff({ patch: nameAndDescription, send: flowPatch('flows') }, desired, actual, body);
  const changes = named.changes;
  const ops: JsonPatch = [...((named.requests[0]?.body as JsonPatch | undefined) ?? [])];
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
};

export const flow = {
  label: 'dataflow',
  scope: 'template',
  dependsOn: ['sourceConnection', 'targetConnection', 'mappingSet'],
  name: (n) => suffixed(n, (t) => `Zoho CRM ${t.source.table} to AEP`),
  ...flowKind('flows'),
  find: async (ctx, { name, scope, made }) =>
    listedByName(
      ctx,
      'flows',
      (made ? [made.flowSpec.id] : (scope?.specIds ?? (await flowSpecIds(ctx.shared)))).map(
        (id) => `flowSpec.id==${id}`,
      ),
      name,
    ),
  rules: update,
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
} satisfies KindSpec;
