import { defineCommand } from '../../core/command.js';
import { humanTime, safe, para } from '../../core/text.js';
import type { FlowList } from '../../tasks/flows.js';

interface Args {
  all: boolean;
}

export default defineCommand<Args, FlowList>({
  command: 'list',
  describe: para`This profile's dataflows (its state file, and what carries its name and marker, on both paths); --all:
    every Zoho CRM dataflow in the sandbox`,
  examples: [
    ['$0 dataflow list', "this profile's dataflows: state, schedule, last run"],
    ['$0 dataflow list --all --json', 'every CRMToAEP dataflow in the sandbox, as JSON'],
  ],
  builder: (y) =>
    y.option('all', {
      type: 'boolean',
      default: false,
      describe: "Every CRM dataflow in the sandbox, not only this profile's",
    }),
  async run(args, ctx) {
    const { listFlows } = await import('../../tasks/flows.js');
    return listFlows(ctx, { all: args.all });
  },
  async human(result, ui, args) {
    if (!result.flows.length) {
      ui.note(
        args.all
          ? `No Zoho CRM dataflows in sandbox ${result.sandbox}.`
          : `This profile has no dataflows in sandbox ${result.sandbox}.`,
      );
      const all = args.all ? '' : `, or see everyone's with ${ui.cmd('dataflow list --all')}`;
      ui.note(`Create one with ${ui.cmd('dataflow create --template accounts')}${all}.`);
      return;
    }
    const { describeSchedule } = await import('../../tasks/flows.js');
    // Plain cells: the table measures text, and colour codes would count as width.
    const hidden = await ui.table(
      ['Template', 'State', 'Last run', 'Next run', 'Schedule', 'Id', 'Name'],
      result.flows.map((f) => [
        f.template ?? (args.all ? '(other)' : ''),
        f.state,
        f.lastRun
          ? `${f.lastRun.status}${f.lastRun.startedAt ? ` ${humanTime(f.lastRun.startedAt)}` : ''}`
          : f.state === 'missing'
            ? ''
            : 'none yet',
        f.nextRunAt ? humanTime(f.nextRunAt) : '',
        describeSchedule(f.schedule),
        f.id,
        f.name,
      ]),
      { maxColumnWidth: 36 },
    );
    if (hidden.length)
      ui.note(ui.dim(`Column(s) ${hidden.join(', ')} hidden at this width: widen the terminal, or use --json.`));
    const missing = result.flows.filter((f) => f.state === 'missing');
    if (missing.length)
      ui.note(
        ui.yellow(
          para`${missing.length} dataflow(s) in the state file no longer exist in Adobe (deleted outside aep-zoho):
            re-create with '${ui.cmd(`dataflow create --template ${safe(missing[0].template)}`)}'.`,
        ),
      );
    // Two of ours for one template: a replace that did not finish, or two machines at once (issue 21.5, 21.6).
    const twice = [
      ...new Set(
        result.flows
          .filter((f) => f.template && f.state !== 'missing')
          .map((f) => f.template!)
          .filter((t, i, all) => all.indexOf(t) !== i),
      ),
    ];
    for (const template of twice) {
      const count = result.flows.filter((f) => f.template === template && f.state !== 'missing').length;
      const create = ui.cmd(`dataflow create --template ${safe(template)}`);
      ui.note(
        ui.yellow(`Template ${safe(template)} has ${count} dataflows: '${create}' keeps one and retires the others.`),
      );
    }
    ui.note(
      para`${result.flows.length} dataflow(s) in sandbox ${result.sandbox}. Details:
        ${ui.cmd('dataflow status <template|id>')}`,
    );
  },
});
