// The --dry-run plan (CLI-CONTRACT.md): one step per resource, secrets redacted, and its human view
// in the terraform style users know: `+` create, `~` update, `-/+` replace, `-` delete.
import type { Ui } from './command.js';
import { para } from './text.js';

export interface PlanStep {
  action: 'create' | 'reuse' | 'update' | 'replace' | 'delete';
  resource: string;
  name: string;
  template?: string;
  id?: string;
  changes?: Array<{ field: string; from?: unknown; to?: unknown }>;
  reason?: string;
  notes?: string[];
  duplicates?: string[];
  request?: { method: string; path: string; query?: unknown; body?: unknown };
  requests?: Array<{ method: string; path: string; query?: unknown; body?: unknown }>;
  /** A replace: how the old resource goes afterwards. */
  then?: Array<{ method: string; path: string }>;
}

const SYMBOL: Record<PlanStep['action'], string> = {
  create: '+',
  reuse: ' ',
  update: '~',
  replace: '-/+',
  delete: '-',
};

const value = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

export function printPlan(plan: PlanStep[], ui: Ui, showRequests = false): void {
  for (const step of plan) {
    const colour =
      step.action === 'create'
        ? ui.green
        : step.action === 'delete'
          ? ui.red
          : step.action === 'update' || step.action === 'replace'
            ? ui.yellow
            : (text: string) => text;
    const head = `${SYMBOL[step.action].padStart(3)} ${step.action.padEnd(7)}`;
    ui.line(`${colour(head)} ${step.resource} ${ui.bold(step.name)}${step.id ? ui.dim(` (${step.id})`) : ''}`);
    if (step.reason) ui.line(`          ${ui.yellow(step.reason)}`);
    for (const change of step.changes ?? []) {
      const arrow =
        change.from === undefined
          ? `+ ${value(change.to)}`
          : change.to === undefined
            ? `- ${value(change.from)}`
            : `${value(change.from)} → ${value(change.to)}`;
      ui.line(`          ${change.field}: ${arrow}`);
    }
    for (const note of step.notes ?? []) ui.line(ui.dim(`          note: ${note}`));
    if (step.duplicates?.length)
      ui.line(
        ui.yellow(
          para`          duplicate: ${step.duplicates.join(', ')} carry the same name (left alone; delete them in the
            Experience Platform UI)`,
        ),
      );
    if (showRequests) {
      for (const request of step.requests ?? (step.request ? [step.request] : []))
        ui.line(
          ui.dim(
            `          ${request.method} ${request.path}${request.body ? ` ${JSON.stringify(request.body)}` : ''}`,
          ),
        );
      for (const request of step.then ?? []) ui.line(ui.dim(`          then ${request.method} ${request.path}`));
    }
  }
  const count = (action: PlanStep['action']) => plan.filter((s) => s.action === action).length;
  const changes = plan.length - count('reuse');
  const summary = (['create', 'update', 'replace', 'delete'] as const)
    .filter((a) => count(a))
    .map((a) => `${count(a)} to ${a}`)
    .join(', ');
  ui.line(
    changes
      ? `Plan: ${summary}. Dry run: nothing was sent.`
      : 'No changes: everything matches. Dry run: nothing was sent.',
  );
}
