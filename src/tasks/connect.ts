// `connect`: authenticate, check that Adobe still offers the Zoho CRM source, find this profile's
// base connection (state, then name) or create it, optionally rotate its Zoho tokens, verify it,
// and save its id and etag. Zoho's tokens go to Adobe exactly as stored: aep-zoho never mints one here.
import { DATA_LAKE_CONNECTION_SPEC, ZOHO_CONNECTION_SPEC, type FlowService, type ZohoAuthParams } from '../aep/flow-service.js';
import { requireZoho } from '../config/settings.js';
import { defaultConnectionName, desireConnection } from '../converge/desire.js';
import { observeConnection, observeShared } from '../converge/observe.js';
import { changesAnything, plan } from '../converge/plan.js';
import type { Actual, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { execute, printable } from './execute.js';
import { runTasks, type Task } from './runner.js';
import { openSession, type Session } from './session.js';

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

export { defaultConnectionName };

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
 * The base connection to use (explore, doctor): the state's when it is the one by this name, else by
 * name, as connect finds it. Undefined when there is none.
 */
export async function findConnection(ctx: Context, session: Session, name: string): Promise<Actual | undefined> {
  const saved = await session.state.read(session.settings.sandbox);
  const state = saved.connection?.name === name ? saved : { ...saved, connection: undefined };
  const services = { platform: session.platform, state: session.state, sandbox: session.settings.sandbox, profile: session.settings.profileName, log: ctx.log, now: ctx.now };
  return observeConnection(services, observeShared(services, state), name);
}

export async function connect(ctx: Context, options: ConnectOptions): Promise<ConnectResult | { plan: PlanStep[]; changes: boolean }> {
  const session = await openSession(ctx);
  const { flow } = session;
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;
  const name = options.name?.trim() || defaultConnectionName(profile);
  if (name.includes(',')) throw new UsageError(`--name '${name}' contains a comma.`, { hint: 'Adobe reads a comma in a lookup filter as "or" (ruling 15): pick a name without one.' });
  const zoho = requireZoho(session.settings);
  const params: ZohoAuthParams = {
    endpoint: zoho.endpoint,
    accountsUrl: zoho.accountsUrl,
    clientId: zoho.clientId,
    clientSecret: zoho.clientSecret,
    accessToken: zoho.accessToken,
    refreshToken: zoho.refreshToken,
  };
  let steps: Step[] = [];

  await runTasks(ctx, [
    {
      title: 'Authenticate with Adobe IMS',
      task: async (_c, task) => {
        const token = await session.ims.token();
        task.title = `Authenticated with Adobe IMS (${token.cached ? 'cached token' : 'new token'}, valid until ${new Date(token.expiry).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
      },
    },
    {
      title: 'Check the Zoho CRM source and look up the base connection',
      task: async (_c, task) => {
        const [, existing] = await Promise.all([assertZohoSpecOffered(flow), findConnection(ctx, session, name)]);
        steps = plan({ desired: [desireConnection(name, profile, params, !!options.updateCredentials)], actual: new Map(existing ? [['connection', existing]] : []), today: `${ctx.now().toISOString().slice(0, 16)}Z` });
        task.title = existing ? `Found base connection '${name}' (${existing.id})` : `No base connection named '${name}' yet`;
      },
    },
  ] as Array<Task<object>>, {});

  if (options.dryRun) return { plan: printable(steps), changes: changesAnything(steps) };

  const execution = await execute(ctx, session, steps);
  const step = steps[0];
  const connectionId = execution.outcomes.get('connection')!.id;
  await runTasks(ctx, [
    {
      title: 'Verify the base connection',
      task: async (_c, task) => {
        const ok = await flow.testConnection(connectionId);
        if (!ok) {
          throw new UserError(`Adobe could not reach Zoho CRM with the credentials in base connection '${name}' (the connection test failed).`, {
            hint: "The Zoho tokens may be revoked or from another data centre: get new ones with 'aep-zoho zoho token' (it asks for the code and remembers the region), then run 'aep-zoho connect --update-credentials'. Also check that a Zoho admin allows Adobe's IP ranges ('aep-zoho allowlist').",
          });
        }
        task.title = `Verified base connection (${connectionId}): Adobe reached Zoho CRM`;
      },
    },
  ] as Array<Task<object>>, {});
  return {
    connectionId,
    created: step.action === 'create',
    name,
    sandbox,
    updatedCredentials: !!step.changes?.some((c) => c.field === 'auth.params'),
    tested: true,
  };
}
