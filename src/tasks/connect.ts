// `connect`: authenticate, check that Adobe still offers the Zoho CRM source, find this profile's
// base connection (state, then name) or create it, optionally rotate its Zoho tokens, verify it,
// and save its id and etag. Zoho's tokens go to Adobe exactly as stored: aep-zoho never mints one here.
import { DATA_LAKE_CONNECTION_SPEC, ZOHO_CONNECTION_SPEC, type FlowResource, type FlowService, type JsonPatch, type ZohoAuthParams } from '../aep/flow-service.js';
import { requireZoho } from '../config/settings.js';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import { createOnce } from './converge.js';
import { runTasks, type Task } from './runner.js';
import { openSession, type Session } from './session.js';
import type { PlanStep } from '../core/plan.js';

export interface ConnectOptions {
  name?: string;
  updateCredentials?: boolean;
  dryRun?: boolean;
}

export interface ConnectResult {
  connectionId: string;
  created: boolean;
  name: string;
  sandbox: string;
  updatedCredentials: boolean;
  tested: boolean;
}

export const defaultConnectionName = (profile: string) => `aep-zoho ${profile}`;

export function zohoConnectionBody(name: string, params: ZohoAuthParams) {
  return {
    name,
    description: 'Zoho CRM base connection, managed by aep-zoho',
    auth: { specName: 'Basic Authentication', params },
    connectionSpec: ZOHO_CONNECTION_SPEC,
  };
}

const RETIRED_HINT =
  'Adobe announced that the Zoho CRM source is deprecated at the end of June 2025, and this organization no longer offers it. Existing dataflows may keep running; new connections cannot be made. Check the Sources catalog in the Experience Platform UI, or ask your Adobe account team.';

/**
 * Fails plainly when Adobe no longer offers the Zoho CRM connection spec (ruling 6). A 404 means
 * retirement only if the same gateway finds the Data Lake spec, which every organization has:
 * otherwise a wrong AEP_PLATFORM_URL or a proxy's 404 page is answering, not Adobe.
 */
export async function assertZohoSpecOffered(flow: FlowService): Promise<void> {
  if (await flow.connectionSpec(ZOHO_CONNECTION_SPEC.id)) return;
  if (!(await flow.connectionSpec(DATA_LAKE_CONNECTION_SPEC.id))) {
    throw new UserError(`The server at AEP_PLATFORM_URL found neither the Zoho CRM connection spec nor the Data Lake one that every organization has: it is not Adobe Experience Platform's API gateway.`, {
      hint: 'Check AEP_PLATFORM_URL (default https://platform.adobe.io, without a path) and any proxy in between (HTTPS_PROXY): their 404 page reads like a missing spec.',
    });
  }
  throw new UserError(`The Zoho CRM source (connection spec ${ZOHO_CONNECTION_SPEC.id}) is no longer available in this organization.`, { hint: RETIRED_HINT });
}

/**
 * The base connection to use: from the state file when it still exists, else by name. Returns
 * undefined when there is none. Several with the same name: the oldest wins, with a warning.
 */
export async function findConnection(ctx: Context, session: Session, name: string): Promise<FlowResource | undefined> {
  const saved = (await session.state.read(session.settings.sandbox)).connection;
  if (saved?.id && saved.name === name) {
    const current = await session.flow.get('connections', saved.id);
    if (current && current.name === name) return current;
  }
  const matches = await session.flow.findByName('connections', name, [`connectionSpec.id==${ZOHO_CONNECTION_SPEC.id}`]);
  matches.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  if (matches.length > 1) ctx.log.warn(`${matches.length} base connections are named '${name}'; using the oldest, ${matches[0].id}.`);
  return matches[0];
}

export async function connect(ctx: Context, options: ConnectOptions): Promise<ConnectResult | { plan: PlanStep[] }> {
  const session = await openSession(ctx);
  const { flow, state } = session;
  const sandbox = session.settings.sandbox;
  const name = options.name?.trim() || defaultConnectionName(session.settings.profileName);
  const zoho = requireZoho(session.settings);
  const params: ZohoAuthParams = {
    endpoint: zoho.endpoint,
    accountsUrl: zoho.accountsUrl,
    clientId: zoho.clientId,
    clientSecret: zoho.clientSecret,
    accessToken: zoho.accessToken,
    refreshToken: zoho.refreshToken,
  };

  interface Run {
    existing?: FlowResource;
    connectionId?: string;
    etag?: string;
    created: boolean;
    updated: boolean;
    tested: boolean;
  }
  const tasks: Array<Task<Run>> = [
    {
      title: 'Authenticate with Adobe IMS',
      task: async (_run, task) => {
        const token = await session.ims.token();
        task.title = `Authenticated with Adobe IMS (${token.cached ? 'cached token' : 'new token'}, valid until ${new Date(token.expiry).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
      },
    },
    {
      title: 'Check the Zoho CRM source and look up the base connection',
      task: async (run, task) => {
        const [, existing] = await Promise.all([assertZohoSpecOffered(flow), findConnection(ctx, session, name)]);
        run.existing = existing;
        task.title = existing ? `Found base connection '${name}' (${existing.id})` : `No base connection named '${name}' yet`;
      },
    },
  ];

  if (options.dryRun) {
    const run = await runTasks(ctx, tasks, { created: false, updated: false, tested: false } as Run);
    const body = zohoConnectionBody(name, params);
    // The contract's actions are create, reuse and delete: a credential rotation is a reuse with a PATCH.
    const rotate = run.existing && options.updateCredentials;
    const plan: PlanStep[] = run.existing
      ? [{
          action: 'reuse',
          resource: 'base connection',
          name,
          id: run.existing.id,
          ...(rotate ? { note: 'its Zoho credentials would be replaced', request: { method: 'PATCH', path: `/data/foundation/flowservice/connections/${run.existing.id}`, body: redactValue(credentialsPatch(params)) } } : {}),
        }]
      : [{ action: 'create', resource: 'base connection', name, request: { method: 'POST', path: '/data/foundation/flowservice/connections', body: redactValue(body) } }];
    return { plan };
  }

  tasks.push(
    {
      title: 'Create the base connection',
      skip: (run) => (run.existing ? `Reusing base connection '${name}'` : false),
      task: async (run, task) => {
        const made = await createOrAdopt(flow, name, params);
        run.connectionId = made.id;
        run.etag = made.etag;
        run.created = made.created;
        await state.record(sandbox, { kind: 'connection' }, { id: made.id, name, etag: made.etag, created: made.created });
        task.title = `Created base connection '${name}' (${made.id})`;
      },
    },
    {
      title: 'Rotate the Zoho credentials in the base connection',
      enabled: (run) => !!run.existing && !!options.updateCredentials,
      task: async (run) => {
        const patched = await flow.patch('connections', run.existing!.id, run.existing!.etag, credentialsPatch(params));
        run.etag = patched.etag;
        run.updated = true;
      },
    },
    {
      title: 'Verify the base connection',
      task: async (run, task) => {
        run.connectionId ??= run.existing!.id;
        const [current, ok] = await Promise.all([flow.get('connections', run.connectionId), flow.testConnection(run.connectionId)]);
        if (!current) throw new UserError(`The base connection ${run.connectionId} disappeared while aep-zoho was verifying it.`, { hint: "Re-run 'aep-zoho connect'." });
        run.etag = current.etag;
        await state.record(sandbox, { kind: 'connection' }, { id: current.id, name, etag: current.etag, created: run.created });
        if (!ok) {
          throw new UserError(`Adobe could not reach Zoho CRM with the credentials in base connection '${name}' (the connection test failed).`, {
            hint: "The Zoho tokens may be revoked or from another data centre: get new ones with 'aep-zoho zoho token --grant-token <code> --region <dc>', then run 'aep-zoho connect --update-credentials'. Also check that a Zoho admin allows Adobe's IP ranges ('aep-zoho allowlist').",
          });
        }
        run.tested = true;
        task.title = `Verified base connection (${run.connectionId}): Adobe reached Zoho CRM`;
      },
    },
  );

  const run = await runTasks(ctx, tasks, { created: false, updated: false, tested: false } as Run);
  return { connectionId: run.connectionId!, created: run.created, name, sandbox, updatedCredentials: run.updated, tested: run.tested };
}

function credentialsPatch(params: ZohoAuthParams): JsonPatch {
  return [{ op: 'replace', path: '/auth/params', value: params }];
}

async function createOrAdopt(flow: FlowService, name: string, params: ZohoAuthParams): Promise<{ id: string; etag: string; created: boolean }> {
  const { value } = await createOnce(
    () => flow.create('connections', zohoConnectionBody(name, params)),
    async () => (await flow.findByName('connections', name, [`connectionSpec.id==${ZOHO_CONNECTION_SPEC.id}`]))[0],
  );
  return { id: value.id, etag: value.etag, created: true };
}
