// `doctor`: one screen of checks, each pass / fail / warn / skip with a fix. It keeps going after a
// failure; checks that need a failed one are skipped. Exit 1 when any check fails.
//
// Only documented calls (ruling 9): an IMS token, then `GET /connectionSpecs/<zoho id>`, which
// proves org and sandbox (an unknown sandbox answers FLOW-2100-404), tells whether Adobe still
// offers the Zoho CRM source (ruling 6), and carries the gateway's `Date` for the clock check;
// then the base connection and its `/test`. On the http-api path (recorded by connect, or
// AEP_ZOHO_VIA) the HTTP API source replaces the Zoho one, and aep-zoho checks Zoho itself.
import { CRM_FLOW_SPEC_NAME, ZOHO_CONNECTION_SPEC, flowService, oneItem } from '../aep/flow-service.js';
import { DEFAULT_VIA, requireAep, resolveVia, type Settings } from '../config/settings.js';
import type { Context } from '../core/context.js';
import { isNotFound, isUserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { PATHS, type SourcePath } from '../paths/index.js';
import { defaultConnectionName, findConnection } from './connect.js';
import type { Session } from './session.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorResult {
  profile: string;
  sandbox?: string;
  checks: Check[];
  ok: boolean;
  exitCode?: number;
  error?: { message: string; hint?: string };
}

const FIVE_MINUTES = 5 * 60 * 1000;

/** Variables that make libraries print what they send, secrets included. */
const LEAKY_VARIABLES: Array<{ name: string; leaks: (value: string) => boolean; what: string }> = [
  {
    name: 'DEBUG',
    leaks: (v) => v.trim() !== '',
    what: "the 'debug' package (aio-lib-ims logs the client secret at this level; got, follow-redirects and others log request details)",
  },
  {
    name: 'AIO_LOG_LEVEL',
    leaks: (v) => /^(debug|trace|verbose|silly)$/i.test(v.trim()),
    what: "Adobe's aio libraries (aio-lib-ims logs the client secret at debug level)",
  },
  {
    name: 'NODE_DEBUG',
    leaks: (v) => v.trim() !== '',
    what: "Node's core modules (http, net, tls, … log connection details)",
  },
];

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const fixOf = (error: unknown) => (isUserError(error) ? error.hint : undefined);

/** The checks so far, and how one is added or skipped. */
interface Checks {
  list: Check[];
  add(check: Check): Check;
  skip(name: string, because: string): Check;
}

export async function doctor(ctx: Context): Promise<DoctorResult> {
  // Read first: loading aio-lib-ims removes DEBUG and AIO_LOG_LEVEL from this process.
  const leaky = LEAKY_VARIABLES.filter((v) => v.leaks(ctx.env[v.name] ?? '')).map((v) => ({
    ...v,
    value: ctx.env[v.name]!,
  }));
  const list: Check[] = [];
  const add = (check: Check) => {
    list.push(check);
    return check;
  };
  const checks: Checks = { list, add, skip: (name, because) => add({ name, status: 'skip', detail: because }) };

  const { settings, path, aepOk } = await checkCredentials(ctx, checks); // 1.
  const session = settings && aepOk ? await checkIms(ctx, settings, checks) : undefined; // 2.
  if (!(settings && aepOk)) checks.skip('Adobe IMS token', 'needs the Adobe credentials');
  const sandboxOk = session ? await checkPlatform(ctx, session, path, checks) : false; // 3.
  if (!session) {
    checks.skip('Org and sandbox', 'needs an IMS token');
    checks.skip(path.names.source, 'needs an IMS token');
    checks.skip('Clock', 'needs an IMS token');
  }
  // 4. The base connection: exists, and Adobe can reach Zoho CRM with it.
  if (session && sandboxOk) await checkConnection(ctx, session, path, checks);
  else checks.skip('Base connection', session ? 'needs a reachable org and sandbox' : 'needs an IMS token');
  add(debugCheck(leaky)); // 5.

  const ok = !list.some((c) => c.status === 'fail');
  const failed = list.filter((c) => c.status === 'fail');
  const error = {
    message: `${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}.`,
    ...(failed[0]?.fix ? { hint: failed[0].fix } : {}),
  };
  return {
    profile: ctx.flags.profile,
    ...(settings ? { sandbox: settings.sandbox } : {}),
    checks: list,
    ok,
    ...(ok ? {} : { exitCode: 1, error }),
  };
}

/** 1. Credentials: the configuration, the path it records, Adobe's and the path's credentials. */
async function checkCredentials(
  ctx: Context,
  { add, skip }: Checks,
): Promise<{ settings?: Settings; path: SourcePath; aepOk: boolean }> {
  let settings: Settings | undefined;
  try {
    settings = (await ctx.services()).settings;
  } catch (error) {
    add({ name: 'Configuration', status: 'fail', detail: message(error), fix: fixOf(error) });
  }
  let aepOk = false;
  let path: SourcePath = PATHS[DEFAULT_VIA];
  if (!settings) {
    skip('Adobe credentials', 'needs a valid configuration');
    skip('Zoho credentials', 'needs a valid configuration');
    return { settings, path, aepOk };
  }
  try {
    const recorded = (await (await ctx.services()).state.read(settings.sandbox)).via;
    path = PATHS[resolveVia(undefined, ctx.env, recorded)];
  } catch (error) {
    add({ name: 'Configuration', status: 'fail', detail: message(error), fix: fixOf(error) });
  }
  try {
    const aep = requireAep(settings);
    aepOk = true;
    add({
      name: 'Adobe credentials',
      status: 'pass',
      detail: `client ${aep.clientId}, org ${aep.orgId}, scopes ${settings.aep.scopes.join(',')}`,
    });
  } catch (error) {
    add({ name: 'Adobe credentials', status: 'fail', detail: message(error), fix: fixOf(error) });
  }
  // Adobe's source: only `connect` sends them (a warning); the http-api path reads Zoho on every sync.
  add(path.doctor.credentials(settings));
  return { settings, path, aepOk };
}

/** 2. IMS: always a new token, so a rotated or wrong secret shows even while a cached token lives. */
async function checkIms(ctx: Context, settings: Settings, { add }: Checks): Promise<Session | undefined> {
  try {
    const session = await ctx.services();
    const token = await session.ims.refresh();
    const until = new Date(token.expiry).toISOString().slice(0, 16).replace('T', ' ');
    add({ name: 'Adobe IMS token', status: 'pass', detail: `issued by ${settings.imsUrl}, valid until ${until} UTC` });
    return session;
  } catch (error) {
    add({ name: 'Adobe IMS token', status: 'fail', detail: message(error), fix: fixOf(error) });
    return undefined;
  }
}

/** 3. Org and sandbox, the Zoho connection spec, and the clock, from one Platform GET. */
async function checkPlatform(ctx: Context, session: Session, path: SourcePath, { add, skip }: Checks) {
  const sandbox = session.settings.sandbox;
  const sent = ctx.now().getTime();
  let date: string | undefined;
  let specOffered: boolean | undefined;
  let sandboxOk = false;
  try {
    const response = await session.platform.request(flowService.connectionSpec(ZOHO_CONNECTION_SPEC.id));
    date = [response.headers.date].flat()[0];
    specOffered = !!oneItem(response.body);
    sandboxOk = true;
  } catch (error) {
    if (isNotFound(error)) {
      sandboxOk = true; // the sandbox answered; the spec is what is missing
      specOffered = false;
      // The error carries no headers: the CRM flow spec lookup (a documented GET) gives the Date.
      const response = await session.platform
        .request(flowService.list('flowSpecs', { property: `name==${CRM_FLOW_SPEC_NAME}` }))
        .catch(() => undefined);
      date = response && [response.headers.date].flat()[0];
    } else {
      add({ name: 'Org and sandbox', status: 'fail', detail: message(error), fix: fixOf(error) });
    }
  }
  const received = ctx.now().getTime();
  if (sandboxOk) {
    add({
      name: 'Org and sandbox',
      status: 'pass',
      detail: `sandbox '${sandbox}' of org ${session.settings.aep.orgId} answers at ${session.settings.platformUrl}`,
    });
    add(await path.doctor.source(session, specOffered));
  } else {
    skip(path.names.source, 'needs a reachable org and sandbox');
  }
  const serverTime = date ? Date.parse(date) : NaN;
  if (Number.isFinite(serverTime)) add(clockCheck((sent + received) / 2 - serverTime));
  else skip('Clock', "no Date header in the Platform's answer");
  return sandboxOk;
}

/** The clock against Adobe's `Date` (whole seconds; `skew` from the middle of the exchange). */
function clockCheck(skew: number): Check {
  const seconds = Math.round(skew / 1000);
  const text = `this machine's clock is ${Math.abs(seconds)} s ${seconds >= 0 ? 'ahead of' : 'behind'} Adobe's`;
  return Math.abs(skew) > FIVE_MINUTES
    ? {
        name: 'Clock',
        status: 'warn',
        detail: `${text}.`,
        fix: 'Turn on network time (NTP): token expiry and dataflow start times (--start now) are computed from this clock.',
      }
    : { name: 'Clock', status: 'pass', detail: `within ${Math.max(1, Math.abs(seconds))} s of Adobe's (Date header)` };
}

/** 4. The base connection: exists, and Adobe can reach Zoho CRM with it. */
async function checkConnection(ctx: Context, session: Session, path: SourcePath, { add }: Checks): Promise<void> {
  const saved = (await session.state.read(session.settings.sandbox)).connection;
  const name = saved?.name ?? defaultConnectionName(session.settings.profileName);
  try {
    const found = await findConnection(ctx, session, name, path);
    const connect = `'aep-zoho connect${path.names.flag}'`;
    if (found) {
      for (const check of await path.doctor.connection(ctx, session, found, name)) add(check);
      return;
    }
    add(
      saved
        ? {
            name: 'Base connection',
            status: 'fail',
            detail: para`The state file names base connection '${name}' (${saved.id}), but Adobe has none by that id
              or name (deleted outside aep-zoho?).`,
            fix: `Run ${connect} to create it again, then 'aep-zoho dataflow create' for the dataflows.`,
          }
        : {
            name: 'Base connection',
            status: 'warn',
            detail: `No base connection named '${name}' in sandbox '${session.settings.sandbox}' yet.`,
            fix: `Run ${connect}.`,
          },
    );
  } catch (error) {
    add({ name: 'Base connection', status: 'fail', detail: message(error), fix: fixOf(error) });
  }
}

/** 5. Debug variables that make libraries print secrets: a failure, not a warning (in CI they put secrets into build logs). */
function debugCheck(leaky: Array<{ name: string; value: string; what: string }>): Check {
  if (!leaky.length)
    return { name: 'Debug logging', status: 'pass', detail: 'none of DEBUG, AIO_LOG_LEVEL=debug, NODE_DEBUG is set' };
  const names = leaky.map((v) => v.name);
  return {
    name: 'Debug logging',
    status: 'fail',
    detail: para`${leaky.map((v) => `${v.name}=${v.value}`).join(', ')} is set: it turns on debug output in
      ${leaky.map((v) => v.what).join('; ')}. aep-zoho mutes aio-lib-ims and masks secrets in its own output, but
      other tools run from this shell may print secrets or tokens to the terminal or CI logs.`,
    fix: para`Unset ${names.join(' and ')} (e.g. 'unset ${names.join(' ')}'), or set ${leaky.length > 1 ? 'them' : 'it'}
      only for the one command you are debugging; for aep-zoho itself use --debug, which masks secrets.`,
  };
}
