// Schema Registry (aep-api.md §5.1–5.2, rulings 1 and 8, schema-registry.yaml): stats, the global
// container (Adobe's standard classes and field groups, built-in data in ../xdm-classes.ts), the
// tenant container (classes, field groups, schemas, identity descriptors, stored per org and
// sandbox), Accept-header rules, property filters and orderby/start/limit paging. Rejects what the
// registry rejects: a schema without exactly one class, incompatible or unknown field groups,
// custom fields outside `_<tenantId>`, duplicate titles, descriptors on missing fields, deleting a
// schema a dataset uses. Updates (aep-updates.md §3): JSON Patch on field groups and schemas,
// additive only once a dataset exists (../schema-evolution.ts), and descriptor PUT. Error codes XDM-1006/1007/1008/1009-400 and XDM-1012-404 are Adobe's
// (spec examples); the other XDM codes are the emulator's own, in the same shape.
//
// The service is this route table: each row names its handler (schema-registry/resources.ts,
// descriptors.ts), which gets the registry's scoped lookups and checks (registry.ts); the shared
// error body, Accept forms, paging and presentation are in schema-registry/xdm.ts.
import type { RouteSpec, Router } from '../router.js';
import type { ServiceContext } from './context.js';
import {
  createDescriptor,
  deleteDescriptor,
  getDescriptor,
  listDescriptors,
  putDescriptor,
} from './schema-registry/descriptors.js';
import { registryOf, type Registry } from './schema-registry/registry.js';
import {
  createClass,
  createFieldGroup,
  createSchema,
  deleteResource,
  deleteSchema,
  getResource,
  getStats,
  listResources,
  patchResource,
} from './schema-registry/resources.js';
import { SR } from './schema-registry/xdm.js';

export { schemaFieldPaths } from '../xdm-classes.js';
export { SR, xdmError } from './schema-registry/xdm.js';

/** `fieldgroups` and its deprecated alias `mixins`, which Adobe still serves, are one kind. */
export const SCHEMA_REGISTRY_ROUTES: readonly RouteSpec<Registry>[] = [
  { method: 'GET', path: `${SR}/stats`, handle: getStats },
  { method: 'GET', path: `${SR}/:container/classes`, handle: listResources('classes', 'classes') },
  { method: 'GET', path: `${SR}/:container/classes/:id`, handle: getResource('classes') },
  { method: 'GET', path: `${SR}/:container/fieldgroups`, handle: listResources('mixins', 'fieldgroups') },
  { method: 'GET', path: `${SR}/:container/fieldgroups/:id`, handle: getResource('mixins') },
  { method: 'GET', path: `${SR}/:container/mixins`, handle: listResources('mixins', 'mixins') },
  { method: 'GET', path: `${SR}/:container/mixins/:id`, handle: getResource('mixins') },
  { method: 'GET', path: `${SR}/:container/schemas`, handle: listResources('schemas', 'schemas') },
  { method: 'GET', path: `${SR}/:container/schemas/:id`, handle: getResource('schemas') },
  { method: 'POST', path: `${SR}/tenant/classes`, handle: createClass },
  { method: 'POST', path: `${SR}/tenant/fieldgroups`, handle: createFieldGroup },
  { method: 'POST', path: `${SR}/tenant/mixins`, handle: createFieldGroup },
  { method: 'POST', path: `${SR}/tenant/schemas`, handle: createSchema },
  { method: 'DELETE', path: `${SR}/tenant/schemas/:id`, handle: deleteSchema },
  { method: 'DELETE', path: `${SR}/tenant/fieldgroups/:id`, handle: deleteResource('mixins') },
  { method: 'DELETE', path: `${SR}/tenant/mixins/:id`, handle: deleteResource('mixins') },
  { method: 'DELETE', path: `${SR}/tenant/classes/:id`, handle: deleteResource('classes') },
  { method: 'PATCH', path: `${SR}/tenant/fieldgroups/:id`, handle: patchResource('mixins') },
  { method: 'PATCH', path: `${SR}/tenant/mixins/:id`, handle: patchResource('mixins') },
  { method: 'PATCH', path: `${SR}/tenant/schemas/:id`, handle: patchResource('schemas') },
  { method: 'POST', path: `${SR}/tenant/descriptors`, handle: createDescriptor },
  { method: 'PUT', path: `${SR}/tenant/descriptors/:id`, handle: putDescriptor },
  { method: 'GET', path: `${SR}/:container/descriptors`, handle: listDescriptors },
  { method: 'GET', path: `${SR}/:container/descriptors/:id`, handle: getDescriptor },
  { method: 'DELETE', path: `${SR}/tenant/descriptors/:id`, handle: deleteDescriptor },
];

export function registerSchemaRegistry(router: Router, ctx: ServiceContext): void {
  router.mount(SCHEMA_REGISTRY_ROUTES, registryOf(ctx));
}
