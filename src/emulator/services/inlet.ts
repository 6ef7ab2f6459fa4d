// The HTTP API streaming inlet (Adobe's Data Collection Service): POST /collection/{inletId}, one
// record per request, the flow named by `x-adobe-flow-id` (header or query). Sources:
// aep-fallback.md §1.1, §1.6 and §1.7 (http.md@c3aba92, streaming-multiple-messages.md@17912e0,
// guardrails.md@0cc1cd6). It checks:
// - the inlet exists (a base connection of the HTTP API spec created it), else 404;
// - on an authenticated inlet (authenticationRequired: true), an IMS token: none → 401 with Adobe's
//   documented body ("Ims service token is empty"); an invalid or expired one, or an org other than
//   the connection's (token or x-gw-ims-org-id) → 403 (the response-code table; its body is not
//   documented: the same problem type with another message);
// - at most 1 MB per request ("The maximum record size is 1 MB"): 413, "the total payload request
//   is greater than 1MB";
// - a flow id, of a flow reading from this inlet's connection: 400 otherwise;
// - a JSON object body (raw), or an XDM message {header, body} on an xdm inlet.
// A 200 means received: the record is mapped with the flow's mapping set (the Mapping
// transformation's version) and stored for the flow's dataset in state.streamed; mapping errors
// do not fail the request (asynchronous validation: the record would land in a failed batch).
// Adobe's ingestion pause: for five minutes (options.ingestionPauseMs) after the flow is created or
// updated, a record is answered 200 like any other and dropped ("wait for a five-minute pause …
// to prevent any potential instances of data loss or data drops", http.md): kept in state.dropped,
// never in the dataset.
import { header } from '../gateway.js';
import type { EmuRequest, EmuResponse, Router } from '../router.js';
import { HTTP_API_SPEC_ID } from '../specs-data.js';
import type { Resource } from '../state.js';
import type { ServiceContext } from './context.js';
import { applyMappingSet } from './data-prep.js';

export const MAX_RECORD_BYTES = 1024 * 1024;
/** Adobe's pause after a streaming flow is created or updated (http.md: "a five-minute pause"). */
export const INGESTION_PAUSE_MS = 5 * 60_000;
const PROBLEM = 'https://ns.adobe.com/adobecloud/problem/data-collection-service';

function dcsError(status: number, kind: string, title: string, message: string, requestId: string): EmuResponse {
  return {
    status,
    body: {
      type: `${PROBLEM}${kind ? `-${kind}` : ''}`,
      status: String(status),
      title,
      report: { message: `[${requestId}] ${message}` },
    },
  };
}

export function registerInlet(router: Router, ctx: ServiceContext): void {
  const { state } = ctx;
  let sequence = 0;

  const connectionOf = (inletId: string): Resource | undefined =>
    state.connections
      .all()
      .find(
        (connection) =>
          connection.connectionSpec?.id === HTTP_API_SPEC_ID && connection.auth?.params?.inletId === inletId,
      );

  router.on('POST', '/collection/:inletId', (req) => {
    const id = req.requestId;
    const connection = connectionOf(req.params.inletId);
    if (!connection) return dcsError(404, '', 'Not Found', `Inlet ${req.params.inletId} was not found.`, id);
    const params = connection.auth.params;
    if (params.authenticationRequired === true) {
      const refused = checkToken(req, ctx, connection);
      if (refused) return refused;
    }
    if (Buffer.byteLength(req.rawBody, 'utf8') > MAX_RECORD_BYTES) {
      return dcsError(
        413,
        'payload-too-large',
        'Payload Too Large',
        'The total payload request is greater than 1MB.',
        id,
      );
    }
    const flowId = header(req, 'x-adobe-flow-id') ?? req.query.get('x-adobe-flow-id') ?? undefined;
    if (!flowId)
      return dcsError(
        400,
        'validation',
        'Bad Request',
        'The flow id is required for both XDM and RAW data: send it as the x-adobe-flow-id header or query parameter.',
        id,
      );
    const flow = state.flows.get(flowId);
    const reads =
      flow &&
      (flow.sourceConnectionIds ?? []).some(
        (sourceId: string) => state.sourceConnections.get(sourceId)?.baseConnectionId === connection.id,
      );
    if (!flow || !reads)
      return dcsError(
        400,
        'validation',
        'Bad Request',
        `Flow ${flowId} does not read from inlet ${req.params.inletId}.`,
        id,
      );
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return dcsError(400, 'validation', 'Bad Request', 'The request body must be one JSON record (an object).', id);

    const target = state.targetConnections.get(flow.targetConnectionIds?.[0]);
    const dataSetId = String(target?.params?.dataSetId ?? '');
    const receivedTimeMs = ctx.now();
    const xactionId = `${receivedTimeMs}:${process.pid % 10000}:${++sequence}`;
    let data: Record<string, unknown> = {};
    let errors: Array<Record<string, unknown>> | null = null;
    if (params.dataType === 'xdm') {
      const entity = (body as { body?: { xdmEntity?: unknown } }).body?.xdmEntity;
      if (!entity || typeof entity !== 'object')
        return dcsError(400, 'validation', 'Bad Request', 'Message has unknown xdm format.', id);
      data = entity as Record<string, unknown>;
    } else {
      const mapping = (flow.transformations ?? []).find((t: { name: string }) => t.name === 'Mapping');
      const mappingSet = mapping && state.mappingSets.get(mapping.params.mappingId);
      const apply = mappingSet && applyMappingSet(state, mappingSet, Number(mapping.params.mappingVersion));
      if (!apply) errors = [{ code: 'MAPPER-1000-500', message: 'The flow has no usable mapping set.' }];
      else ({ data, errors } = apply(body as Record<string, unknown>));
    }
    // The flow's own timestamps, as Adobe keeps them: created, or last updated (a new mapping version is a PATCH).
    const changedAt = Math.max(Number(flow.createdAt) || 0, Number(flow.updatedAt) || 0);
    const paused = receivedTimeMs < changedAt + (ctx.options.ingestionPauseMs ?? INGESTION_PAUSE_MS);
    (paused ? state.dropped : state.streamed).push({
      inletId: req.params.inletId,
      flowId,
      dataSetId,
      xactionId,
      receivedTimeMs,
      raw: body,
      data,
      errors,
    });
    return { status: 200, body: { inletId: req.params.inletId, xactionId, receivedTimeMs } };
  });
}

function checkToken(req: EmuRequest, ctx: ServiceContext, connection: Resource): EmuResponse | undefined {
  const id = req.requestId;
  const auth = header(req, 'authorization');
  const token = auth && /^Bearer\s+(.+)$/i.exec(auth)?.[1];
  if (!token) return dcsError(401, 'authorization', 'Authorization', 'Ims service token is empty', id);
  const claims = ctx.signer.verify(token);
  const createdAt = Number(claims?.created_at);
  const expired = !claims || createdAt + Number(claims.expires_in) <= ctx.now() || !!ctx.tokenExpired?.(createdAt);
  if (expired) return dcsError(403, 'authorization', 'Authorization', 'Ims service token is not valid', id);
  const org = header(req, 'x-gw-ims-org-id');
  if ((claims.org && claims.org !== connection.imsOrgId) || (org && org !== connection.imsOrgId)) {
    return dcsError(
      403,
      'authorization',
      'Authorization',
      `The token is not valid for the organization of inlet ${req.params.inletId}.`,
      id,
    );
  }
  const apiKey = header(req, 'x-api-key');
  if (apiKey && apiKey !== claims.client_id)
    return dcsError(403, 'authorization', 'Authorization', 'Api Key is invalid', id);
  return undefined;
}
