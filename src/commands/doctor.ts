import { defineCommand } from '../core/command.js';
import type { DoctorResult } from '../tasks/doctor.js';
import { para } from '../core/text.js';

export default defineCommand<Record<string, never>, DoctorResult>({
  command: 'doctor',
  describe:
    'Check credentials, IMS, org and sandbox, the Zoho CRM source, the base connection, the clock and debug variables',
  examples: [
    ['$0 doctor', 'one screen of checks, each with a fix; exit 1 when any fails'],
    ['$0 doctor --sandbox dev-1 --json', 'another sandbox, as JSON'],
  ],
  async run(_args, ctx) {
    const { doctor } = await import('../tasks/doctor.js');
    return doctor(ctx);
  },
  human(result, ui) {
    const mark = {
      pass: ui.green('✔ pass'),
      fail: ui.red('✖ FAIL'),
      warn: ui.yellow('! warn'),
      skip: ui.dim('- skip'),
    };
    const width = Math.max(...result.checks.map((c) => c.name.length));
    ui.note(
      para`aep-zoho doctor: profile
        ${ui.bold(result.profile)}${result.sandbox ? `, sandbox ${ui.bold(result.sandbox)}` : ''}`,
    );
    for (const check of result.checks) {
      const detail = check.status === 'skip' ? ui.dim(check.detail) : check.detail;
      ui.line(`${mark[check.status]}  ${check.name.padEnd(width)}  ${detail}`);
      if (check.fix && check.status !== 'pass') ui.line(`        ${''.padEnd(width)}  ${ui.dim('fix:')} ${check.fix}`);
    }
    const failed = result.checks.filter((c) => c.status === 'fail').length;
    const warned = result.checks.filter((c) => c.status === 'warn').length;
    ui.line(
      failed
        ? ui.red(`${failed} check(s) failed${warned ? `, ${warned} warning(s)` : ''}.`)
        : ui.green(`All checks passed${warned ? ` (${warned} warning(s))` : ''}.`),
    );
  },
});
