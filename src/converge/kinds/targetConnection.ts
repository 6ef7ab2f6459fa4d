// The template's target connection: the dataset and schema the flow writes (Data Lake).
import { DATA_LAKE_CONNECTION_SPEC, flowService } from '../../aep/flow-service.js';
import { suffixed } from '../names.js';
import { flowKind, listedByName, type KindSpec } from '../kind.js';
import { flowPatch, nameAndDescription } from '../rules.js';

export const targetConnection = {
  label: 'target connection',
  scope: 'template',
  dependsOn: ['dataset', 'schema'],
  name: (n) => suffixed(n, (t) => `${t.target.dataset.name} target`),
  ...flowKind('targetConnections'),
  find: (ctx, { name }) =>
    listedByName(ctx, 'targetConnections', [`connectionSpec.id==${DATA_LAKE_CONNECTION_SPEC.id}`], name),
  rules: {
    replaceOn: [
      { path: 'params.dataSetId', what: 'dataset' },
      { path: 'data.schema.id', what: 'schema' },
    ],
    patch: nameAndDescription,
    send: flowPatch('targetConnections'),
  },
  delete: (actual) => [flowService.delete('targetConnections', actual.id)],
  retire: {
    mode: 'delete',
    after: 'old flow',
    requests: (actual) => [flowService.delete('targetConnections', actual.id)],
  },
} satisfies KindSpec;
