// Test helper: an in-process emulator plus what a test needs to talk to it or point the CLI at it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions, type Fault } from '../../src/emulator/server.js';

export type { Emulator } from '../../src/emulator/server.js';

export const TEST_ORG = '5C1328435BF324E90A49402A@AdobeOrg';
export const TEST_CLIENT = 'test-client-id';

/**
 * Adobe's ingestion pause (five minutes after a streaming flow changes) is off unless a test asks
 * for it (`ingestionPauseMs`): `env` then tells sync the same length, as `aep-zoho emulator` does.
 */
export async function emulator(options: EmulatorOptions = {}): Promise<Emulator & { env: Record<string, string> }> {
  const emu = await startEmulator({ ingestionPauseMs: 0, ...options });
  return Object.assign(emu, {
    env: {
      AEP_PLATFORM_URL: emu.url,
      AEP_IMS_URL: emu.url,
      ZOHO_ACCOUNTS_URL: emu.url,
      ...(emu.options.ingestionPauseMs === undefined
        ? {}
        : { AEP_ZOHO_INGESTION_PAUSE: `${emu.options.ingestionPauseMs}ms` }),
    },
  });
}

/** A Zoho CRM base connection body as Adobe's tutorial posts it (aep-api.md §2). */
export function zohoConnectionBody(name = 'Zoho CRM base connection') {
  return {
    name,
    description: 'Base Connection for Zoho CRM',
    auth: {
      specName: 'Basic Authentication',
      params: {
        endpoint: 'https://www.zohoapis.eu',
        accountsUrl: 'https://accounts.zoho.eu',
        clientId: '1000.ZOHOCLIENT',
        clientSecret: 'zoho-secret',
        accessToken: 'zoho-access',
        refreshToken: 'zoho-refresh',
      },
    },
    connectionSpec: { id: '929e4450-0237-4ed2-9404-b7e1e0a00309', version: '1.0' },
  };
}

/** Headers for calling the emulator's Platform APIs directly (a fresh IMS token each call). */
export async function platformHeaders(emu: Emulator, sandbox = 'prod'): Promise<Record<string, string>> {
  const res = await fetch(`${emu.url}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: TEST_CLIENT,
      client_secret: 'test-secret',
      scope: 'openid,AdobeID',
    }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  return {
    authorization: `Bearer ${token}`,
    'x-api-key': TEST_CLIENT,
    'x-gw-ims-org-id': TEST_ORG,
    'x-sandbox-name': sandbox,
    'content-type': 'application/json',
  };
}

/** fetch + JSON against the emulator, returning status and parsed body. */
export async function call(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: headers ?? (await platformHeaders(emu)),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed };
}

/** The fault kinds of the fault matrix (test/faults/matrix.test.ts), as emulator faults. */
export const MATRIX_FAULTS = {
  /** Refused with Retry-After: 1 (retried after a second, also on a POST: nothing was done). */
  '429': { kind: 'status', status: 429, retryAfter: '1' },
  '503': { kind: 'status', status: 503 },
  '500': { kind: 'status', status: 500 },
  /** The connection is reset before the service sees the request. */
  reset: { kind: 'reset' },
  /** The service handles the request, then the connection drops: a create happened unheard. */
  drop: { kind: 'drop' },
  /** Handled, then answered after the client's timeout (run the CLI with AEP_ZOHO_TIMEOUT_MS=300). */
  timeout: { kind: 'delay', ms: 700, handle: 'after' },
  /** Every IMS token issued so far expires (the gateway answers 401 from this request on). */
  'expire-tokens': { kind: 'expire-tokens' },
} as const satisfies Record<string, Fault>;

export type MatrixFault = keyof typeof MATRIX_FAULTS;

/** Injects one of the matrix faults at the k-th request the emulator receives (1-based, all requests). */
export function faultAt(emu: Emulator, k: number, kind: MatrixFault): void {
  emu.faults.add({ at: k, fault: MATRIX_FAULTS[kind], label: kind });
}

/**
 * What `connect` + `dataflow create --template accounts` must leave, whatever failed on the way:
 * exactly one of each resource, every link in place, and a state file naming exactly those.
 * Returns the problems found (none: converged).
 */
export async function convergence(emu: Emulator, home: string): Promise<string[]> {
  const problems: string[] = [];
  const s = emu.state;
  const expected: Record<string, number> = {
    connections: 1,
    sourceConnections: 1,
    targetConnections: 1,
    flows: 1,
    dataSets: 1,
    schemas: 1,
    fieldGroups: 1,
    mappingSets: 1,
    classes: 0,
    descriptors: 0,
  };
  const counts = s.counts();
  for (const [kind, n] of Object.entries(expected))
    if (counts[kind] !== n) problems.push(`${counts[kind]} ${kind}, expected ${n}`);
  if (problems.length) return problems;

  const [connection] = s.connections.all();
  const [source] = s.sourceConnections.all();
  const [target] = s.targetConnections.all();
  const [flow] = s.flows.all();
  const [dataset] = s.dataSets.all();
  const [schema] = s.schemas.all();
  const [fieldGroup] = s.fieldGroups.all();
  const [mappingSet] = s.mappingSets.all();
  const link = (ok: boolean, what: string) => ok || problems.push(what);
  link(source.baseConnectionId === connection.id, 'source connection not on the base connection');
  link(
    JSON.stringify(flow.sourceConnectionIds) === JSON.stringify([source.id]),
    'flow does not use the source connection',
  );
  link(
    JSON.stringify(flow.targetConnectionIds) === JSON.stringify([target.id]),
    'flow does not use the target connection',
  );
  link(target.params?.dataSetId === dataset.id, 'target connection not on the dataset');
  link(target.data?.schema?.id === schema.$id, 'target connection not on the schema');
  link(dataset.schemaRef?.id === schema.$id, 'dataset not on the schema');
  link(
    flow.transformations?.find((t: any) => t.name === 'Mapping')?.params?.mappingId === mappingSet.id,
    'flow does not use the mapping set',
  );
  link(mappingSet.outputSchema?.schemaRef?.id === schema.$id, 'mapping set not on the schema');
  link(
    (schema.allOf ?? []).some((r: any) => r.$ref === fieldGroup.$id),
    'schema does not include the field group',
  );

  let file: any;
  try {
    file = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8'));
  } catch (error) {
    return [...problems, `state file: ${(error as Error).message}`];
  }
  const state = file.sandboxes?.prod ?? {};
  link(state.connection?.id === connection.id, `state connection ${state.connection?.id} ≠ ${connection.id}`);
  if (state.tables) link(state.tables.connectionId === connection.id, 'state table listing is for another connection');
  const saved = state.dataflows?.accounts ?? {};
  const want: Record<string, string> = {
    fieldGroup: fieldGroup.$id,
    schema: schema.$id,
    dataset: dataset.id,
    sourceConnection: source.id,
    targetConnection: target.id,
    mappingSet: mappingSet.id,
    flow: flow.id,
  };
  link(
    JSON.stringify(Object.keys(saved).sort()) === JSON.stringify(Object.keys(want).sort()),
    `state names ${Object.keys(saved).sort().join(',')}`,
  );
  for (const [kind, id] of Object.entries(want))
    link(saved[kind]?.id === id, `state ${kind} ${saved[kind]?.id} ≠ ${id}`);
  link(Object.keys(file.sandboxes ?? {}).join() === 'prod', 'state holds other sandboxes');
  return problems;
}
