// The --dry-run plan (CLI-CONTRACT.md): one step per resource, secrets redacted, and its human view.
import type { Ui } from './command.js';

export interface PlanStep {
  action: 'create' | 'reuse' | 'delete';
  resource: string;
  name: string;
  id?: string;
  request?: { method: string; path: string; body?: unknown };
  note?: string;
}

export function printPlan(plan: PlanStep[], ui: Ui, showRequests = false): void {
  for (const step of plan) {
    const padded = step.action.padEnd(7);
    const action = step.action === 'create' ? ui.green(padded) : step.action === 'delete' ? ui.red(padded) : padded;
    ui.line(`  ${action} ${step.resource} ${ui.bold(step.name)}${step.id ? ui.dim(` (${step.id})`) : ''}${step.note ? ui.dim(` — ${step.note}`) : ''}`);
    if (showRequests && step.request) ui.line(ui.dim(`          ${step.request.method} ${step.request.path}${step.request.body ? ` ${JSON.stringify(step.request.body)}` : ''}`));
  }
  const changes = plan.filter((step) => step.action !== 'reuse' || step.request).length;
  ui.line(changes ? `Plan: ${changes} change(s). Dry run: nothing was sent.` : 'No changes: everything already exists. Dry run: nothing was sent.');
}
