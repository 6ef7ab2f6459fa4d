// The contract's error object of a pass that left something undelivered (exit 1): per dataflow,
// the records or tombstones not delivered, named with their reasons, where the cursor stays, and
// one hint for what to do.
import { para } from '../core/text.js';
import type { PassReport } from './engine.js';

/** A pass that left records undelivered, or could not read: exit 1 (a record that changed while being read is not one). */
export const incomplete = (r: PassReport) => !!(r.error || r.failed || r.notSent || r.deletesFailed);

/** A dataflow's progress line after an incomplete pass: what it left for the next sync. */
export function leftOver(report: PassReport): string {
  if (report.error) return 'stopped';
  const parts = [
    report.failed + report.notSent ? `${report.failed + report.notSent} record(s)` : '',
    report.deletesFailed ? `${report.deletesFailed} delete(s)` : '',
  ];
  return `${parts.filter(Boolean).join(' and ')} left for the next sync`;
}

export interface PassError {
  message: string;
  hint?: string;
  code?: string;
  status?: number;
}

/** The contract's error object when any record was not delivered, or a dataflow could not be read. */
export function failure(reports: PassReport[]): PassError | undefined {
  const bad = reports.filter(incomplete);
  if (!bad.length) return undefined;
  const messages: string[] = [];
  let hint: string | undefined;
  let code: string | undefined;
  let status: number | undefined;
  for (const r of bad) {
    if (r.error) {
      messages.push(`${r.template}: ${r.error.message}${/[.!?]$/.test(r.error.message) ? '' : '.'}`);
      hint ??= r.error.hint;
      code ??= r.error.code;
      status ??= r.error.status;
      continue;
    }
    if (r.deletesFailed) {
      messages.push(tombstonesMessage(r));
      hint ??= recordHint({ ...r, failures: r.failures.filter((f) => f.deleted) });
      code ??= 'SYNC_INCOMPLETE';
      if (!r.failed && !r.notSent) continue;
    }
    messages.push(recordsMessage(r));
    hint ??= recordHint(r);
    code ??= 'SYNC_INCOMPLETE';
  }
  return {
    message: messages.join(' '),
    ...(hint ? { hint } : {}),
    ...(code ? { code } : {}),
    ...(status ? { status } : {}),
  };
}

/** The tombstones (`deletes: soft`) not delivered, and where the delete cursor stays. */
function tombstonesMessage(r: PassReport): string {
  const tombstones = r.failures.filter((f) => f.deleted);
  const named = tombstones
    .map((f) => `${f.id} (${f.status ? `HTTP ${f.status}: ` : ''}${f.message.replace(/\.$/, '')})`)
    .join(', ');
  const more = r.deletesFailed > tombstones.length ? ` and ${r.deletesFailed - tombstones.length} more` : '';
  const them = r.deletesFailed === 1 ? 'it' : 'them';
  return para`${r.template}: ${r.deletesFailed} delete(s) not delivered to AEP as tombstones: ${named || 'not sent'}${more}.
    The delete cursor stays ${r.deletedCursor ? `at ${r.deletedCursor}` : 'at the start'}, before ${them}:
    the next sync sends ${them} again.`;
}

/** The records not delivered (those that failed the same way named together, the reason once), and where the cursor stays. */
function recordsMessage(r: PassReport): string {
  const groups = new Map<string, string[]>();
  for (const f of r.failures.filter((f) => !f.deleted)) {
    const reason = `${f.status ? `HTTP ${f.status}: ` : ''}${f.message.replace(/\.$/, '')}`;
    groups.set(reason, [...(groups.get(reason) ?? []), f.id]);
  }
  const named = [...groups]
    .map(([reason, [id, ...also]]) => `${id} (${reason}${also.length ? `; also ${also.join(', ')}` : ''})`)
    .join(', ');
  const shown = r.failures.filter((f) => !f.deleted).length;
  const more = r.failed > shown ? ` and ${r.failed - shown} more` : '';
  const later = r.notSent ? `; ${r.notSent} record(s) after ${r.failed === 1 ? 'it' : 'them'} were not sent` : '';
  return para`${r.template}: ${r.failed} record(s) not delivered to AEP: ${named}${more}${later}.
    The cursor stays ${r.cursor ? `at ${r.cursor}` : 'at the start'}, before ${r.failed === 1 ? 'it' : 'them'}:
    the next sync sends ${r.failed === 1 && !r.notSent ? 'it' : 'them'} again.`;
}

function recordHint(r: PassReport): string {
  const first = r.failures[0];
  if (first?.tooLarge)
    return para`AEP takes records of at most 1 MB: shorten record ${first.id} in Zoho CRM (its largest field);
      until it changes, sync stops before it.`;
  const status = first?.status;
  // A 2xx without Adobe's receipt: something in between answered in the inlet's place.
  if (status && status >= 200 && status < 300)
    return para`Something other than Adobe's inlet answered (HTTP ${status} without Adobe's receipt):
      a proxy, a TLS-inspecting firewall, a captive portal or a load balancer between this machine and Adobe's inlet?
      Check HTTPS_PROXY, HTTP_PROXY and NO_PROXY and the network, then run 'aep-zoho sync' again.
      Nothing is lost: the cursor stays before the record.`;
  if (status === 401 || status === 403)
    return para`Adobe's inlet did not accept the IMS token: check 'aep-zoho auth status',
      and that the credential's role has the Sources and Datasets permissions in this sandbox.`;
  if (status && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return para`Adobe refused the record: check the dataflow with 'aep-zoho dataflow status ${r.template}',
      and converge it with 'aep-zoho dataflow create --template ${r.template} --via http-api'.`;
  }
  return para`AEP's inlet kept failing after the retries: run 'aep-zoho sync' again later.
    Nothing is lost: the cursor stays before the record.`;
}
