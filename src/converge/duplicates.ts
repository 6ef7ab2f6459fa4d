// Duplicates: younger resources carrying our name and marker (two machines created the same
// template at once: issue 21.5). The oldest stays (kind.ts, the rule every machine agrees on);
// each younger one is a delete step whose reason says so, dependents first, a flow disabled before
// it is deleted (so the table is never ingested twice), a base connection only once nothing of
// ours that stays is on it.
import type { FlowResource } from '../aep/flow-service.js';
import { DESTROY_ORDER, KINDS } from './kinds/index.js';
import type { Actual, Kind, Step } from './types.js';
import { para } from '../core/text.js';

const reasonFor = (keeper: Actual) =>
  `duplicate of ${keeper.id}: the same name and marker, made later (two runs at once, e.g. from two machines); the oldest stays`;

function deleteStep(kind: Kind, template: string | undefined, keeper: Actual, dup: Actual, dependsOn: string[]): Step {
  const spec = KINDS[kind];
  // A flow stops first: disabled, then deleted (as a replaced flow retires).
  const requests =
    kind === 'flow' && spec.retire.mode === 'delete'
      ? [...(spec.retire.before?.(dup) ?? []), ...spec.retire.requests(dup)]
      : (spec.delete?.(dup) ?? []);
  return {
    key: `${template ?? ''}/${kind}#duplicate/${dup.id}`,
    kind,
    template,
    action: 'delete',
    name: dup.name,
    id: dup.id,
    reason: reasonFor(keeper),
    requests,
    dependsOn,
  };
}

/**
 * Delete steps for the template resources' duplicates (by plan key `<template>/<kind>`). Each waits
 * for the duplicates of the kinds that use it and for the template's own steps (and retirements)
 * of those kinds: a kept flow replaced because it ran on a duplicate lets go of it first.
 */
export function planTemplateDuplicates(actual: Map<string, Actual>): Step[] {
  const steps: Step[] = [];
  for (const [key, keeper] of actual) {
    const [template, kind] = key.split('/') as [string, Kind];
    for (const dup of keeper.retirable ?? []) steps.push(deleteStep(kind, template, keeper, dup, []));
  }
  for (const step of steps) {
    const before = DESTROY_ORDER.slice(0, DESTROY_ORDER.indexOf(step.kind));
    step.dependsOn = before.flatMap((k) => [
      `${step.template}/${k}`,
      `${step.template}/${k}#retire`,
      ...steps.filter((s) => s.template === step.template && s.kind === k).map((s) => s.key),
    ]);
  }
  return steps;
}

/**
 * Delete steps for younger base connections of ours, when every source connection on them goes in
 * this run (`going`: ids deleted or retired by `steps`); else a note on why one stays.
 */
export async function planConnectionDuplicates(
  connection: Actual,
  steps: Step[],
  sourcesOn: (connectionId: string) => Promise<FlowResource[]>,
): Promise<{ steps: Step[]; notes: string[] }> {
  const going = new Set(
    steps
      .filter((s) => s.kind === 'sourceConnection' && (s.action === 'delete' || s.retire))
      .map((s) => s.id)
      .filter(Boolean),
  );
  const out: Step[] = [];
  const notes: string[] = [];
  for (const dup of connection.retirable ?? []) {
    const staying = (await sourcesOn(dup.id)).filter((s) => !going.has(s.id));
    if (staying.length) {
      notes.push(
        para`base connection ${dup.id} is a duplicate of this one (the same name, made later); it stays while
          ${staying.length} source connection(s) use it: 'dataflow create' for their templates moves them and retires it`,
      );
      continue;
    }
    const after = steps
      .filter((s) => s.kind === 'sourceConnection' || s.kind === 'flow')
      .flatMap((s) => [s.key, ...(s.retire ? [`${s.key}#retire`] : [])]);
    out.push(deleteStep('connection', undefined, connection, dup, after));
  }
  return { steps: out, notes };
}
