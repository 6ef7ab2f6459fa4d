// `destroy`: delete what this profile created in this sandbox (state entries with `created: true`),
// dependents first (aep-api.md §8.6): per template the dataflow, its source and target
// connections, the dataset, the identity descriptor, the schema, the field group and the tenant
// class; then the base connection. Mapping sets stay: Data Prep has no DELETE.
//
// Never deletes what it did not create: besides `created`, each resource's current name must still
// be the recorded one (else it is skipped with a warning and forgotten). The state file is updated
// after every delete, so an interrupted run leaves it describing exactly what still exists, and a
// re-run finishes the job. A 404 counts as already deleted.
import { CATALOG, Catalog } from '../aep/catalog.js';
import { FLOW } from '../aep/flow-service.js';
import { SCHEMA_REGISTRY, SchemaRegistry, type RegistryKind } from '../aep/schema-registry.js';
import type { ResourceRef, SandboxState } from '../config/state.js';
import type { Context } from '../core/context.js';
import { CancelledError, UserError, isNotFound, isUserError } from '../core/errors.js';
import type { PlanStep } from '../core/plan.js';
import { runTasks, type Task } from './runner.js';
import { openSession, type Session } from './session.js';

/** Per template, in deletion order: dependents before what they depend on. */
const ORDER = ['flow', 'sourceConnection', 'targetConnection', 'mappingSet', 'dataset', 'descriptor', 'schema', 'fieldGroup', 'class'] as const;

const LABELS: Record<string, string> = {
  flow: 'dataflow',
  sourceConnection: 'source connection',
  targetConnection: 'target connection',
  mappingSet: 'mapping set',
  dataset: 'dataset',
  descriptor: 'identity descriptor',
  schema: 'schema',
  fieldGroup: 'field group',
  class: 'class',
  connection: 'base connection',
};

const FLOW_COLLECTIONS: Record<string, string> = { flow: 'flows', sourceConnection: 'sourceConnections', targetConnection: 'targetConnections', connection: 'connections' };
const REGISTRY_KINDS: Record<string, RegistryKind> = { schema: 'schemas', fieldGroup: 'fieldgroups', class: 'classes' };

export interface DestroyItem {
  resource: string;
  name: string;
  id: string;
  template?: string;
  reason?: string;
}

export interface DestroyResult {
  sandbox: string;
  deleted: DestroyItem[];
  /** Already gone before destroy got to them (404): forgotten. */
  gone: DestroyItem[];
  /** Renamed or replaced since they were recorded: not deleted, forgotten. */
  skipped: DestroyItem[];
  /** Left in place: not created by this profile, or not deletable (mapping sets). */
  kept: DestroyItem[];
}

export type DestroyPlan = { plan: PlanStep[] } & Omit<DestroyResult, 'deleted'>;

interface Step {
  key: string; // state key: a kind, or 'connection'
  template?: string;
  ref: ResourceRef;
  item: DestroyItem;
  path: string;
  /** 'ok' (exists, same name), 'gone' (404), or why it is not ours any more. */
  verdict?: 'ok' | 'gone' | { mismatch: string };
}

function deletePath(key: string, id: string): string {
  if (FLOW_COLLECTIONS[key]) return `${FLOW}/${FLOW_COLLECTIONS[key]}/${id}`;
  if (key === 'dataset') return `${CATALOG}/dataSets/${id}`;
  if (key === 'descriptor') return `${SCHEMA_REGISTRY}/tenant/descriptors/${encodeURIComponent(id)}`;
  return `${SCHEMA_REGISTRY}/tenant/${REGISTRY_KINDS[key]}/${encodeURIComponent(id)}`;
}

export async function destroy(ctx: Context, options: { dryRun: boolean }): Promise<DestroyResult | DestroyPlan> {
  const session = await openSession(ctx);
  const sandbox = session.settings.sandbox;
  const profile = session.settings.profileName;
  const state = await session.state.read(sandbox);
  const registry = new SchemaRegistry(session.platform);
  const catalog = new Catalog(session.platform);

  const kept: DestroyItem[] = [];
  const perTemplate = new Map<string, Step[]>();
  for (const [template, refs] of Object.entries(state.dataflows ?? {})) {
    const steps: Step[] = [];
    for (const key of ORDER) {
      const ref = refs[key];
      if (!ref?.id) continue;
      const item: DestroyItem = { resource: LABELS[key], name: ref.name, id: ref.id, template };
      if (!ref.created) kept.push({ ...item, reason: 'reused, not created by this profile' });
      else if (key === 'mappingSet') kept.push({ ...item, reason: 'Data Prep has no DELETE for mapping sets; it stays, unused' });
      else steps.push({ key, template, ref, item, path: deletePath(key, ref.id) });
    }
    perTemplate.set(template, steps);
  }
  let connectionStep: Step | undefined;
  if (state.connection?.id) {
    const item: DestroyItem = { resource: LABELS.connection, name: state.connection.name, id: state.connection.id };
    if (state.connection.created) connectionStep = { key: 'connection', ref: state.connection, item, path: deletePath('connection', state.connection.id) };
    else kept.push({ ...item, reason: 'found by name, not created by this profile' });
  }
  const steps = [...[...perTemplate.values()].flat(), ...(connectionStep ? [connectionStep] : [])];

  // Check every resource before deleting any: does it still exist, under the recorded name?
  await Promise.all(steps.map(async (step) => (step.verdict = await verify(session, registry, catalog, step, state))));
  const gone = steps.filter((s) => s.verdict === 'gone').map((s) => s.item);
  const skipped = steps.filter((s) => typeof s.verdict === 'object').map((s) => ({ ...s.item, reason: (s.verdict as { mismatch: string }).mismatch }));
  for (const item of skipped) ctx.log.warn(`not deleting ${item.resource} ${item.id}: ${item.reason}. aep-zoho forgets it.`);
  const doomed = steps.filter((s) => s.verdict === 'ok');

  if (options.dryRun) {
    const plan: PlanStep[] = doomed.map((s) => ({ action: 'delete', resource: s.item.resource, name: s.item.name, id: s.item.id, request: { method: 'DELETE', path: s.path } }));
    return { plan, sandbox, gone, skipped, kept };
  }

  if (doomed.length) {
    const ok = await ctx.confirm(`Delete ${doomed.length} resource(s) that profile '${profile}' created in sandbox '${sandbox}'?`, '--yes');
    if (!ok) throw new CancelledError('destroy cancelled: nothing was deleted.', 'Run it again and answer y, or pass --yes.');
  }

  const deleted: DestroyItem[] = [];
  const failures: Array<{ step: Step; error: unknown }> = [];
  const forget = (step: Step) =>
    session.state.update(sandbox, (s: SandboxState) => {
      if (step.key === 'connection') {
        if (s.connection?.id === step.ref.id) delete s.connection;
        if (s.tables?.connectionId === step.ref.id) delete s.tables;
        return;
      }
      const refs = s.dataflows?.[step.template!];
      if (refs?.[step.key]?.id === step.ref.id) delete refs[step.key];
    });
  /** After a template's last delete: drop its mapping set (kept, undeletable) and an empty entry. */
  const tidy = (template: string) =>
    session.state.update(sandbox, (s: SandboxState) => {
      const refs = s.dataflows?.[template];
      if (!refs) return;
      if (refs.mappingSet?.created) delete refs.mappingSet;
      if (!Object.keys(refs).length) delete s.dataflows![template];
    });

  const stepTask = (step: Step): Task<object> => ({
    title: `Delete ${step.item.resource} '${step.item.name}'`,
    task: async (_c, task) => {
      if (step.verdict === 'ok') {
        try {
          await remove(session, registry, catalog, step);
        } catch (error) {
          failures.push({ step, error });
          task.title = `Could not delete ${step.item.resource} '${step.item.name}' (${step.item.id})`;
          throw error;
        }
        deleted.push(step.item);
        task.title = `Deleted ${step.item.resource} '${step.item.name}' (${step.item.id})`;
      } else {
        task.title = step.verdict === 'gone' ? `${cap(step.item.resource)} '${step.item.name}' was already deleted` : `Skipped ${step.item.resource} ${step.item.id}: renamed or replaced`;
      }
      await forget(step);
    },
  });

  const tasks: Array<Task<object>> = [...perTemplate.entries()].map(([template, list]) => ({
    title: `Dataflow resources of template '${template}'`,
    exitOnError: false,
    task: (_c, task) =>
      task.newListr([...list.map(stepTask), { title: 'Tidy the state file', task: async (_x, t) => ((t.title = `Template '${template}' done`), await tidy(template)) }], { exitOnError: true }),
  }));
  if (connectionStep) {
    const step = connectionStep;
    tasks.push({
      ...stepTask(step),
      skip: () => (failures.length ? 'Keeping the base connection: something that uses it could not be deleted' : false),
      exitOnError: false,
    });
  }
  if (steps.length || Object.keys(state.dataflows ?? {}).length) await runTasks(ctx, tasks, {});

  if (failures.length) throw failureError(failures, deleted.length, session);
  return { sandbox, deleted, gone, skipped, kept };
}

const cap = (text: string) => text[0].toUpperCase() + text.slice(1);

async function verify(session: Session, registry: SchemaRegistry, catalog: Catalog, step: Step, state: SandboxState): Promise<Step['verdict']> {
  const { key, ref } = step;
  const renamed = (current: unknown) => ({ mismatch: `its name is now '${String(current)}', not '${ref.name}' as recorded` });
  if (FLOW_COLLECTIONS[key]) {
    const found = await session.flow.get(FLOW_COLLECTIONS[key], ref.id);
    return !found ? 'gone' : found.name === ref.name ? 'ok' : renamed(found.name);
  }
  if (key === 'dataset') {
    const found = await catalog.get(ref.id);
    return !found ? 'gone' : found.name === ref.name ? 'ok' : renamed(found.name);
  }
  if (key === 'descriptor') {
    // Descriptors have no name: check that it still describes this template's schema.
    try {
      const found = await session.platform.get<Record<string, unknown>>(`${SCHEMA_REGISTRY}/tenant/descriptors/${encodeURIComponent(ref.id)}`, undefined, { accept: 'application/vnd.adobe.xdm+json' });
      const schemaId = state.dataflows?.[step.template!]?.schema?.id;
      return !schemaId || found['xdm:sourceSchema'] === schemaId ? 'ok' : { mismatch: `it now describes schema ${String(found['xdm:sourceSchema'])}, not ${schemaId}` };
    } catch (error) {
      if (isNotFound(error)) return 'gone';
      throw error;
    }
  }
  const found = await registry.lookup('tenant', REGISTRY_KINDS[key], ref.id);
  return !found ? 'gone' : found.title === ref.name ? 'ok' : renamed(found.title);
}

function remove(session: Session, registry: SchemaRegistry, catalog: Catalog, step: Step): Promise<void> {
  const { key, ref } = step;
  if (FLOW_COLLECTIONS[key]) return session.flow.delete(FLOW_COLLECTIONS[key], ref.id);
  if (key === 'dataset') return catalog.delete(ref.id);
  if (key === 'descriptor') return registry.delete('descriptors', ref.id);
  return registry.delete(REGISTRY_KINDS[key], ref.id);
}

function failureError(failures: Array<{ step: Step; error: unknown }>, deletedCount: number, session: Session): Error {
  const first = failures[0].error;
  if (!isUserError(first)) return first as Error;
  const describe = ({ step, error }: { step: Step; error: unknown }) =>
    `${step.item.resource} '${step.item.name}' (${step.item.id}): ${(error as Error).message}`;
  const inUse = failures.find(({ step, error }) => step.key === 'connection' && isUserError(error) && /1418/.test(`${error.code} ${error.message}`));
  const referenced = failures.find(({ error }) => isUserError(error) && (error.status === 409 || /in use|used by|1520/i.test(error.message)));
  const hint = inUse
    ? `The base connection is still used by a dataflow this profile did not create. Delete that dataflow first (Experience Platform UI: Sources > Dataflows, or with the tool that made it), then re-run 'aep-zoho destroy'; everything else is already gone.`
    : referenced
      ? `Something aep-zoho did not create still uses it (for example a dataset or schema made in the UI). Remove that first, then re-run 'aep-zoho destroy': it resumes where it stopped.`
      : `Fix the cause and re-run 'aep-zoho destroy': it resumes where it stopped (the state file ${session.state.path} lists what still exists).`;
  return new UserError(
    `destroy stopped after deleting ${deletedCount} resource(s): could not delete ${failures.map(describe).join('; ')}`.replace(/\.?$/, '.'),
    { hint, status: (first as UserError).status, requestId: (first as UserError).requestId, code: (first as UserError).code },
  );
}
