// Classes, field groups and schemas: stats, lists and lookups in both containers, creates, JSON Patch
// updates and deletes in the tenant container. Each handler takes the registry (registry.ts) and the request.
import { applyPatch, isFailure, readPatch } from '../../json-patch.js';
import type { EmuRequest, EmuResponse } from '../../router.js';
import { restore, type Resource } from '../../state.js';
import { BEHAVIORS } from '../../xdm-classes.js';
import type { Registry } from './registry.js';
import {
  allOfEntry,
  badRequest,
  isAnswer,
  isUnion,
  listAccept,
  listResponse,
  lookupAccept,
  nextMinor,
  notFound,
  objectBody,
  present,
  refsOf,
  SR,
  summary,
  xdmError,
  type Kind,
} from './xdm.js';

type Handler = (r: Registry, req: EmuRequest) => EmuResponse;

export function getStats(r: Registry, req: EmuRequest): EmuResponse {
  const caller = req.caller!;
  const schemas = r.tenantItems(req, 'schemas');
  const all = [...schemas, ...r.tenantItems(req, 'mixins'), ...r.tenantItems(req, 'classes')];
  const recent = (key: 'repo:createdDate' | 'repo:lastModifiedDate') =>
    [...all]
      .sort((a, b) => b['meta:registryMetadata'][key] - a['meta:registryMetadata'][key])
      .slice(0, 5)
      .map((item) => ({
        title: item.title,
        description: item.description,
        'meta:resourceType': item['meta:resourceType'],
        [key === 'repo:createdDate' ? 'meta:created' : 'meta:updated']: new Date(
          item['meta:registryMetadata'][key],
        ).toUTCString(),
        version: item.version,
        ...(item['meta:class'] ? { 'meta:class': item['meta:class'] } : {}),
      }));
  // classUsage is an object keyed by class $id, as Adobe's stats guide shows (§9), not the spec's array.
  const classUsage: Record<string, Array<Record<string, unknown>>> = {};
  for (const schema of schemas)
    (classUsage[schema['meta:class']] ??= []).push({
      $id: schema.$id,
      title: schema.title,
      description: schema.description,
    });
  return {
    status: 200,
    body: {
      imsOrg: caller.orgId,
      tenantId: r.state.tenantId(caller.orgId),
      counts: {
        schemas: schemas.length,
        mixins: r.tenantItems(req, 'mixins').length,
        datatypes: 0,
        classes: r.tenantItems(req, 'classes').length,
        unions: new Set(schemas.filter(isUnion).map((schema) => schema['meta:class'])).size,
      },
      recentlyCreatedResources: recent('repo:createdDate'),
      recentlyUpdatedResources: recent('repo:lastModifiedDate'),
      classUsage,
    },
  };
}

/** GET /{container}/{segment}: the global or tenant container's resources of one kind, paged. */
export const listResources =
  (kind: Kind, segment: string): Handler =>
  (r, req) => {
    const container = req.params.container;
    if (container !== 'global' && container !== 'tenant')
      return xdmError(
        req,
        404,
        '1010',
        'Resource Not Found',
        `Unknown container '${container}'. Use global or tenant.`,
      );
    const accept = listAccept(req);
    if (typeof accept !== 'string') return accept;
    const items = (container === 'global' ? r.globalItems(req, kind) : r.tenantItems(req, kind)).map(present);
    return listResponse(
      req,
      items,
      accept === 'xed-id' ? summary : (item) => item,
      `${SR}/${container}/${segment}`,
      kind === 'schemas',
    );
  };

/** GET /{container}/{segment}/{id}: one resource by `$id` or `meta:altId`, in the Accept's form. */
export const getResource =
  (kind: Kind): Handler =>
  (r, req) => {
    const container = req.params.container;
    const accept = lookupAccept(req);
    if (typeof accept !== 'string') return accept;
    const found =
      container === 'global'
        ? r.findGlobal(req, kind, req.params.id)
        : container === 'tenant'
          ? r.findTenant(req, kind, req.params.id)
          : undefined;
    if (!found)
      return xdmError(
        req,
        404,
        '1012',
        'Resource Not Found',
        `Requested resource ${req.params.id} with version 1 is not found`,
      );
    return { status: 200, body: r.render(found, accept) };
  };

export function createClass(r: Registry, req: EmuRequest): EmuResponse {
  const body = objectBody(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object.');
  const problem = r.checkCommon(req, body, 'classes');
  if (problem) return problem;
  const refs = refsOf(body);
  const behavior = refs.filter((ref) => BEHAVIORS.includes(ref));
  if (behavior.length !== 1)
    return badRequest(req, `A class must reference exactly one behavior in allOf (${BEHAVIORS.join(' or ')}).`);
  const definitionsProblem = r.checkTenantFields(req, body);
  if (definitionsProblem) return definitionsProblem;
  const created = r.store(req, 'classes', body, {
    'meta:extends': [behavior[0]],
    'meta:extensible': true,
    'meta:abstract': true,
    definitions: body.definitions ?? {},
    allOf: refs.map(allOfEntry),
  });
  return { status: 201, body: present(created) };
}

export function createFieldGroup(r: Registry, req: EmuRequest): EmuResponse {
  const body = objectBody(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object.');
  const shape = r.checkCommon(req, body, 'mixins') ?? r.fieldGroupShape(req, body);
  if (isAnswer(shape)) return shape;
  return { status: 201, body: present(r.store(req, 'mixins', body, shape)) };
}

export function createSchema(r: Registry, req: EmuRequest): EmuResponse {
  const body = objectBody(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object.');
  const shape =
    r.checkCommon(req, body, 'schemas') ?? r.profileProblem(req, undefined, body) ?? r.schemaShape(req, body);
  if (isAnswer(shape)) return shape;
  return { status: 201, body: present(r.store(req, 'schemas', body, shape)) };
}

export function deleteSchema(r: Registry, req: EmuRequest): EmuResponse {
  const schema = r.findTenant(req, 'schemas', req.params.id);
  if (!schema) return notFound(req, `Resource ${req.params.id}`);
  // "Deleting the schema" and "Disabling the schema from participating in Profile" are breaking
  // changes (composition.md): a Profile-enabled schema stays (ruling 16). The status is UNVERIFIED.
  if (isUnion(schema))
    return badRequest(
      req,
      `Schema ${schema.$id} is enabled for Profile (meta:immutableTags: union) and cannot be deleted.`,
    );
  const datasets = r.datasetsOf(req, schema.$id);
  if (datasets.length) {
    // Adobe refuses while datasets use the schema; the exact code and status are UNVERIFIED.
    return xdmError(
      req,
      409,
      '1520',
      'Resource in use',
      `Schema ${schema.$id} cannot be deleted because it is used by dataset(s) ${datasets.map((ds) => ds.id).join(', ')}. Delete the datasets first.`,
    );
  }
  r.state.schemas.delete(schema.id);
  // Descriptors describe the schema and go with it.
  for (const descriptor of r.state.descriptors.all())
    if (descriptor['xdm:sourceSchema'] === schema.$id && r.visible(descriptor, req.caller!))
      r.state.descriptors.delete(descriptor.id);
  return { status: 204 };
}

/** DELETE a class or field group, unless a schema references it. */
export const deleteResource =
  (kind: 'classes' | 'mixins'): Handler =>
  (r, req) => {
    const resource = r.findTenant(req, kind, req.params.id);
    if (!resource) return notFound(req, `Resource ${req.params.id}`);
    const users = r.tenantItems(req, 'schemas').filter((schema) => (schema.refs ?? []).includes(resource.$id));
    if (users.length)
      return xdmError(
        req,
        409,
        '1520',
        'Resource in use',
        `${resource.$id} cannot be deleted because schema(s) ${users.map((s) => s.$id).join(', ')} reference it.`,
      );
    r.collectionOf(kind).delete(resource.id);
    return { status: 204 };
  };

// ---- updates (aep-updates.md §3) ------------------------------------------------------------------
// JSON Patch add/replace/remove ("The Schema Registry supports all standard JSON Patch
// operations", field-groups.md), on the parts the docs patch; the result is checked as a create
// is, evolves only additively once a dataset exists, and gets the next minor version ("1.1").
const PATCHABLE: Record<'mixins' | 'schemas', RegExp> = {
  mixins: /^\/(title|description|definitions|allOf|meta:intendedToExtend)(\/|$)/,
  schemas: /^\/(title|description|allOf|meta:extends|meta:immutableTags)(\/|$)/,
};

/** PATCH a field group or schema (JSON Patch), checked as a create and as an evolution. */
export const patchResource =
  (kind: 'mixins' | 'schemas'): Handler =>
  (r, req) => {
    const resource = r.findTenant(req, kind, req.params.id);
    if (!resource) return notFound(req, `Resource ${req.params.id}`);
    const ops = readPatch(req.body);
    if (isFailure(ops)) return badRequest(req, `The request body must be a JSON Patch array: ${ops.message}`);
    const fixed = ops.find(({ path }) => !PATCHABLE[kind].test(path));
    if (fixed) return badRequest(req, `'${fixed.path}' cannot be changed by a PATCH.`);
    const patched = applyPatch(resource, ops);
    if (isFailure(patched)) return badRequest(req, `The JSON Patch cannot be applied: ${patched.message}`);
    const shape =
      r.checkCommon(req, patched, kind, resource) ??
      (kind === 'schemas' ? r.schemaShape(req, patched) : r.fieldGroupShape(req, patched));
    if (isAnswer(shape)) return shape;
    const next: Resource = { ...patched, ...shape };
    const refused =
      (kind === 'schemas' ? r.profileProblem(req, resource, next) : undefined) ??
      r.evolutionProblem(req, kind, resource, next);
    if (refused) return refused;
    restore(resource, {
      ...next,
      version: nextMinor(resource.version),
      'meta:registryMetadata': r.modified(resource, req.caller!),
    });
    return { status: 200, body: present(resource) };
  };
