// The list of commands, and what help and completion show of each before its module loads: its
// name, arguments and one-line description. A command's module (options, examples, run, human view)
// is imported only when argv names it (cli/parse.ts), as gh and wrangler keep a command's metadata
// apart from its handler: `aep-zoho --help` loads none of the 22. test/architecture/registry.test.ts
// checks that every entry says what its module says.
import type { CommandDef } from '../core/command.js';
import { para } from '../core/text.js';

/** A command as the registry knows it before its module loads. */
export interface CommandEntry {
  /** yargs command string, the module's own (e.g. 'explore [table]'). */
  command: string;
  /** The module's describe. */
  describe: string;
  /** Imports the command's module. */
  load(): Promise<CommandDef>;
}

/** A family of subcommands, e.g. `dataflow create|list|status|runs`. */
export interface GroupEntry {
  command: string;
  describe: string;
  subcommands: CommandEntry[];
  examples?: Array<[string, string]>;
}

export type Entry = CommandEntry | GroupEntry;

export const isGroup = (entry: Entry): entry is GroupEntry => 'subcommands' in entry;

const main = (module: { default: CommandDef }) => module.default;

export const registry: Entry[] = [
  {
    command: 'init',
    describe: "Set up a profile's credentials (asks on a terminal; flags and environment otherwise)",
    load: () => import('../commands/init.js').then(main),
  },
  {
    command: 'zoho <command>',
    describe: 'Zoho OAuth: the authorization URL and the grant-token exchange',
    subcommands: [
      {
        command: 'authorize-url',
        describe: 'Print the Zoho authorization URL (access type offline) that yields a grant token',
        load: () => import('../commands/zoho/authorize-url.js').then(main),
      },
      {
        command: 'token',
        describe: 'Exchange a Zoho grant token for access and refresh tokens, and store them in the profile',
        load: () => import('../commands/zoho/token.js').then(main),
      },
    ],
    examples: [
      [
        '$0 zoho authorize-url --region eu --redirect-uri https://example.com/callback',
        'the consent URL; open it and accept',
      ],
      ['$0 zoho token', 'paste the code (or the redirect URL) when asked'],
    ],
  },
  {
    command: 'allowlist',
    describe: "Adobe's source IP ranges that a Zoho CRM admin must allow",
    load: () => import('../commands/allowlist.js').then(main),
  },
  {
    command: 'auth <command>',
    describe: 'Adobe IMS login',
    subcommands: [
      {
        command: 'status',
        describe: 'Check the IMS login: org, client and token expiry (never the token itself)',
        load: () => import('../commands/auth/status.js').then(main),
      },
    ],
    examples: [['$0 auth status', 'who the credential is, and until when its token is valid']],
  },
  {
    command: 'connect',
    describe: para`Create, or find and reuse, the base connection: Adobe's Zoho CRM source, or an HTTP API
      streaming source that 'sync' feeds`,
    load: () => import('../commands/connect.js').then(main),
  },
  {
    command: 'explore [table]',
    describe: "List the Zoho CRM's tables, or one table's columns and preview rows",
    load: () => import('../commands/explore.js').then(main),
  },
  {
    command: 'dataflow <command>',
    describe: 'Dataflows from templates: create, list, status, runs, run, enable, disable',
    subcommands: [
      {
        command: 'create',
        describe: para`Converge the schema, dataset, connections, mapping set and scheduled dataflow to one or
          more templates: create what is missing, update what Adobe lets change, replace what it does not`,
        load: () => import('../commands/dataflow/create.js').then(main),
      },
      {
        command: 'list',
        describe: para`This profile's dataflows (its state file, and what carries its name and marker, on both
          paths); --all: every Zoho CRM dataflow in the sandbox`,
        load: () => import('../commands/dataflow/list.js').then(main),
      },
      {
        command: 'status <flow>',
        describe: para`One dataflow: state, schedule, source table, dataset and last run (an http-api dataflow:
          what AEP ingested from the last sync)`,
        load: () => import('../commands/dataflow/status.js').then(main),
      },
      {
        command: 'runs <flow>',
        describe: para`A dataflow's runs, newest first: status, records, duration, errors; --watch follows the
          newest run to its end`,
        load: () => import('../commands/dataflow/runs.js').then(main),
      },
      {
        command: 'run <flow>',
        describe: para`An on-demand run of a Zoho-source dataflow scheduled once: ingest the records changed in a
          window again (e.g. after a mapping fix)`,
        load: () => import('../commands/dataflow/run.js').then(main),
      },
      {
        command: 'enable <flow>',
        describe: 'Enable a dataflow: its schedule runs again',
        load: () => import('../commands/dataflow/enable.js').then((module) => module.enable),
      },
      {
        command: 'disable <flow>',
        describe: 'Disable a dataflow: no run starts until it is enabled (its schedule and data stay)',
        load: () => import('../commands/dataflow/enable.js').then((module) => module.disable),
      },
    ],
    examples: [
      [
        '$0 dataflow create --template accounts',
        'schema, dataset, connections, mapping set and the scheduled dataflow',
      ],
      ['$0 dataflow list', "this profile's dataflows: state, last and next run"],
      ['$0 dataflow runs accounts --watch', 'follow the newest run to its end (exit 1 when it fails)'],
      ['$0 dataflow run accounts --from 2026-11-01T00:00:00Z', 'ingest the records changed since then again'],
    ],
  },
  {
    command: 'templates <command>',
    describe: 'Dataflow templates: list, show, validate, and init a starter for any table',
    subcommands: [
      {
        command: 'list',
        describe: 'List the built-in dataflow templates',
        load: () => import('../commands/templates/list.js').then(main),
      },
      {
        command: 'show <name>',
        describe: 'Print a template (a built-in name or a file), as JSON',
        load: () => import('../commands/templates/show.js').then(main),
      },
      {
        command: 'validate <file>',
        describe: 'Check a template file (or built-in name): its format, and with credentials its table and columns',
        load: () => import('../commands/templates/validate.js').then(main),
      },
      {
        command: 'init',
        describe: 'Write a starter template for a Zoho table: every column mapped into a tenant field group',
        load: () => import('../commands/templates/init.js').then(main),
      },
    ],
    examples: [
      ['$0 templates list', 'the built-in templates'],
      ['$0 templates show contacts > my-contacts.json', 'a copy to edit'],
      ['$0 templates validate my-contacts.json', 'its format, and with credentials its table and columns'],
    ],
  },
  {
    command: 'sync [dataflows..]',
    describe: para`http-api dataflows: carry new and changed Zoho records to the streaming inlet, and deletes
      (tombstones or counted: the template's deletes); data moves only when sync runs`,
    load: () => import('../commands/sync.js').then(main),
  },
  {
    command: 'destroy',
    describe: para`Delete what this profile created in this sandbox, dependents first (asks first on a terminal;
      --yes elsewhere)`,
    load: () => import('../commands/destroy.js').then(main),
  },
  {
    command: 'doctor',
    describe: para`Check credentials, IMS, org and sandbox, the Zoho CRM source, the base connection, the clock
      and debug variables`,
    load: () => import('../commands/doctor.js').then(main),
  },
  {
    command: 'emulator',
    describe: para`Run the bundled AEP + IMS + Zoho emulator in the foreground (Ctrl-C stops it); prints the
      variables that point aep-zoho at it`,
    load: () => import('../commands/emulator.js').then(main),
  },
  {
    command: 'completion [shell]',
    describe: 'Print a shell completion script for bash, zsh or fish (default: the one in $SHELL)',
    load: () => import('../commands/completion.js').then(main),
  },
];
