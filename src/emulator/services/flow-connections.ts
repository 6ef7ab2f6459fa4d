// Flow Service: connection specs and base connections (aep-api.md §2). Rejects what Adobe
// rejects: unknown or retired specs, a wrong auth spec name, missing or empty auth params.
import type { EmuRequest, Router } from '../router.js';
import { CONNECTION_SPECS, HTTP_API_SPEC_ID, SECRET_AUTH_PARAMS, ZOHO_SPEC_ID } from '../specs-data.js';
import { hexId, restore, type Resource } from '../state.js';
import type { ServiceContext } from './context.js';
import { zohoTokensValid } from './zoho-accounts.js';
import { FLOW, badRequest, created, find, jsonObject, list, notFound, patch, specRef, stamp } from './flow-common.js';

export function registerFlowConnections(router: Router, ctx: ServiceContext): void {
  const { state } = ctx;
  const retired = new Set(ctx.options.retiredConnectionSpecs ?? []);
  const offered = () => CONNECTION_SPECS.filter((spec) => !retired.has(spec.id));
  // Specs are global, not per sandbox: scope them to the caller so the shared list helper applies.
  const scoped = (req: EmuRequest) =>
    offered().map((spec) => ({ ...spec, imsOrgId: req.caller!.orgId, sandboxName: req.caller!.sandbox }) as Resource);
  const unscope = ({ imsOrgId: _o, sandboxName: _s, ...spec }: Resource) => spec;

  router.on('GET', `${FLOW}/connectionSpecs`, (req) => list(req, scoped(req), `${FLOW}/connectionSpecs`, unscope));
  router.on('GET', `${FLOW}/connectionSpecs/:id`, (req) => {
    const ids = req.params.id.split(',');
    const found = ids.map((id) => offered().find((spec) => spec.id === id));
    if (found.some((spec) => !spec)) return notFound(req, 'connectionSpecs', req.params.id);
    return { status: 200, body: { items: found } };
  });

  router.on('POST', `${FLOW}/connections`, (req) => {
    const body = jsonObject(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const spec = specRef(body.connectionSpec);
    if (!spec) return badRequest(req, 'connectionSpec with id and version is required.');
    const connectionSpec = offered().find((candidate) => candidate.id === spec.id);
    if (!connectionSpec)
      return badRequest(
        req,
        `Connection spec ${spec.id} was not found. Verify the connection spec id and try again.`,
        '1101',
      );
    if (spec.version !== connectionSpec.version)
      return badRequest(req, `Connection spec ${spec.id} has no version ${spec.version}.`, '1101');
    if (typeof body.name !== 'string' || !body.name.trim())
      return badRequest(req, 'name is required and must be a non-empty string.');
    const authProblem = checkAuth(body.auth, connectionSpec);
    if (authProblem) return badRequest(req, authProblem);
    const connection = {
      ...stamp(req.caller!, ctx.now()),
      name: body.name,
      description: body.description ?? '',
      connectionSpec: spec,
      state: 'enabled',
      auth: spec.id === HTTP_API_SPEC_ID ? withInlet(req, body.auth, ctx.options.inletOrigin) : body.auth,
    };
    state.connections.add(connection);
    return created(connection, '/connections');
  });

  router.on('GET', `${FLOW}/connections`, (req) => list(req, state.connections.all(), `${FLOW}/connections`, present));
  router.on('GET', `${FLOW}/connections/:id`, (req) => {
    const connection = find(req, state.connections);
    return connection
      ? { status: 200, body: { items: [present(connection)] } }
      : notFound(req, 'connections', req.params.id);
  });

  router.on('GET', `${FLOW}/connections/:id/test`, (req) => {
    const connection = find(req, state.connections);
    if (!connection) return notFound(req, 'connections', req.params.id);
    const spec = CONNECTION_SPECS.find((candidate) => candidate.id === connection.connectionSpec.id);
    // "Returns false if the queried base connection is invalid" (flow-service.yaml). A Zoho
    // connection also needs tokens the accounts server would honour (zohoTokensValid).
    const params = connection.auth?.params ?? {};
    const zoho =
      spec?.id !== ZOHO_SPEC_ID || zohoTokensValid(ctx, params.clientId, [params.accessToken, params.refreshToken]);
    return {
      status: 200,
      body: { result: !!spec && !retired.has(spec.id) && !checkAuth(connection.auth, spec) && zoho },
    };
  });

  router.on('PATCH', `${FLOW}/connections/:id`, (req) => {
    const connection = find(req, state.connections);
    if (!connection) return notFound(req, 'connections', req.params.id);
    const before = structuredClone(connection);
    // FLOW-1414-400 is Adobe's answer to a connection spec change (flow-service-errors.md).
    const answer = patch(req, connection, /^\/(name|description|auth\/params(\/\w+)?)$/, ctx.now(), {
      connectionSpec: { code: '1414', message: 'The connection spec of a connection cannot be updated.' },
    });
    const spec = CONNECTION_SPECS.find((candidate) => candidate.id === connection.connectionSpec.id);
    const problem = answer.status === 200 && spec ? checkAuth(connection.auth, spec) : undefined;
    if (problem) {
      restore(connection, before);
      return badRequest(req, problem);
    }
    return answer;
  });

  router.on('DELETE', `${FLOW}/connections/:id`, (req) => {
    const connection = find(req, state.connections);
    if (!connection) return notFound(req, 'connections', req.params.id);
    const sources = new Set(
      state.sourceConnections
        .all()
        .filter((s) => s.baseConnectionId === connection.id)
        .map((s) => s.id),
    );
    const inUse = state.flows
      .all()
      .some((flow) => (flow.sourceConnectionIds ?? []).some((id: string) => sources.has(id)));
    if (inUse) {
      return badRequest(
        req,
        `The connection ${connection.id} cannot be deleted because the base connection is being used in one or more flows. Delete the flows first.`,
        '1418',
      );
    }
    state.connections.delete(connection.id);
    return { status: 204 };
  });
}

/**
 * An HTTP API connection gets its inlet when it is created: `inletId` and `inletUrl` in
 * auth.params (aep-fallback.md §1.2), here on the emulator's own origin (/collection/{inletId}),
 * or on the `inletOrigin` option's;
 * `authenticationRequired` is stored as false unless given.
 */
function withInlet(
  req: EmuRequest,
  auth: { specName: string; params?: Record<string, unknown> },
  inletOrigin?: string,
): Record<string, unknown> {
  const inletId = hexId(32);
  const origin = inletOrigin ?? `http://${req.headers.host ?? '127.0.0.1'}`;
  return {
    ...auth,
    params: {
      ...auth.params,
      authenticationRequired: auth.params?.authenticationRequired ?? false,
      inletId,
      inletUrl: `${origin}/collection/${inletId}`,
    },
  };
}

/** Adobe returns secret auth params masked, never as sent. */
function present(connection: Resource): Resource {
  const params = connection.auth?.params ?? {};
  const masked = Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, SECRET_AUTH_PARAMS.has(key) ? '****' : value]),
  );
  return { ...connection, auth: { ...connection.auth, params: masked } };
}

/** Checks auth against the connection spec's authSpec: name, required params, non-empty strings. */
function checkAuth(auth: unknown, spec: Record<string, any>): string | undefined {
  const given = auth as { specName?: unknown; params?: Record<string, unknown> } | undefined;
  if (!given || typeof given.specName !== 'string') return 'auth.specName is required.';
  const authSpec = (spec.authSpec as Array<Record<string, any>>).find((candidate) => candidate.name === given.specName);
  if (!authSpec) {
    const names = (spec.authSpec as Array<Record<string, any>>).map((candidate) => `'${candidate.name}'`).join(', ');
    return `auth.specName '${given.specName}' is not supported by connection spec ${spec.id}; use ${names}.`;
  }
  const params = given.params ?? {};
  const missing = (authSpec.spec.required as string[]).filter(
    (key) => typeof params[key] !== 'string' || !(params[key] as string).trim(),
  );
  if (missing.length) return `Missing or empty auth params: ${missing.join(', ')}.`;
  // Typed params (the HTTP API's dataType enum and authenticationRequired boolean) are checked when given.
  for (const [key, property] of Object.entries(
    (authSpec.spec.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>,
  )) {
    if (params[key] === undefined) continue;
    if (property.type === 'boolean' && typeof params[key] !== 'boolean')
      return `auth.params.${key} must be a boolean (true or false), not ${JSON.stringify(params[key])}.`;
    if (property.type === 'string' && typeof params[key] !== 'string') return `auth.params.${key} must be a string.`;
    if (property.enum && !property.enum.includes(params[key]))
      return `auth.params.${key} must be one of ${property.enum.join(', ')}, not ${JSON.stringify(params[key])}.`;
  }
  for (const key of ['endpoint', 'accountsUrl']) {
    if (key in (authSpec.spec.properties ?? {}) && !/^https?:\/\/[^\s/]+/.test(String(params[key])))
      return `auth.params.${key} must be an http(s) URL.`;
  }
  return undefined;
}
