// The --dry-run plan shape of CLI-CONTRACT.md: one step per resource, secrets redacted.

export interface PlanStep {
  action: 'create' | 'reuse' | 'update' | 'delete' | 'skip';
  resource: string;
  name: string;
  id?: string;
  request?: { method: string; path: string; body?: unknown };
  note?: string;
}
