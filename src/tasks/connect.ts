// `connect`: authenticate, check that Adobe offers the source, find this profile's base connection
// (state, then name) or create it, verify it, and save its id and etag and the path chosen.
// What differs by path (the connection's body, the checks, the verification) is the path's
// (src/paths/): zoho-source sends Zoho's tokens to Adobe and tests the connection; http-api checks
// Zoho access itself and reads the inlet URL.
import { resolveVia } from '../config/settings.js';
import type { Via } from '../config/state.js';
import { defaultConnectionName } from '../converge/desire.js';
import { planConnectionDuplicates } from '../converge/duplicates.js';
import { observeConnection, observeShared } from '../converge/observe.js';
import { changesAnything, plan } from '../converge/plan.js';
import type { Actual, Step } from '../converge/types.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { PATHS, type SourcePath } from '../paths/index.js';
import { execute, printable } from './execute.js';
import { runTasks, type Task } from './runner.js';
import { sessionServices, type Session } from './session.js';

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

/**
 * The base connection to use (explore, doctor): the state's when it is the one by this name, else by
 * name, as connect finds it. Undefined when there is none.
 */
export async function findConnection(
  ctx: Context,
  session: Session,
  name: string,
  path: SourcePath,
): Promise<Actual | undefined> {
  const saved = await session.state.read(session.settings.sandbox);
  const state = saved.connection?.name === name ? saved : { ...saved, connection: undefined };
  const services = sessionServices(session, ctx, path);
  return observeConnection(services, observeShared(services, state), name);
}

export async function connect(
  ctx: Context,
  options: ConnectOptions,
): Promise<ConnectResult | { plan: PlanStep[]; changes: boolean }> {
  const session = await ctx.services();
  const { flow } = session;
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;
  const path = PATHS[resolveVia(options.via, ctx.env, (await session.state.read(sandbox)).via)];
  const name = options.name?.trim() || defaultConnectionName(profile);
  if (name.includes(','))
    throw new UsageError(`--name '${name}' contains a comma.`, {
      hint: 'Adobe reads a comma in a lookup filter as "or" (ruling 15): pick a name without one.',
    });
  const desired = path.desireConnection(session.settings, name, { updateCredentials: !!options.updateCredentials });
  let steps: Step[] = [];
  let zohoModules: number | undefined;

  await runTasks(
    ctx,
    [
      {
        title: 'Authenticate with Adobe IMS',
        task: async (_c, task) => {
          const token = await session.ims.token();
          const until = new Date(token.expiry).toISOString().slice(0, 16).replace('T', ' ');
          const fresh = token.cached ? 'cached token' : 'new token';
          task.title = `Authenticated with Adobe IMS (${fresh}, valid until ${until} UTC)`;
        },
      },
      {
        title: path.check.title,
        task: async (_c, task) => {
          const [{ zohoModules: modules }, existing] = await Promise.all([
            path.check.run(ctx, session),
            findConnection(ctx, session, name, path),
          ]);
          zohoModules = modules;
          if (existing) path.checkFound(existing, name);
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
          const found = existing
            ? `Found base connection '${name}' (${existing.id})`
            : `No base connection named '${name}' yet`;
          task.title = `${found}${modules !== undefined ? `; Zoho answers (${modules} modules)` : ''}`;
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
      {
        title: path.verify.title,
        task: async (_c, task) => {
          const verified = await path.verify.run(ctx, session, connectionId, name);
          inletUrl = verified.inletUrl;
          task.title = verified.title;
        },
      },
    ] as Array<Task<object>>,
    {},
  );
  // Later commands follow this choice for the profile and sandbox (AEP_ZOHO_VIA and --via override it).
  await session.state.update(sandbox, (state) => {
    state.via = path.via;
  });
  return {
    connectionId,
    created: step.action === 'create',
    name,
    sandbox,
    via: path.via,
    updatedCredentials: !!step.changes?.some((c) => c.field === 'auth.params'),
    tested: true,
    ...(inletUrl ? { inletUrl } : {}),
    ...(zohoModules !== undefined ? { zohoModules } : {}),
  };
}
