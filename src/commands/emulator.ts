// `emulator`: the bundled emulator in the foreground, with what a user wants to try switched on by
// flags, and the exact `export` lines that point a second shell at it.
import { defineCommand } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import { para } from '../core/text.js';

interface Args {
  port: number;
  latency: number;
  sandboxes?: string[];
  retiredSource: boolean;
  failRuns: boolean;
  runDuration: number;
  ingestionPause: number;
  strictCredentials: boolean;
}

/** Credentials the emulator accepts: any by default, only these with --strict-credentials. */
const PLACEHOLDERS = {
  AEP_CLIENT_ID: 'emulator-client',
  AEP_CLIENT_SECRET: 'emulator-client-secret',
  AEP_ORG_ID: 'EMULATOR0000000000000000@AdobeOrg',
  ZOHO_CLIENT_ID: '1000.EMULATOR',
  ZOHO_CLIENT_SECRET: 'emulator-zoho-secret',
  ZOHO_ACCESS_TOKEN: '1000.emulator-access-token',
  ZOHO_REFRESH_TOKEN: '1000.emulator-refresh-token',
};

/** The variables a second shell needs, as `export` lines to paste (values need no quoting). */
export function emulatorEnv(url: string, strict: boolean, pauseMs = FIVE_MINUTES): Record<string, string> {
  const { ZOHO_ACCESS_TOKEN, ZOHO_REFRESH_TOKEN, ...clients } = PLACEHOLDERS;
  // Strict: Zoho tokens must be ones the emulator issued, through `zoho authorize-url` and `zoho token`.
  // ZOHO_ENDPOINT: the emulator also serves Zoho CRM's REST API, which --via http-api reads.
  return {
    AEP_PLATFORM_URL: url,
    AEP_IMS_URL: url,
    ZOHO_ACCOUNTS_URL: url,
    ZOHO_ENDPOINT: url,
    ...clients,
    ...(strict ? {} : { ZOHO_ACCESS_TOKEN, ZOHO_REFRESH_TOKEN }),
    // A shortened ingestion pause: sync must know it, or it waits Adobe's five minutes.
    ...(pauseMs < FIVE_MINUTES ? { AEP_ZOHO_INGESTION_PAUSE: `${pauseMs}ms` } : {}),
  };
}

/** Adobe's ingestion pause after a streaming flow is created or updated (http.md). */
const FIVE_MINUTES = 300_000;

interface Started {
  url: string;
  port: number;
  env: Record<string, string>;
  options: Record<string, unknown>;
}

export default defineCommand<Args, undefined>({
  command: 'emulator',
  describe: para`Run the bundled AEP + IMS + Zoho emulator in the foreground (Ctrl-C stops it); prints the variables
    that point aep-zoho at it`,
  examples: [
    ['$0 emulator --port 4010', "then paste the printed 'export' lines into another shell and run aep-zoho connect"],
    [
      '$0 emulator --sandboxes prod,dev --fail-runs',
      'a second sandbox, and dataflow runs that fail with row-level errors',
    ],
    ['$0 emulator --retired', "an org where Adobe retired the Zoho CRM source: try 'aep-zoho connect --via http-api'"],
    ['$0 emulator --strict-credentials', 'accept only the printed credentials and Zoho tokens the emulator issued'],
  ],
  lists: ['sandboxes'],
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 4010, describe: 'Port on 127.0.0.1 (0 picks a free one)' })
      .option('latency', { type: 'number', default: 0, describe: 'Milliseconds added to every response' })
      .option('sandboxes', { type: 'string', describe: 'Sandboxes every org has, comma-separated (default prod)' })
      .option('retired-source', {
        type: 'boolean',
        default: false,
        alias: 'retired',
        describe: 'Adobe no longer offers the Zoho CRM connection spec (as after June 2025)',
      })
      .option('fail-runs', {
        type: 'boolean',
        default: false,
        describe: 'Dataflow runs fail, with row-level errors and record counts',
      })
      .option('run-duration', {
        type: 'number',
        default: 3000,
        describe: 'Milliseconds a dataflow run stays in progress',
      })
      .option('ingestion-pause', {
        type: 'number',
        default: FIVE_MINUTES,
        describe: para`Milliseconds after a streaming flow's create or update in which the inlet drops records, as Adobe
          does (5 minutes); shorter for demos`,
      })
      .option('strict-credentials', {
        type: 'boolean',
        default: false,
        describe: 'Accept only the printed credentials, and only Zoho tokens the emulator issued',
      }),
  interrupted: () => ({ message: 'Emulator stopped.', hint: '', json: false }),
  async run(args, ctx) {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
      throw new UsageError(`--port must be 0-65535, got ${args.port}.`);
    if (!Number.isFinite(args.runDuration) || args.runDuration < 0)
      throw new UsageError(`--run-duration must be a number of milliseconds, got ${args.runDuration}.`);
    if (!Number.isFinite(args.ingestionPause) || args.ingestionPause < 0)
      throw new UsageError(`--ingestion-pause must be a number of milliseconds, got ${args.ingestionPause}.`, {
        hint: "Adobe's pause is 300000 (five minutes); 0 switches it off.",
      });
    const sandboxes = args.sandboxes ?? ['prod'];
    const bad = sandboxes.find((name) => !/^[a-z0-9-]+$/.test(name));
    if (bad)
      throw new UsageError(`Invalid sandbox name '${bad}' in --sandboxes.`, {
        hint: 'Sandbox names are lowercase letters, digits and hyphens, e.g. prod,dev-1.',
      });
    const [{ startEmulator }, { ZOHO_CONNECTION_SPEC }] = await Promise.all([
      import('../emulator/server.js'),
      import('../aep/flow-service.js'),
    ]);
    const options = {
      port: args.port,
      latencyMs: args.latency,
      sandboxes,
      runDurationMs: args.runDuration,
      ingestionPauseMs: args.ingestionPause,
      ...(args.retiredSource ? { retiredConnectionSpecs: [ZOHO_CONNECTION_SPEC.id] } : {}),
      ...(args.failRuns ? { runOutcome: 'failed' as const } : {}),
      // strictCredentials: the emulator's own checks of tokens it did not issue; the client maps make IMS and Zoho's
      // accounts server strict.
      ...(args.strictCredentials
        ? {
            strictCredentials: true,
            imsClients: { [PLACEHOLDERS.AEP_CLIENT_ID]: PLACEHOLDERS.AEP_CLIENT_SECRET },
            imsOrgs: { [PLACEHOLDERS.AEP_CLIENT_ID]: PLACEHOLDERS.AEP_ORG_ID },
            zohoClients: { [PLACEHOLDERS.ZOHO_CLIENT_ID]: PLACEHOLDERS.ZOHO_CLIENT_SECRET },
          }
        : {}),
    };
    let emu: Awaited<ReturnType<typeof startEmulator>>;
    try {
      emu = await startEmulator(options);
    } catch (error) {
      throw new UsageError(`Cannot listen on 127.0.0.1:${args.port}: ${(error as Error).message}.`, {
        hint: 'Pick another --port (0 picks a free one).',
      });
    }
    const started: Started = {
      url: emu.url,
      port: emu.port,
      env: emulatorEnv(emu.url, args.strictCredentials, args.ingestionPause),
      options: { ...options, port: emu.port },
    };
    // Written at once (the result printer runs only when the command ends, at Ctrl-C).
    ctx.io.stdout.write(
      ctx.flags.json
        ? `${JSON.stringify(started, null, 2)}\n`
        : instructions(started, args.strictCredentials, args.retiredSource, ctx.hintFlags.as ?? 'aep-zoho'),
    );
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    await emu.close();
    return undefined;
  },
});

/** The contract line, then the block to paste into another shell. */
function instructions(started: Started, strict: boolean, retired: boolean, as: string): string {
  const exports = Object.entries(started.env).map(([name, value]) => `export ${name}=${value}`);
  return [
    `aep-zoho emulator listening on ${started.url}`,
    '',
    // Without Adobe's Zoho source, plain connect would only say so: the other path is the one to try.
    `# In another shell, paste these lines, then run: ${as} connect${retired ? ' --via http-api' : ''}`,
    ...exports,
    ...(started.env.AEP_ZOHO_INGESTION_PAUSE
      ? [
          para`# The ingestion pause is shortened to ${started.env.AEP_ZOHO_INGESTION_PAUSE} (Adobe's is five minutes):
            AEP_ZOHO_INGESTION_PAUSE tells sync.`,
        ]
      : []),
    ...(strict ? [`# Zoho tokens: ${as} zoho authorize-url, open the URL, then ${as} zoho token`] : []),
    '# Ctrl-C here stops the emulator (its state is kept in memory only).',
    '',
  ].join('\n');
}
