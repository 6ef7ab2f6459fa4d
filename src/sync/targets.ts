// The dataflows a `sync` pass carries (all of the sandbox's http-api dataflows, or those named),
// and what AEP made of each one's previous pass.
import { closest } from 'fastest-levenshtein';
import { ingestionSince, readIngestion, type Ingestion } from '../aep/ingestion.js';
import type { Settings } from '../config/settings.js';
import type { SandboxState, SyncState } from '../config/state.js';
import type { Context } from '../core/context.js';
import { UsageError, UserError, isUserError } from '../core/errors.js';
import { para } from '../core/text.js';
import type { Platform } from '../http/platform.js';

export interface Target {
  template: string;
  sync: SyncState;
}

/** The dataflows a pass carries: all of the sandbox's, or those named (template, flow id or flow name). */
export function select(state: SandboxState, names: string[], settings: Settings): Target[] {
  // An entry whose flow the template no longer uses (replaced outside a streaming run) feeds nothing.
  const syncs = Object.fromEntries(
    Object.entries(state.syncs ?? {}).filter(
      ([t, entry]) => !state.dataflows?.[t]?.flow || state.dataflows[t].flow.id === entry.flowId,
    ),
  );
  const templates = Object.keys(syncs);
  if (!templates.length) {
    throw new UserError(
      `Profile '${settings.profileName}' has no http-api dataflow in sandbox '${settings.sandbox}': nothing to sync.`,
      {
        hint: para`Create one with 'aep-zoho dataflow create --template <name> --via http-api'
          (after 'aep-zoho connect --via http-api'); sync carries the Zoho records of those dataflows to AEP.`,
        code: 'NO_SYNCS',
      },
    );
  }
  if (!names.length) return templates.map((template) => ({ template, sync: syncs[template] }));
  const chosen = new Map<string, Target>();
  for (const name of names) {
    const lower = name.toLowerCase();
    const template =
      templates.find((t) => t === name) ??
      templates.find((t) => t.toLowerCase() === lower) ??
      templates.find((t) => syncs[t].flowId === name) ??
      templates.find((t) => state.dataflows?.[t]?.flow?.name === name);
    if (!template) throw unknownDataflow(state, templates, name, settings);
    chosen.set(template, { template, sync: syncs[template] });
  }
  return [...chosen.values()];
}

/** A name that is no http-api dataflow: one on Adobe's Zoho source, or a near miss. */
function unknownDataflow(state: SandboxState, templates: string[], name: string, settings: Settings): UsageError {
  const lower = name.toLowerCase();
  const other = Object.keys(state.dataflows ?? {}).find(
    (t) => t.toLowerCase() === lower || state.dataflows?.[t]?.flow?.id === name,
  );
  if (other) {
    return new UsageError(
      para`Dataflow '${name}' reads Zoho through Adobe's Zoho CRM source, on its own schedule:
        sync carries only http-api dataflows (${templates.join(', ')}).`,
      {
        hint: `To move it to the http-api path: 'aep-zoho dataflow create --template ${other} --via http-api'.`,
      },
    );
  }
  const near = closest(
    lower,
    templates.map((t) => t.toLowerCase()),
  );
  const guess = near ? `Did you mean '${templates.find((t) => t.toLowerCase() === near)}'? ` : '';
  return new UsageError(`No http-api dataflow '${name}' in sandbox '${settings.sandbox}'.`, {
    hint: `${guess}The http-api dataflows are ${templates.join(', ')}; name one by template, flow id or flow name.`,
  });
}

/**
 * What AEP made of each dataflow's previous pass (Catalog batches since it started): read before
 * this pass posts anything new. A dataflow with no previous pass, or no dataset recorded, has none;
 * a Catalog that cannot be read is a warning, never a failed sync.
 */
export async function previousIngestion(
  ctx: Context,
  platform: Platform,
  targets: Target[],
): Promise<Map<string, Ingestion>> {
  const found = new Map<string, Ingestion>();
  await Promise.all(
    targets.map(async ({ template, sync }) => {
      if (!sync.lastPassAt || !sync.datasetId) return;
      try {
        const since = ingestionSince(sync.lastPassAt, ctx.now().getTime());
        found.set(template, await readIngestion(platform, sync.datasetId, since));
      } catch (error) {
        if (!isUserError(error)) throw error;
        ctx.log.warn(`${template}: could not read what AEP ingested from the previous sync: ${error.message}`);
      }
    }),
  );
  return found;
}
