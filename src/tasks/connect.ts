// `connect`: authenticate, check that Adobe offers the source, find this profile's base connection
// (state, then name) or create it, verify it, and save its id and etag and the path chosen.
// - zoho-source (default): Adobe's Zoho CRM source; optionally rotate its Zoho tokens. Zoho's
//   tokens go to Adobe exactly as stored: aep-zoho never mints one here.
// - http-api: an HTTP API streaming source that `sync` feeds (ruling 19); aep-zoho checks Zoho
//   access itself (a token from the refresh token, then the module list) and reads the inlet URL.
import {
  DATA_LAKE_CONNECTION_SPEC,
  HTTP_API_CONNECTION_SPEC,
  ZOHO_CONNECTION_SPEC,
  type FlowService,
  type ZohoAuthParams,
} from '../aep/flow-service.js';
import { requireZoho, requireZohoReader, resolveVia } from '../config/settings.js';
import type { Via } from '../config/state.js';
import { defaultConnectionName, desireConnection, desireStreamingConnection } from '../converge/desire.js';
import { planConnectionDuplicates } from '../converge/duplicates.js';
import { observeConnection, observeShared } from '../converge/observe.js';
import { changesAnything, plan } from '../converge/plan.js';
import type { Actual, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { refuseInlet } from '../aep/inlet.js';
import { UsageError, UserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { execute, printable } from './execute.js';
import { runTasks, type Task } from './runner.js';
import { openSession, type Session } from './session.js';

export interface ConnectOptions {
  name?: string;
  updateCredentials?: boolean;
  dryRun?: boolean;
  via?: string;
}

export interface ConnectResult {
  connectionId: string;
  created: boolean;
  name: string;
  sandbox: string;
  via: Via;
  updatedCredentials: boolean;
  tested: boolean;
  /** http-api: where `sync` posts records (Adobe's `auth.params.inletUrl`). */
  inletUrl?: string;
  /** http-api: the Zoho modules the API can read (the access check). */
  zohoModules?: number;
}

export { defaultConnectionName };

/** Where a user goes when Adobe's Zoho source is gone: the other path, by its exact command. */
export const RETIRED_HINT =
  "Adobe retired the Zoho CRM source at the end of June 2025, and this organization no longer offers it; existing dataflows may keep running. Carry the data through Adobe's HTTP API streaming source instead, which aep-zoho feeds itself: run 'aep-zoho connect --via http-api'.";

/**
 * Fails plainly when Adobe no longer offers the Zoho CRM connection spec (ruling 6). A 404 means
 * retirement only if the same gateway finds the Data Lake spec, which every organization has:
 * otherwise a wrong AEP_PLATFORM_URL or a proxy's 404 page is answering, not Adobe.
 */
export async function assertZohoSpecOffered(flow: FlowService): Promise<void> {
  if (await flow.connectionSpec(ZOHO_CONNECTION_SPEC.id)) return;
  if (!(await flow.connectionSpec(DATA_LAKE_CONNECTION_SPEC.id))) {
    throw new UserError(
      `The server at AEP_PLATFORM_URL found neither the Zoho CRM connection spec nor the Data Lake one that every organization has: it is not Adobe Experience Platform's API gateway.`,
      {
        hint: 'Check AEP_PLATFORM_URL (default https://platform.adobe.io, without a path) and any proxy in between (HTTPS_PROXY): their 404 page reads like a missing spec.',
      },
    );
  }
  throw new UserError(
    `The Zoho CRM source (connection spec ${ZOHO_CONNECTION_SPEC.id}) is no longer available in this organization.`,
    { hint: RETIRED_HINT },
  );
}

/**
 * The base connection to use (explore, doctor): the state's when it is the one by this name, else by
 * name, as connect finds it. Undefined when there is none.
 */
export async function findConnection(
  ctx: Context,
  session: Session,
  name: string,
  via?: Via,
): Promise<Actual | undefined> {
  const saved = await session.state.read(session.settings.sandbox);
  const state = saved.connection?.name === name ? saved : { ...saved, connection: undefined };
  const services = {
    platform: session.platform,
    state: session.state,
    sandbox: session.settings.sandbox,
    profile: session.settings.profileName,
    log: ctx.log,
    now: ctx.now,
    via,
  };
  return observeConnection(services, observeShared(services, state), name);
}

export async function connect(
  ctx: Context,
  options: ConnectOptions,
): Promise<ConnectResult | { plan: PlanStep[]; changes: boolean }> {
  const session = await openSession(ctx);
  const { flow } = session;
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;
  const via = resolveVia(options.via, ctx.env, (await session.state.read(sandbox)).via);
  const name = options.name?.trim() || defaultConnectionName(profile);
  if (name.includes(','))
    throw new UsageError(`--name '${name}' contains a comma.`, {
      hint: 'Adobe reads a comma in a lookup filter as "or" (ruling 15): pick a name without one.',
    });
  if (via === 'http-api' && options.updateCredentials) {
    throw new UsageError(
      '--update-credentials does not apply with --via http-api: Adobe holds no Zoho credentials on that path.',
      {
        hint: "aep-zoho reads the stored tokens on every sync: update them with 'aep-zoho zoho token', then run 'aep-zoho sync'.",
      },
    );
  }
  if (via === 'http-api') requireZohoReader(session.settings); // aep-zoho reads Zoho itself: the client and refresh token
  const desired =
    via === 'http-api'
      ? desireStreamingConnection(name, profile)
      : desireZohoConnection(session, name, !!options.updateCredentials);
  let steps: Step[] = [];
  let zohoModules: number | undefined;

  await runTasks(
    ctx,
    [
      {
        title: 'Authenticate with Adobe IMS',
        task: async (_c, task) => {
          const token = await session.ims.token();
          task.title = `Authenticated with Adobe IMS (${token.cached ? 'cached token' : 'new token'}, valid until ${new Date(token.expiry).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
        },
      },
      {
        title:
          via === 'http-api'
            ? 'Check the HTTP API source, Zoho access, and look up the base connection'
            : 'Check the Zoho CRM source and look up the base connection',
        task: async (_c, task) => {
          const [, existing, modules] = await Promise.all([
            via === 'http-api' ? assertStreamingSpecOffered(flow) : assertZohoSpecOffered(flow),
            findConnection(ctx, session, name, via),
            via === 'http-api' ? checkZohoAccess(ctx, session) : Promise.resolve(undefined),
          ]);
          zohoModules = modules;
          if (via === 'http-api' && existing) assertStreamingConnection(existing, name);
          steps = plan({
            desired: [desired],
            actual: new Map(existing ? [['connection', existing]] : []),
            today: `${ctx.now().toISOString().slice(0, 16)}Z`,
          });
          // A younger copy of ours (two machines connected at once): retired while nothing uses it (issue 21.5).
          if (existing?.retirable?.length) {
            const duplicates = await planConnectionDuplicates(existing, steps, (id) =>
              flow.listAll('sourceConnections', { property: `baseConnectionId==${id}` }),
            );
            if (duplicates.notes.length) steps[0].notes = [...(steps[0].notes ?? []), ...duplicates.notes];
            steps.push(...duplicates.steps.map((s) => ({ ...s, dependsOn: ['connection'] })));
          }
          task.title = `${existing ? `Found base connection '${name}' (${existing.id})` : `No base connection named '${name}' yet`}${modules !== undefined ? `; Zoho answers (${modules} modules)` : ''}`;
        },
      },
    ] as Array<Task<object>>,
    {},
  );

  for (const note of steps.flatMap((s) => s.notes ?? [])) ctx.log.warn(`${note}.`);
  if (options.dryRun) return { plan: printable(steps), changes: changesAnything(steps) };

  const execution = await execute(ctx, session, steps);
  const step = steps[0];
  const connectionId = execution.outcomes.get('connection')!.id;
  let inletUrl: string | undefined;
  await runTasks(
    ctx,
    [
      via === 'http-api'
        ? {
            title: 'Read the inlet URL',
            task: async (_c, task) => {
              // "The streaming endpoint URL is automatically created with the connection": read it, never build it (§1.2).
              inletUrl = inletUrlOf(await flow.get('connections', connectionId), connectionId);
              // Only an inlet sync would post to is recorded as one (the rule of aep/inlet.ts).
              refuseInlet(inletUrl, session.settings.platformUrl, 'connect');
              task.title = `Inlet ${inletUrl}`;
            },
          }
        : {
            title: 'Verify the base connection',
            task: async (_c, task) => {
              const ok = await flow.testConnection(connectionId);
              if (!ok) {
                throw new UserError(
                  `Adobe could not reach Zoho CRM with the credentials in base connection '${name}' (the connection test failed).`,
                  {
                    hint: "The Zoho tokens may be revoked or from another data centre: get new ones with 'aep-zoho zoho token' (it asks for the code and remembers the region), then run 'aep-zoho connect --update-credentials'. Also check that a Zoho admin allows Adobe's IP ranges ('aep-zoho allowlist').",
                  },
                );
              }
              task.title = `Verified base connection (${connectionId}): Adobe reached Zoho CRM`;
            },
          },
    ] as Array<Task<object>>,
    {},
  );
  // Later commands follow this choice for the profile and sandbox (AEP_ZOHO_VIA and --via override it).
  await session.state.update(sandbox, (state) => {
    state.via = via;
  });
  return {
    connectionId,
    created: step.action === 'create',
    name,
    sandbox,
    via,
    updatedCredentials: !!step.changes?.some((c) => c.field === 'auth.params'),
    tested: true,
    ...(inletUrl ? { inletUrl } : {}),
    ...(zohoModules !== undefined ? { zohoModules } : {}),
  };
}

/** Adobe's Zoho CRM source connection, with the Zoho tokens exactly as stored or given. */
function desireZohoConnection(session: Session, name: string, updateCredentials: boolean) {
  const zoho = requireZoho(session.settings);
  const params: ZohoAuthParams = {
    endpoint: zoho.endpoint,
    accountsUrl: zoho.accountsUrl,
    clientId: zoho.clientId,
    clientSecret: zoho.clientSecret,
    accessToken: zoho.accessToken,
    refreshToken: zoho.refreshToken,
  };
  return desireConnection(name, session.settings.profileName, params, updateCredentials);
}

/** Where sync posts: the inlet URL Adobe made with the connection (aep-fallback.md §1.2), without a trailing slash. */
export function inletUrlOf(connection: Record<string, any> | undefined, id: string): string {
  const url = connection?.auth?.params?.inletUrl;
  if (typeof url === 'string' && url.trim()) return url.trim().replace(/\/+$/, '');
  throw new UserError(`Adobe answered HTTP API base connection ${id} without an inlet URL (auth.params.inletUrl).`, {
    hint: "Run 'aep-zoho connect --via http-api' again in a minute; if it persists, check the connection in Sources > Accounts > HTTP API in the Experience Platform UI.",
  });
}

/**
 * A connection by our name must be one sync can feed: raw records (Data Prep applies the mapping)
 * on an authenticated inlet (CRM records are personal data). Adobe cannot change either in place.
 */
function assertStreamingConnection(existing: Actual, name: string): void {
  const params = existing.resource.auth?.params ?? {};
  const wrong = [
    params.dataType !== 'raw' && `dataType is '${params.dataType ?? 'unset'}', not 'raw'`,
    params.authenticationRequired !== true && 'it is not authenticated (authenticationRequired is not true)',
  ].filter(Boolean);
  if (!wrong.length) return;
  throw new UserError(
    `The HTTP API base connection '${name}' (${existing.id}) cannot carry Zoho records for aep-zoho: ${wrong.join(' and ')}.`,
    {
      hint: "Pick another name with 'aep-zoho connect --via http-api --name <name>', or delete that connection in the Experience Platform UI (Sources > Accounts) and run connect again.",
    },
  );
}

/** The HTTP API source must be offered (it is in every organization with streaming sources). */
async function assertStreamingSpecOffered(flow: FlowService): Promise<void> {
  if (await flow.connectionSpec(HTTP_API_CONNECTION_SPEC.id)) return;
  throw new UserError(
    `Adobe offers no HTTP API streaming source (connection spec ${HTTP_API_CONNECTION_SPEC.id}) in this sandbox.`,
    {
      hint: 'Check the Sources catalog (Streaming > HTTP API) in the Experience Platform UI, and that AEP_PLATFORM_URL points at https://platform.adobe.io.',
    },
  );
}

/** aep-zoho reads Zoho itself on this path: an access token (minted from the refresh token only when none is valid), then the module list. */
async function checkZohoAccess(ctx: Context, session: Session): Promise<number> {
  const { ZohoCrm } = await import('../zoho/crm.js');
  const crm = ZohoCrm.open(ctx, session.settings);
  return (await crm.modules()).length;
}
