// The static list of commands. Command modules import only core/ at top level, so loading all of
// them is cheap; each one imports its heavy code inside run().
import type { CommandDef, CommandGroup } from '../core/command.js';
import allowlist from '../commands/allowlist.js';
import completion from '../commands/completion.js';
import authStatus from '../commands/auth/status.js';
import connect from '../commands/connect.js';
import dataflowCreate from '../commands/dataflow/create.js';
import { disable as dataflowDisable, enable as dataflowEnable } from '../commands/dataflow/enable.js';
import dataflowList from '../commands/dataflow/list.js';
import dataflowRun from '../commands/dataflow/run.js';
import dataflowRuns from '../commands/dataflow/runs.js';
import dataflowStatus from '../commands/dataflow/status.js';
import destroy from '../commands/destroy.js';
import doctor from '../commands/doctor.js';
import emulator from '../commands/emulator.js';
import explore from '../commands/explore.js';
import sync from '../commands/sync.js';
import init from '../commands/init.js';
import templatesInit from '../commands/templates/init.js';
import templatesList from '../commands/templates/list.js';
import templatesShow from '../commands/templates/show.js';
import templatesValidate from '../commands/templates/validate.js';
import zohoAuthorizeUrl from '../commands/zoho/authorize-url.js';
import zohoToken from '../commands/zoho/token.js';

export const registry: Array<CommandDef | CommandGroup> = [
  init,
  {
    command: 'zoho <command>',
    describe: 'Zoho OAuth: the authorization URL and the grant-token exchange',
    subcommands: [zohoAuthorizeUrl, zohoToken],
    examples: [
      [
        '$0 zoho authorize-url --region eu --redirect-uri https://example.com/callback',
        'the consent URL; open it and accept',
      ],
      ['$0 zoho token', 'paste the code (or the redirect URL) when asked'],
    ],
  },
  allowlist,
  {
    command: 'auth <command>',
    describe: 'Adobe IMS login',
    subcommands: [authStatus],
    examples: [['$0 auth status', 'who the credential is, and until when its token is valid']],
  },
  connect,
  explore,
  {
    command: 'dataflow <command>',
    describe: 'Dataflows from templates: create, list, status, runs, run, enable, disable',
    subcommands: [
      dataflowCreate,
      dataflowList,
      dataflowStatus,
      dataflowRuns,
      dataflowRun,
      dataflowEnable,
      dataflowDisable,
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
    subcommands: [templatesList, templatesShow, templatesValidate, templatesInit],
    examples: [
      ['$0 templates list', 'the built-in templates'],
      ['$0 templates show contacts > my-contacts.json', 'a copy to edit'],
      ['$0 templates validate my-contacts.json', 'its format, and with credentials its table and columns'],
    ],
  },
  sync,
  destroy,
  doctor,
  emulator,
  completion,
] as Array<CommandDef | CommandGroup>;
