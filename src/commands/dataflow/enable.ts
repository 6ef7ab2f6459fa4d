// `dataflow enable <flow>` and `dataflow disable <flow>`: one command definition for both verbs.
import { defineCommand, type CommandDef } from '../../core/command.js';
import type { FlowStateChange } from '../../tasks/flows.js';

const toggle = (op: 'enable' | 'disable'): CommandDef<{ flow: string }, FlowStateChange> =>
  defineCommand<{ flow: string }, FlowStateChange>({
    command: `${op} <flow>`,
    describe:
      op === 'enable'
        ? 'Enable a dataflow: its schedule runs again'
        : 'Disable a dataflow: no run starts until it is enabled (its schedule and data stay)',
    examples: [
      [`$0 dataflow ${op} accounts`, 'by the template this profile built it from'],
      [`$0 dataflow ${op} 2c3f… --json`, 'by flow id, as JSON'],
    ],
    builder: (y) => y.positional('flow', { type: 'string', describe: 'Template name, flow id or flow name' }),
    writes: true,
    async run(args, ctx) {
      const { setFlowState } = await import('../../tasks/flows.js');
      return setFlowState(ctx, String(args.flow), op);
    },
    human(r, ui) {
      const state = r.state === 'enabled' ? ui.green(r.state) : ui.yellow(r.state);
      ui.line(
        r.changed
          ? `Dataflow ${ui.bold(r.name)} (${r.flowId}) is now ${state}.`
          : `Dataflow ${ui.bold(r.name)} (${r.flowId}) was already ${state}; nothing was sent.`,
      );
    },
  });

export const enable = toggle('enable');
export const disable = toggle('disable');
