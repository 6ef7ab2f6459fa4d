// `templates list`: the built-in dataflow templates.
import { defineCommand } from '../../core/command.js';
import type { TemplateSummary } from '../../template/load.js';
import { para } from '../../core/text.js';

interface Result {
  templates: TemplateSummary[];
}

export default defineCommand<Record<string, never>, Result>({
  command: 'list',
  describe: 'List the built-in dataflow templates',
  examples: [
    ['$0 templates list', 'name, Zoho table, description and file of each'],
    ['$0 templates list --json', 'the same as JSON'],
  ],
  async run() {
    const { listTemplates } = await import('../../template/load.js');
    return { templates: await listTemplates() };
  },
  async human(result, ui) {
    const { displayPath } = await import('../../template/load.js');
    // Two lines each: descriptions are too long for a table column at 80 characters.
    const width = Math.max(...result.templates.map((t) => t.name.length), 4);
    const tableWidth = Math.max(...result.templates.map((t) => t.table.length), 5);
    for (const t of result.templates) {
      ui.line(`${ui.bold(t.name.padEnd(width))}  ${t.table.padEnd(tableWidth)}  ${ui.dim(displayPath(t.file))}`);
      ui.line(`${' '.repeat(width)}  ${t.description}`);
    }
    ui.note('');
    ui.note(
      para`Use one with ${ui.cmd('dataflow create --template <name>')}; copy one with
        ${ui.cmd('templates show <name> > my.json')}.`,
    );
  },
});
