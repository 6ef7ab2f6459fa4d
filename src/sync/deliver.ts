// The delivery step of a pass: a page's records not yet acknowledged are posted to the inlet, up
// to `inFlight` at once, each with its fate. After the first failure no further post starts: the
// cursor stops before that record anyway, so later ones would only be sent again.
import { MAX_RECORD_BYTES, type PostOutcome } from '../aep/inlet.js';
import type { Fate } from './cursor.js';
import type { Failure, PassReport } from './engine.js';

/** Where records go: AEP's HTTP API streaming inlet (src/aep/inlet.ts's InletClient). */
export interface Inlet {
  /** Throws when records and the token must not go to this inlet URL. */
  check(inletUrl: string): void;
  /** Posts one serialised record; the outcome says whether AEP acknowledged it. */
  post(inletUrl: string, flowId: string, body: string): Promise<PostOutcome>;
}

/** Failures named in messages and --json, at most. */
export const SHOWN_FAILURES = 5;

/** Posts between two calls of `collect` inside a page. */
const COLLECT_EVERY_POSTS = 100;

export interface Delivery {
  inlet: Inlet;
  inletUrl: string;
  flowId: string;
  inFlight: number;
  /** Called every COLLECT_EVERY_POSTS posts (the composition root's heap upkeep), if given. */
  collect?: () => void;
}

/** Posts the records whose fate is 'not-sent' (the others keep theirs); returns every record's fate. */
export async function deliver(
  delivery: Delivery,
  records: ReadonlyArray<{ raw: Record<string, unknown>; id: string }>,
  fates: Fate[],
  report: PassReport,
): Promise<Fate[]> {
  const todo = fates.flatMap((fate, i) => (fate === 'not-sent' ? [i] : []));
  report.read += todo.length;
  let next = 0;
  let posted = 0;
  let stopped = false;
  const fail = (i: number, failure: Omit<Failure, 'id'>) => {
    fates[i] = 'failed';
    stopped = true;
    report.failed++;
    if (report.failures.length < SHOWN_FAILURES) report.failures.push({ id: records[i].id, ...failure });
  };
  const worker = async () => {
    while (next < todo.length && !stopped) {
      const i = todo[next++];
      const body = JSON.stringify(records[i].raw);
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > MAX_RECORD_BYTES) {
        fail(i, {
          message: `${(bytes / 1024 / 1024).toFixed(2)} MB, over AEP's 1 MB record limit (not sent)`,
          tooLarge: true,
        });
        continue;
      }
      const outcome = await delivery.inlet.post(delivery.inletUrl, delivery.flowId, body);
      if (++posted % COLLECT_EVERY_POSTS === 0) delivery.collect?.();
      if (outcome.ok) {
        fates[i] = 'acked';
        report.sent++;
      } else {
        fail(i, { status: outcome.status, message: outcome.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(delivery.inFlight, todo.length) }, worker));
  report.notSent += fates.filter((fate) => fate === 'not-sent').length;
  return fates;
}
