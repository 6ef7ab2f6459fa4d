// The kinds table: one file per kind, registered here. `satisfies` makes a missing kind (or a
// missing piece of one) a compile error; test/architecture/kinds.test.ts checks every file is here.
// The create order is a topological sort of `dependsOn`; destroy goes the other way.
import type { KindSpec } from '../kind.js';
import type { Kind } from '../types.js';
import { xdmClass } from './class.js';
import { connection } from './connection.js';
import { dataset } from './dataset.js';
import { descriptor } from './descriptor.js';
import { fieldGroup } from './fieldGroup.js';
import { flow } from './flow.js';
import { mappingSet } from './mappingSet.js';
import { schema } from './schema.js';
import { sourceConnection } from './sourceConnection.js';
import { targetConnection } from './targetConnection.js';

export const KINDS: Record<Kind, KindSpec> = {
  connection,
  class: xdmClass,
  fieldGroup,
  schema,
  descriptor,
  dataset,
  sourceConnection,
  targetConnection,
  mappingSet,
  flow,
} satisfies Record<Kind, KindSpec>;

/** Kinds in create order: each after what it depends on. */
export const CREATE_ORDER: Kind[] = (() => {
  const order: Kind[] = [];
  const visit = (kind: Kind) => {
    if (order.includes(kind)) return;
    KINDS[kind].dependsOn.forEach(visit);
    order.push(kind);
  };
  (Object.keys(KINDS) as Kind[]).forEach(visit);
  return order;
})();

export const DESTROY_ORDER: Kind[] = [...CREATE_ORDER].reverse();
