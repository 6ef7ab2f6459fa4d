// Shared by the sync tests: an emulator with an http-api dataflow for Zoho's Accounts, built over
// the emulator's own Platform API the way `connect --via http-api` and `dataflow create --via
// http-api` build it (authenticated raw base connection, its inlet, source connection, target,
// mapping set, streaming flow), and the `syncs` entry those commands record in the state file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { processLockOwner } from '../../src/cli/context.js';
import { StateStore, type SyncState } from '../../src/config/state.js';
import { DATA_LAKE_SPEC_ID, HTTP_API_SPEC_ID, STREAMING_FLOW_SPEC_ID } from '../../src/emulator/specs-data.js';
import { LIVE_EDGE_SECONDS } from '../../src/sync/engine.js';
import { cliEnv, spawnCli, tempHome, type CliResult } from '../helpers/cli.js';
import { call, emulator, platformHeaders, TEST_ORG, type Emulator } from '../helpers/emulator.js';

export type Emu = Emulator & { env: Record<string, string> };

const FLOW = '/data/foundation/flowservice';
const PROFILE = 'https://ns.adobe.com/xdm/context/profile';
const HTTP_SPEC = { id: HTTP_API_SPEC_ID, version: '1.0' };
/** The Accounts fields the mapping reads (top-level names, as dataflow create records them). */
export const FIELDS = ['Account_Name', 'Owner', 'Industry', 'Modified_Time'];

export interface SyncWorld {
  emu: Emu;
  home: string;
  env: Record<string, string | undefined>;
  flowId: string;
  dataSetId: string;
  tenant: string;
  inletUrl: string;
  /** `aep-zoho <args>` through the real binary, in this world's home. */
  cli(
    args: string[],
    extra?: Record<string, string | undefined>,
    options?: Parameters<typeof spawnCli>[2],
  ): Promise<CliResult>;
  /** The sync entry of the state file. */
  entry(): Promise<SyncState>;
  /** Ids the dataset received, in order (duplicates kept). */
  streamedIds(): string[];
}

export async function syncWorld(
  t: TestContext,
  options: { emulator?: Parameters<typeof emulator>[0]; changedAt?: string; env?: Record<string, string> } = {},
): Promise<SyncWorld> {
  const emu = await emulator(options.emulator);
  t.after(() => emu.close());
  const home = await tempHome();
  const h = await platformHeaders(emu);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await call(emu, method, path.startsWith('/data') ? path : `${FLOW}${path}`, body, h);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  const fg = await api('POST', '/data/foundation/schemaregistry/tenant/fieldgroups', {
    type: 'object',
    title: 'Zoho account fields',
    description: 'Zoho',
    'meta:intendedToExtend': [PROFILE],
    definitions: {
      zoho: {
        properties: {
          [tenant]: {
            type: 'object',
            properties: {
              zohoId: { type: 'string' },
              name: { type: 'string' },
              ownerId: { type: 'string' },
              industry: { type: 'string' },
              modified: { type: 'string' },
            },
          },
        },
      },
    },
  });
  const schema = await api('POST', '/data/foundation/schemaregistry/tenant/schemas', {
    type: 'object',
    title: 'Zoho Accounts',
    description: 'Accounts',
    allOf: [{ $ref: PROFILE }, { $ref: fg.$id }],
  });
  const dataSetId = '5c8c3c555033b814b69f9471';
  emu.state.dataSets.add({
    id: dataSetId,
    name: 'Zoho accounts',
    schemaRef: { id: schema.$id, contentType: 'application/vnd.adobe.xed+json;version=1' },
    imsOrgId: TEST_ORG,
    sandboxName: 'prod',
  });
  const mapping = await api('POST', '/data/foundation/conversion/mappingSets', {
    outputSchema: { schemaRef: { id: schema.$id, contentType: 'application/vnd.adobe.xed-full+json;version=1' } },
    mappings: [
      { sourceType: 'ATTRIBUTE', source: 'id', destination: `${tenant}.zohoId` },
      { sourceType: 'ATTRIBUTE', source: 'Account_Name', destination: `${tenant}.name` },
      { sourceType: 'ATTRIBUTE', source: 'Owner.id', destination: `${tenant}.ownerId` },
      { sourceType: 'ATTRIBUTE', source: 'Industry', destination: `${tenant}.industry` },
      { sourceType: 'ATTRIBUTE', source: 'Modified_Time', destination: `${tenant}.modified` },
    ],
  });
  const base = await api('POST', '/connections', {
    name: 'aep-zoho default',
    description: 'Zoho CRM records posted by aep-zoho',
    connectionSpec: HTTP_SPEC,
    auth: {
      specName: 'Streaming Connection',
      params: { dataType: 'raw', sourceId: 'aep-zoho', name: 'aep-zoho Zoho CRM', authenticationRequired: true },
    },
  });
  const inletUrl: string = (await api('GET', `/connections/${base.id}`)).items[0].auth.params.inletUrl;
  const source = await api('POST', '/sourceConnections', {
    name: 'Zoho Accounts (HTTP API)',
    baseConnectionId: base.id,
    connectionSpec: HTTP_SPEC,
  });
  const target = await api('POST', '/targetConnections', {
    name: 'Zoho Accounts target',
    connectionSpec: { id: DATA_LAKE_SPEC_ID, version: '1.0' },
    data: { schema: { id: schema.$id, version: 'application/vnd.adobe.xed-full+json;version=1.0' } },
    params: { dataSetId },
  });
  const flow = await api('POST', '/flows', {
    name: 'Zoho CRM Accounts (aep-zoho default/accounts)',
    flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [source.id],
    targetConnectionIds: [target.id],
    transformations: [{ name: 'Mapping', params: { mappingId: mapping.id, mappingVersion: '0' } }],
  });
  const store = new StateStore(home, 'default', { owner: processLockOwner() });
  await store.update('prod', (state) => {
    state.via = 'http-api';
    state.connection = { id: base.id, name: 'aep-zoho default' };
    state.dataflows = {
      accounts: { flow: { id: flow.id, name: 'Zoho CRM Accounts (aep-zoho default/accounts)', created: true } },
    };
    state.syncs = {
      accounts: {
        flowId: flow.id,
        module: 'Accounts',
        fields: FIELDS,
        inletUrl,
        changedAt: options.changedAt ?? '2025-01-01T00:00:00.000Z',
      },
    };
  });
  const env = cliEnv(emu.env, home, { NO_COLOR: '1', ZOHO_ENDPOINT: emu.url, ...options.env });
  return {
    emu,
    home,
    env,
    flowId: flow.id,
    dataSetId,
    tenant,
    inletUrl,
    cli: (args, extra = {}, spawnOptions) => spawnCli(args, { ...env, ...extra }, spawnOptions),
    entry: async () =>
      JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8')).sandboxes.prod.syncs.accounts,
    streamedIds: () => emu.state.recordsOf(dataSetId).map((r) => String((r.raw as { id: unknown }).id)),
  };
}

/** The ids of Zoho's current Accounts. */
export const zohoIds = (emu: Emulator, module = 'Accounts') => emu.zoho.rows(module).map((row) => String(row.id));

/** The newest Modified_Time of a module, as an instant (ms). */
export const newestModified = (emu: Emulator, module = 'Accounts') =>
  Math.max(...emu.zoho.rows(module).map((row) => Date.parse(String(row.Modified_Time))));

/** Inlet posts the emulator received (answered or not), from the exchange at index `from` (a `mark()`). */
export const inletPosts = (emu: Emulator, from = 0) =>
  emu.exchanges.slice(from).filter((e) => e.method === 'POST' && e.path.startsWith('/collection/'));

/** Where the exchanges end now, for inletPosts(emu, mark). */
export const mark = (emu: Emulator) => emu.exchanges.length;

/**
 * Time passes on the emulator's clock (Zoho's and Adobe's) beyond sync's live edge, so that what
 * was just edited in Zoho is over and a pass may move its cursor past it (src/sync/cursor.ts).
 */
export const settle = (emu: Emulator) => emu.advanceClock((LIVE_EDGE_SECONDS + 1) * 1000);
