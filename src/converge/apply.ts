// Apply: one executor for the plan's dependency graph, shared by connect, dataflow create and
// destroy. Each step starts when the steps it depends on are done, sends exactly the requests the
// plan shows (Refs resolved from what earlier steps made), and saves state as it goes. After a
// failure no new write starts; the ones in flight finish and save before the error is reported.
import { ApiError, isNotFound, isUserError, UserError } from '../core/errors.js';
import type { Platform, PlatformRequest } from '../http/platform.js';
import { para } from '../core/text.js';
import { createOnce } from './create-once.js';
import { resolveRefs } from './plan.js';
import { KINDS } from './kinds/index.js';
import type { Ref, Outcome, Step } from './types.js';

export interface ApplyHooks {
  /** Before a create (or a replacement's create) is sent. */
  intend(step: Step): Promise<void>;
  /** After a step: what it made or kept. */
  record(step: Step, outcome: Outcome): Promise<void>;
  /** Before a replace: the old resource leaves the template's entry (to be deleted, or kept). */
  retire(step: Step, mode: 'retiring' | 'kept'): Promise<void>;
  /** After a delete (or a retirement's delete). */
  forget(step: Step, id: string): Promise<void>;
  /** After a create whose answer was lost: the resource it made, found by name (never `exclude`). */
  adopt(step: Step, body: Record<string, unknown>, exclude?: string): Promise<Outcome | undefined>;
}

/** What the view sees of each node: its title changes as it runs. */
export interface Node {
  key: string;
  step: Step;
  /** `retire`: the old resource of a replace goes. */
  phase: 'main' | 'retire';
  deps: string[];
  /** Resolves when done (rejects with the step's error, or "not started" after another failed). */
  done: Promise<void>;
}

export interface Execution {
  nodes: Node[];
  outcomes: Map<string, Outcome>;
  /** Keys of the steps (and `#retire` nodes) that finished. */
  completed: Set<string>;
  /** The first failure, and its step. */
  failure?: { error: unknown; step: Step };
  /** Every node settled; rejects with the first failure. */
  finished: Promise<void>;
}

export function apply(
  platform: Platform,
  steps: Step[],
  hooks: ApplyHooks,
  events: { onStart?(node: Node): void; onDone?(node: Node): void } = {},
): Execution {
  const outcomes = new Map<string, Outcome>();
  const completed = new Set<string>();
  const promises = new Map<string, Promise<void>>();
  const keys = new Set(steps.map((s) => s.key));
  let failure: unknown;
  let failed: Execution['failure'];
  const nodes: Node[] = [];

  const resolve = <T>(value: T): T => resolveRefs(value, (ref) => outcomeValue(outcomes, ref));
  const send = async <T>(request: PlatformRequest<T>): Promise<T> => {
    if (failure !== undefined) throw notStarted();
    return platform.send(resolveRequest(request, resolve));
  };

  const run: Run = { outcomes, hooks, send, resolve };
  const start = (node: Omit<Node, 'done'>, body: () => Promise<void>) => {
    const done = (async () => {
      await null; // every node is registered before any looks up its dependencies
      await Promise.all(node.deps.map((dep) => promises.get(dep)));
      if (failure !== undefined) throw notStarted();
      events.onStart?.(node as Node);
      try {
        await body();
      } catch (error) {
        if (failure === undefined) {
          failure = error;
          failed = { error, step: node.step };
        }
        throw error;
      }
      completed.add(node.key);
      events.onDone?.(node as Node);
    })();
    done.catch(() => undefined);
    promises.set(node.key, done);
    nodes.push({ ...node, done });
  };

  for (const step of steps) {
    // A dependency may be another step's retirement (`<key>#retire`): it waits for it when there is one.
    start(
      { key: step.key, step, phase: 'main', deps: step.dependsOn.filter((k) => keys.has(k.replace(/#retire$/, ''))) },
      () => runStep(run, step),
    );
    if (step.retire) {
      const retire = step.retire;
      start(
        {
          key: `${step.key}#retire`,
          step,
          phase: 'retire',
          deps: [step.key, ...retire.after.filter((k) => keys.has(k.replace(/#retire$/, '')) && k !== step.key)],
        },
        async () => {
          for (const request of retire.requests) await tolerateGone(send(request));
          await hooks.forget(step, step.id!);
        },
      );
    }
  }

  const execution: Execution = { nodes, outcomes, completed, finished: Promise.resolve() };
  execution.finished = Promise.allSettled([...promises.values()]).then(() => {
    execution.failure = failed;
    if (failure !== undefined) throw failure;
  });
  return execution;
}

/** What one step's run needs of the executor. */
interface Run {
  outcomes: Map<string, Outcome>;
  hooks: ApplyHooks;
  send<T>(request: PlatformRequest<T>): Promise<T>;
  resolve<T>(value: T): T;
}

async function runStep(run: Run, step: Step): Promise<void> {
  const { outcomes, hooks, send, resolve } = run;
  switch (step.action) {
    case 'reuse': {
      outcomes.set(step.key, { id: step.id!, etag: step.etag });
      return hooks.record(step, outcomes.get(step.key)!);
    }
    case 'update': {
      let answer: any;
      const id = step.id ?? outcomes.get(step.target!.key)?.id;
      if (!id) throw new Error(`No id for ${step.target?.key} yet`);
      for (const request of step.requests) answer = await send(step.id ? request : naming(request, step.target!, id));
      const outcome: Outcome = { id, etag: answer?.etag ?? step.etag, ...KINDS[step.kind].updated?.(answer, id) };
      outcomes.set(step.key, outcome);
      return hooks.record(step, outcome);
    }
    case 'create':
    case 'replace': {
      const create = step.requests[step.requests.length - 1];
      if (step.action === 'replace') {
        await hooks.retire(step, step.retire ? 'retiring' : 'kept');
        for (const request of step.requests.slice(0, -1)) await send(request); // the old one renamed aside
      }
      await hooks.intend(step);
      const body = resolve(create.body) as Record<string, unknown>;
      const { value } = await createOnce(
        async () => KINDS[step.kind].created(await send(create)),
        () => hooks.adopt(step, body, step.id),
        (error) => error instanceof NotStarted,
      ).catch((error) => restoreAfterRefusal(run, step, error));
      outcomes.set(step.key, value);
      return hooks.record(step, value);
    }
    case 'delete': {
      for (const request of step.requests) await tolerateGone(send(request)); // a 404: already gone
      return hooks.forget(step, step.id!);
    }
  }
}

/**
 * Adobe refused a replace's successor (a 4xx: nothing was made). The old resource goes back to how
 * it was (the old flow, disabled for the replace, enabled again) and the error says so.
 */
async function restoreAfterRefusal(run: Run, step: Step, error: unknown): Promise<never> {
  const { send } = run;
  const undo = step.retire?.undo ?? [];
  const status = (error as UserError)?.status;
  if (!undo.length || !isUserError(error) || status === undefined || status < 400 || status >= 500) throw error;
  for (const request of undo) await send(request);
  throw new ApiError(error.message, {
    ...error,
    cause: error,
    hint: para`The old ${step.kind === 'flow' ? 'dataflow' : step.kind} ${step.id} was disabled for its replacement and
      is enabled again, so ingestion goes on as before. ${error.hint ?? ''}`.trim(),
  });
}

function outcomeValue(outcomes: Map<string, Outcome>, ref: Ref): unknown {
  const outcome = outcomes.get(ref.key);
  if (!outcome) return undefined;
  // mappingVersion travels as a string (ruling 1).
  return ref.field === 'id' ? outcome.id : outcome.version === undefined ? undefined : String(outcome.version);
}

/** Refs in the body, resolved from what earlier steps made. */
function resolveRequest<T>(request: PlatformRequest<T>, resolve: <V>(value: V) => V): PlatformRequest<T> {
  return request.body === undefined ? request : { ...request, body: resolve(request.body) };
}

/** A request on a resource made in this run: its path (and its re-read's) named it by `target`; now by its id. */
function naming<T>(request: PlatformRequest<T>, target: Ref, id: string): PlatformRequest<T> {
  const put = (path: string) => path.split(encodeURIComponent(String(target))).join(encodeURIComponent(id));
  return {
    ...request,
    path: put(request.path),
    ...(request.reread
      ? {
          reread: { ...request.reread, request: { ...request.reread.request, path: put(request.reread.request.path) } },
        }
      : {}),
  };
}

/** A write not sent because another failed: never a lost answer to look for. */
class NotStarted extends UserError {}
const notStarted = () => new NotStarted('Not started: another step of this run failed.');

async function tolerateGone(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
