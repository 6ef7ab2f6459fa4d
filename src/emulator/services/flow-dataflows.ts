// Flow Service: flow specs and dataflows (aep-api.md §8), plus the source/target connections and
// runs they tie together (registered from here, kept in their own files). A flow is checked as
// Flow Service checks it: no `state` on create, a known flow spec, connections the spec supports,
// transformations that match the mapping set and source table, and a schedule its spec allows.
// Updates as aep-updates.md §1 describes them: PATCH with If-Match (connections and flow spec
// fixed, startTime frozen once passed, the whole result re-checked) and enable/disable actions.
// GETs give schedule values and mappingVersion as strings, as Adobe's do.
import type { EmuRequest, EmuResponse, RouteSpec, Router } from '../router.js';
import { FLOW_SPECS, findFlowSpec, isStreaming, type FlowSpec } from '../flow-specs-data.js';
import { readPatch, type PatchOp } from '../json-patch.js';
import { newEtag, restore, type Resource } from '../state.js';
import type { ServiceContext } from './context.js';
import {
  FLOW,
  badRequest,
  checkIfMatch,
  created,
  find,
  jsonObject,
  list,
  notFound,
  patch,
  stamp,
  visible,
} from './flow-common.js';
import { createRunEngine, registerFlowRuns, type RunEngine } from './flow-runs.js';
import { registerSourceTargetConnections } from './flow-source-target.js';
import { checkConnections, checkSchedule, checkTransformations, type Problem } from './flow-validate.js';

export function registerFlowDataflows(router: Router, ctx: ServiceContext): void {
  const engine = createRunEngine(ctx);
  registerSourceTargetConnections(router, ctx);
  registerFlowSpecs(router);
  registerFlows(router, ctx, engine);
  registerFlowRuns(router, ctx, engine);
}

function registerFlowSpecs(router: Router): void {
  // Specs are global, not per sandbox: scope them to the caller so the shared list helper applies.
  const scoped = (req: EmuRequest) =>
    FLOW_SPECS.map((spec) => ({ ...spec, imsOrgId: req.caller!.orgId, sandboxName: req.caller!.sandbox }) as Resource);
  const unscope = ({ imsOrgId: _o, sandboxName: _s, ...spec }: Resource) => spec;

  router.on('GET', `${FLOW}/flowSpecs`, (req) => list(req, scoped(req), `${FLOW}/flowSpecs`, unscope));
  router.on('GET', `${FLOW}/flowSpecs/:id`, (req) => {
    const found = req.params.id.split(',').map((id) => findFlowSpec(id));
    if (found.some((spec) => !spec)) return notFound(req, 'flowSpecs', req.params.id);
    return { status: 200, body: { items: found } };
  });
}

const reject = (req: EmuRequest, problem: Problem) => badRequest(req, problem.message, problem.code);

/** What a flow PATCH may change: name, description, the schedule and the transformations (aep-updates.md §1.3). */
const FLOW_PATCHABLE = /^\/(name|description|scheduleParams(\/\w+)?|transformations(\/(\d+|-)(\/params(\/\w+)*)?)?)$/;

/** "You must create a new pair of source and target connections, as well as a new dataflow" (update-dataflows.md). */
const NEW_FLOW = {
  code: '1100',
  message: 'Source and target connections of a dataflow cannot be updated; create new connections and a new dataflow.',
};
const FLOW_IMMUTABLE = {
  sourceConnectionIds: NEW_FLOW,
  targetConnectionIds: NEW_FLOW,
  flowSpec: {
    code: '1100',
    message: 'The flow spec of a dataflow cannot be updated; a different flow spec needs a new dataflow.',
  },
};

/** The dataflows' own state: the emulator's context and the run engine their runs come from. */
interface Flows {
  ctx: ServiceContext;
  engine: RunEngine;
}

export const FLOW_ROUTES: readonly RouteSpec<Flows>[] = [
  { method: 'POST', path: `${FLOW}/flows`, handle: createFlow },
  { method: 'GET', path: `${FLOW}/flows`, handle: listFlows },
  { method: 'GET', path: `${FLOW}/flows/:id`, handle: getFlow },
  { method: 'PATCH', path: `${FLOW}/flows/:id`, handle: patchFlow },
  { method: 'DELETE', path: `${FLOW}/flows/:id`, handle: deleteFlow },
  { method: 'POST', path: `${FLOW}/flows/:id/action`, handle: flowAction },
];

function registerFlows(router: Router, ctx: ServiceContext, engine: RunEngine): void {
  router.mount(FLOW_ROUTES, { ctx, engine });
}

/** Everything but `state` and the flow spec: connections, transformations, schedule, name. */
const checkFlow = (
  f: Flows,
  req: EmuRequest,
  flowSpec: FlowSpec,
  body: Record<string, any>,
): Problem | { transformations: unknown[]; scheduleParams: unknown } => {
  if (typeof body.name !== 'string' || !body.name.trim())
    return { code: '1100', message: 'name is required and must be a non-empty string.' };
  const connections = checkConnections(req, f.ctx.state, flowSpec, body);
  if ('code' in connections) return connections;
  const transformations = checkTransformations(
    req,
    f.ctx.state,
    flowSpec,
    body.transformations,
    connections.sources,
    connections.targets,
  );
  if ('code' in transformations) return transformations;
  if (isStreaming(flowSpec)) {
    // A streaming flow has no schedule: records arrive when they are posted to the inlet.
    if (body.scheduleParams !== undefined)
      return {
        code: '1100',
        message: `Flow spec ${flowSpec.id} (${flowSpec.name}) is a streaming flow spec; scheduleParams are not supported.`,
      };
    const specNames = (flowSpec.transformationSpec ?? []).map((t: { name: string }) => t.name);
    if (specNames.includes('Mapping') && !transformations.transformations.some((t) => t.name === 'Mapping')) {
      return {
        code: '1100',
        message: `Flow spec ${flowSpec.id} (${flowSpec.name}) needs a Mapping transformation: raw records are mapped by a mapping set.`,
      };
    }
    return { transformations: transformations.transformations, scheduleParams: undefined };
  }
  // "By default, the scheduling frequency is set to once" (aep-api.md §8.2).
  const schedule = checkSchedule(
    body.scheduleParams ?? { startTime: Math.floor(f.ctx.now() / 1000), frequency: 'once' },
    flowSpec,
  );
  if ('code' in schedule) return schedule;
  return { transformations: transformations.transformations, scheduleParams: schedule.schedule };
};

const present = (f: Flows, flow: Resource): Resource => {
  const last = f.engine.lastRun(flow);
  const sources = (flow.sourceConnectionIds as string[]).map((id) => {
    const source = f.ctx.state.sourceConnections.get(id);
    const base = source && f.ctx.state.connections.get(source.baseConnectionId);
    return {
      id,
      connectionSpec: source?.connectionSpec,
      baseConnection: { id: source?.baseConnectionId, connectionSpec: base?.connectionSpec },
    };
  });
  const targets = (flow.targetConnectionIds as string[]).map((id) => ({
    id,
    connectionSpec: f.ctx.state.targetConnections.get(id)?.connectionSpec,
  }));
  return {
    ...flow,
    // Adobe's GETs give every schedule value as a string ("startTime": "1612310466", "interval":
    // "15", "backfill": "true") and mappingVersion as "0" (update-dataflows.md; aep-api.md §9),
    // whatever types the create sent.
    ...(flow.scheduleParams
      ? {
          scheduleParams: Object.fromEntries(
            Object.entries(flow.scheduleParams).map(([key, value]) => [key, String(value)]),
          ),
        }
      : {}),
    transformations: (flow.transformations ?? []).map((t: Record<string, any>) =>
      t.name === 'Mapping' && t.params?.mappingVersion !== undefined
        ? { ...t, params: { ...t.params, mappingVersion: String(t.params.mappingVersion) } }
        : t,
    ),
    inheritedAttributes: { sourceConnections: sources, targetConnections: targets },
    runs: `/runs?property=flowId==${flow.id}`,
    ...(last
      ? {
          lastRunDetails: {
            id: last.id,
            state: last.metrics.statusSummary.status,
            startedAtUTC: last.metrics.durationSummary.startedAtUTC,
            ...(last.metrics.durationSummary.completedAtUTC
              ? { completedAtUTC: last.metrics.durationSummary.completedAtUTC }
              : {}),
          },
        }
      : {}),
  };
};

const operation = (name: string, now: number) => ({
  started: now,
  updated: now,
  percentCompleted: 100,
  status: { value: 'COMPLETED', errors: [] },
  ops: [],
  operation: name,
});

function createFlow(f: Flows, req: EmuRequest): EmuResponse {
  const body = jsonObject(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object.');
  if ('state' in body) return badRequest(req, 'State is not allowed in the create flow request.', '1410');
  const ref = body.flowSpec as { id?: unknown; version?: unknown } | undefined;
  if (!ref || typeof ref.id !== 'string') return badRequest(req, 'flowSpec with id and version is required.');
  const flowSpec = findFlowSpec(ref.id);
  // "Omitting [the version] will default to the most recent version."
  const version = ref.version === undefined ? flowSpec?.version : ref.version;
  if (!flowSpec || version !== flowSpec.version) {
    return badRequest(
      req,
      `The spec ID provided is invalid: flow spec ${ref.id} version ${String(ref.version)} was not found. Please provide a valid spec ID and try again.`,
      '1413',
    );
  }
  const checked = checkFlow(f, req, flowSpec, body);
  if ('code' in checked) return reject(req, checked);
  const now = f.ctx.now();
  const flow = {
    ...stamp(req.caller!, now),
    name: body.name,
    description: body.description ?? '',
    flowSpec: { id: flowSpec.id, version: flowSpec.version },
    state: 'enabled',
    sourceConnectionIds: body.sourceConnectionIds,
    targetConnectionIds: body.targetConnectionIds,
    transformations: checked.transformations,
    ...(checked.scheduleParams ? { scheduleParams: checked.scheduleParams } : {}),
    lastOperation: operation('create', now),
  };
  f.ctx.state.flows.add(flow);
  return created(flow, '/flows');
}

function listFlows(f: Flows, req: EmuRequest): EmuResponse {
  const flows = f.ctx.state.flows.all().filter((flow) => visible(flow, req.caller!));
  return list(
    req,
    flows.map((flow) => present(f, flow)),
    `${FLOW}/flows`,
  );
}

function getFlow(f: Flows, req: EmuRequest): EmuResponse {
  const flow = find(req, f.ctx.state.flows);
  return flow ? { status: 200, body: { items: [present(f, flow)] } } : notFound(req, 'flows', req.params.id);
}

function patchFlow(f: Flows, req: EmuRequest): EmuResponse {
  const flow = find(req, f.ctx.state.flows);
  if (!flow) return notFound(req, 'flows', req.params.id);
  f.engine.sync(flow); // runs due under the old schedule happen before the change
  const before = structuredClone(flow);
  const now = f.ctx.now();
  const answer = patch(req, flow, FLOW_PATCHABLE, now, FLOW_IMMUTABLE);
  if (answer.status !== 200) return answer;
  const undo = (response: EmuResponse) => {
    restore(flow, before);
    return response;
  };
  // "You cannot update the startTime of a dataflow if the initially scheduled startTime has
  // already occurred", enabled or disabled (update-dataflows.md). Adobe's error body for it is
  // not documented (aep-updates.md §0.4): a Flow Service 400.
  const startedBefore = Number(before.scheduleParams?.startTime) * 1000 <= now;
  if (startedBefore && String(flow.scheduleParams?.startTime) !== String(before.scheduleParams?.startTime)) {
    return undo(badRequest(req, 'scheduleParams.startTime cannot be changed once the original start time has passed.'));
  }
  const checked = checkFlow(f, req, findFlowSpec(flow.flowSpec.id)!, flow);
  if ('code' in checked) return undo(reject(req, checked));
  // lastOperation.ops echoes the PATCH, as in Adobe's GET example (update-dataflows.md).
  const ops = readPatch(req.body) as PatchOp[];
  Object.assign(flow, {
    transformations: checked.transformations,
    lastOperation: { ...operation('update', now), ops },
  });
  if (checked.scheduleParams) flow.scheduleParams = checked.scheduleParams;
  return answer;
}

function deleteFlow(f: Flows, req: EmuRequest): EmuResponse {
  const flow = find(req, f.ctx.state.flows);
  if (!flow) return notFound(req, 'flows', req.params.id);
  f.ctx.state.flows.delete(flow.id);
  f.engine.forget(flow.id);
  return { status: 204 };
}

// Enable/disable. The spec's enum is uppercase, the docs use lowercase: accept both.
function flowAction(f: Flows, req: EmuRequest): EmuResponse {
  const flow = find(req, f.ctx.state.flows);
  if (!flow) return notFound(req, 'flows', req.params.id);
  const op = req.query.get('op');
  if (!op) return badRequest(req, "The query parameter 'op' is required: enable or disable.");
  // Exactly the docs' lowercase or the spec's uppercase (ruling 18), not another casing.
  const target = (
    { enable: 'enabled', ENABLE: 'enabled', disable: 'disabled', DISABLE: 'disabled' } as Record<string, string>
  )[op];
  if (!target)
    return badRequest(
      req,
      `Unsupported operation '${op}' received. Please use one of the supported operation types (enable, disable) and try again.`,
      '1434',
    );
  // The spec declares subOp (APPLY|ROLLBACK|PROGRESS); the docs never send it. Check it when given.
  for (const subOp of req.query.getAll('subOp').flatMap((value) => value.split(','))) {
    const known = ['apply', 'rollback', 'progress'].includes(subOp.toLowerCase());
    if (!known)
      return badRequest(
        req,
        `Unsupported sub action '${subOp}' received. Please use one of the supported sub action types and try again.`,
        '1435',
      );
    if (subOp.toLowerCase() === 'progress')
      return badRequest(req, `Unsupported sub operation PROGRESS received for operation ${op.toLowerCase()}.`, '1436');
  }
  // If-Match is optional here (flow-service.yaml postStateTransition); a stale one is refused.
  const stale = checkIfMatch(req, flow, false);
  if (stale) return stale;
  f.engine.sync(flow); // runs due while enabled are produced before the switch
  const now = f.ctx.now();
  if (target === 'enabled' && flow.state !== 'enabled') f.engine.resume(flow);
  const etag = newEtag();
  Object.assign(flow, {
    state: target,
    etag,
    version: etag,
    updatedAt: now,
    updatedBy: `${req.caller!.clientId}@AdobeID`,
    updatedClient: req.caller!.clientId,
    lastOperation: operation(op.toLowerCase(), now),
  });
  return { status: 200, body: { id: flow.id, etag } };
}
