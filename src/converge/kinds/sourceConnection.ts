// The template's source connection: on the base connection, a table (Zoho source) or none (HTTP API).
// Source and target connections are not changed in place (aep-updates.md §0.2, §5).
import { flowService } from '../../aep/flow-service.js';
import { suffixed } from '../names.js';
import { ANY, flowKind, listedByName, type KindSpec } from '../kind.js';
import { flowPatch, nameAndDescription } from '../rules.js';

export const sourceConnection = {
  label: 'source connection',
  scope: 'template',
  dependsOn: ['connection'],
  name: (n) => suffixed(n, (t) => `Zoho CRM ${t.source.table} source`),
  ...flowKind('sourceConnections'),
  // Destroy: those on the recorded base connection and on the ones of ours it found.
  within: 'connection',
  find: (ctx, { name, scope, made, within }) => {
    const on =
      name === ANY
        ? [ctx.shared.saved.connection?.id, ...(within ?? []).map((c) => c.id)].filter((id): id is string => !!id)
        : [];
    const ids = made ? [made.baseConnectionId] : (scope?.baseConnectionIds ?? [...new Set(on)]);
    return listedByName(
      ctx,
      'sourceConnections',
      ids.map((id) => `baseConnectionId==${id}`),
      name,
    );
  },
  rules: {
    replaceOn: [
      {
        // Shown as the table's name where it has one (an HTTP API source connection has no table).
        path: 'params.tableName',
        what: 'source.table',
        show: {
          from: (path, d) => ((d.facts?.tableNames ?? {}) as Record<string, string>)[path as string] ?? path,
          to: (path, d) => d.facts?.table ?? path,
        },
      },
      { path: 'baseConnectionId', what: 'base connection' },
      { path: 'connectionSpec.id', what: 'connection spec' },
    ],
    patch: nameAndDescription,
    send: flowPatch('sourceConnections'),
  },
  delete: (actual) => [flowService.delete('sourceConnections', actual.id)],
  retire: {
    mode: 'delete',
    after: 'old flow',
    requests: (actual) => [flowService.delete('sourceConnections', actual.id)],
  },
} satisfies KindSpec;
