// The base connection: one per profile and sandbox, on either path's connection spec.
import { HTTP_API_CONNECTION_SPEC, ZOHO_CONNECTION_SPEC, flowService } from '../../aep/flow-service.js';
import { defaultConnectionName } from '../names.js';
import { flowKind, listedByName, type KindSpec } from '../kind.js';
import { flowPatch, replaceOp, whenOurs, type FieldRule } from '../rules.js';

/** Both paths' base connection specs: a resource of ours is found whichever path made it. */
export const CONNECTION_SPEC_IDS = [ZOHO_CONNECTION_SPEC.id, HTTP_API_CONNECTION_SPEC.id];

/** Adobe masks secrets on GET, so stored tokens cannot be compared: they move only when asked (ruling 10). */
const credentials: FieldRule = (want, _have, field, desired) =>
  desired.facts?.updateCredentials
    ? { changes: [{ field, to: 'the stored Zoho credentials' }], value: want, op: 'replace' }
    : undefined;

export const connection = {
  label: 'base connection',
  scope: 'sandbox',
  dependsOn: [],
  name: (n) => defaultConnectionName(n.profile),
  ...flowKind('connections'),
  find: (ctx, { name, scope, made }) =>
    listedByName(
      ctx,
      'connections',
      (made ? [made.connectionSpec.id] : (scope?.specIds ?? CONNECTION_SPEC_IDS)).map(
        (id) => `connectionSpec.id==${id}`,
      ),
      name,
    ),
  rules: {
    // A connection picked with --name is someone else's: only our own gets our description.
    patch: { description: whenOurs(replaceOp), 'auth.params': credentials },
    send: flowPatch('connections'),
  },
  delete: (actual) => [flowService.delete('connections', actual.id)],
  retire: { mode: 'keep' },
} satisfies KindSpec;
