// Schema Registry (aep-api.md §5.1–5.2, rulings 1 and 8, schema-registry.yaml): stats, the global
// container (Adobe's standard classes and field groups, built-in data in ../xdm-classes.ts), the
// tenant container (classes, field groups, schemas, identity descriptors, stored per org and
// sandbox), Accept-header rules, property filters and orderby/start/limit paging. Rejects what the
// registry rejects: a schema without exactly one class, incompatible or unknown field groups,
// custom fields outside `_<tenantId>`, duplicate titles, descriptors on missing fields, deleting a
// schema a dataset uses. Updates (aep-updates.md §3): JSON Patch on field groups and schemas,
// additive only once a dataset exists (../schema-evolution.ts), and descriptor PUT. Error codes XDM-1006/1007/1008/1009-400 and XDM-1012-404 are Adobe's
// (spec examples); the other XDM codes are the emulator's own, in the same shape.
import { header } from '../gateway.js';
import { parsePropertyFilters } from '../query.js';
import type { Caller, EmuRequest, EmuResponse, Router } from '../router.js';
import { applyPatch, isFailure, readPatch } from '../json-patch.js';
import { breakingChanges, signatures } from '../schema-evolution.js';
import { hexId, restore, type Resource } from '../state.js';
import {
  BEHAVIORS,
  STANDARD_NAMESPACES,
  TIME_SERIES_BEHAVIOR,
  definitionsTree,
  flattenFields,
  invalidFieldDefinition,
  resourceTree,
  schemaFields,
  schemaTree,
  schemaTreeOf,
  standardClasses,
  standardFieldGroups,
  treeToProperties,
  type StandardResource,
} from '../xdm-classes.js';
import type { ServiceContext } from './context.js';

export { schemaFieldPaths } from '../xdm-classes.js';

export const SR = '/data/foundation/schemaregistry';
const HOST = 'https://platform.adobe.io';
/**
 * "When listing resources, the Schema Registry limits result sets to 300 items": the most one page
 * holds, with or without `limit` (which may ask for up to 500, as a hint).
 * https://github.com/AdobeDocs/experience-platform.en/blob/main/help/xdm/api/schemas.md#list
 */
const LIST_CAP = 300;

type Kind = 'classes' | 'mixins' | 'schemas';

/** Adobe's registry error body: type XDM-<code>-<status>, report with registryRequestId. */
export function xdmError(req: EmuRequest, status: number, code: string, title: string, message: string): EmuResponse {
  return {
    status,
    body: {
      type: `http://ns.adobe.com/aep/errors/XDM-${code}-${status}`,
      title,
      status,
      report: {
        registryRequestId: req.requestId,
        timestamp: new Date().toISOString(),
        'detailed-message': message,
        'sub-errors': [],
      },
      detail: message,
    },
    headers: { 'x-request-id': req.requestId },
  };
}

const badRequest = (req: EmuRequest, message: string) => xdmError(req, 400, '1000', 'Bad Request', message);

export function registerSchemaRegistry(router: Router, ctx: ServiceContext): void {
  const { state } = ctx;
  const hasB2B = ctx.options.hasB2BClasses ?? true;

  // ---- scoping and lookups -------------------------------------------------------------------
  const visible = (resource: Resource | undefined, caller: Caller) =>
    !!resource && resource.imsOrgId === caller.orgId && resource.sandboxName === caller.sandbox;
  const tenantItems = (req: EmuRequest, kind: Kind) =>
    collectionOf(kind)
      .all()
      .filter((item) => visible(item, req.caller!));
  const collectionOf = (kind: Kind) =>
    kind === 'classes' ? state.classes : kind === 'mixins' ? state.fieldGroups : state.schemas;
  const globalItems = (req: EmuRequest, kind: Kind): Resource[] =>
    kind === 'schemas'
      ? []
      : (kind === 'classes' ? standardClasses(hasB2B) : standardFieldGroups(hasB2B)).map((resource) =>
          presentStandard(resource, req.caller!),
        );

  /** By `$id` (URL-decoded by the router) or `meta:altId`. */
  const findTenant = (req: EmuRequest, kind: Kind, key: string) =>
    tenantItems(req, kind).find((item) => item.$id === key || item['meta:altId'] === key);
  const findGlobal = (req: EmuRequest, kind: Kind, key: string) =>
    globalItems(req, kind).find((item) => item.$id === key || item['meta:altId'] === key);

  /** A class usable in this sandbox: standard (subject to the B2B option) or the tenant's own. */
  const findClass = (req: EmuRequest, id: string) => findGlobal(req, 'classes', id) ?? findTenant(req, 'classes', id);
  const findFieldGroup = (req: EmuRequest, id: string) =>
    findGlobal(req, 'mixins', id) ?? findTenant(req, 'mixins', id);

  // ---- stats ---------------------------------------------------------------------------------
  router.on('GET', `${SR}/stats`, (req) => {
    const caller = req.caller!;
    const schemas = tenantItems(req, 'schemas');
    const all = [...schemas, ...tenantItems(req, 'mixins'), ...tenantItems(req, 'classes')];
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
        tenantId: state.tenantId(caller.orgId),
        counts: {
          schemas: schemas.length,
          mixins: tenantItems(req, 'mixins').length,
          datatypes: 0,
          classes: tenantItems(req, 'classes').length,
          unions: new Set(schemas.filter(isUnion).map((schema) => schema['meta:class'])).size,
        },
        recentlyCreatedResources: recent('repo:createdDate'),
        recentlyUpdatedResources: recent('repo:lastModifiedDate'),
        classUsage,
      },
    };
  });

  // ---- lists and lookups (both containers) -----------------------------------------------------
  const routes: Array<[string, Kind]> = [
    ['classes', 'classes'],
    ['fieldgroups', 'mixins'],
    ['mixins', 'mixins'], // the deprecated alias, still served by Adobe
    ['schemas', 'schemas'],
  ];
  for (const [segment, kind] of routes) {
    router.on('GET', `${SR}/:container/${segment}`, (req) => {
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
      const items = (container === 'global' ? globalItems(req, kind) : tenantItems(req, kind)).map(present);
      return listResponse(
        req,
        items,
        accept === 'xed-id' ? summary : (item) => item,
        `${SR}/${container}/${segment}`,
        kind === 'schemas',
      );
    });

    router.on('GET', `${SR}/:container/${segment}/:id`, (req) => {
      const container = req.params.container;
      const accept = lookupAccept(req);
      if (typeof accept !== 'string') return accept;
      const found =
        container === 'global'
          ? findGlobal(req, kind, req.params.id)
          : container === 'tenant'
            ? findTenant(req, kind, req.params.id)
            : undefined;
      if (!found)
        return xdmError(
          req,
          404,
          '1012',
          'Resource Not Found',
          `Requested resource ${req.params.id} with version 1 is not found`,
        );
      return { status: 200, body: render(found, accept) };
    });
  }

  /** `-full` adds the resolved `properties`; `-notext` drops titles and descriptions. */
  const render = (resource: Resource, accept: string): Resource => {
    let body = present(resource);
    if (accept.includes('full')) {
      const tree =
        resource['meta:resourceType'] === 'schemas'
          ? schemaTree(state, resource.$id)
          : (resource.fields ?? resourceTree(state, resource.$id));
      const { allOf: _allOf, definitions: _definitions, ...rest } = body;
      body = { ...rest, properties: treeToProperties(tree ?? {}) } as Resource;
    }
    return accept.includes('notext')
      ? (stripText(body) as Resource)
      : accept.includes('desc')
        ? (stripTitles(body) as Resource)
        : body;
  };

  // ---- creates ---------------------------------------------------------------------------------
  router.on('POST', `${SR}/tenant/classes`, (req) => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const problem = checkCommon(req, body, 'classes');
    if (problem) return problem;
    const refs = refsOf(body);
    const behavior = refs.filter((ref) => BEHAVIORS.includes(ref));
    if (behavior.length !== 1)
      return badRequest(req, `A class must reference exactly one behavior in allOf (${BEHAVIORS.join(' or ')}).`);
    const definitionsProblem = checkTenantFields(req, body);
    if (definitionsProblem) return definitionsProblem;
    const created = store(req, 'classes', body, {
      'meta:extends': [behavior[0]],
      'meta:extensible': true,
      'meta:abstract': true,
      definitions: body.definitions ?? {},
      allOf: refs.map(allOfEntry),
    });
    return { status: 201, body: present(created) };
  });

  const createFieldGroup = (req: EmuRequest): EmuResponse => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const shape = checkCommon(req, body, 'mixins') ?? fieldGroupShape(req, body);
    if (isAnswer(shape)) return shape;
    return { status: 201, body: present(store(req, 'mixins', body, shape)) };
  };
  router.on('POST', `${SR}/tenant/fieldgroups`, createFieldGroup);
  router.on('POST', `${SR}/tenant/mixins`, createFieldGroup);

  router.on('POST', `${SR}/tenant/schemas`, (req) => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const shape = checkCommon(req, body, 'schemas') ?? profileProblem(req, undefined, body) ?? schemaShape(req, body);
    if (isAnswer(shape)) return shape;
    return { status: 201, body: present(store(req, 'schemas', body, shape)) };
  });

  // ---- deletes ---------------------------------------------------------------------------------
  router.on('DELETE', `${SR}/tenant/schemas/:id`, (req) => {
    const schema = findTenant(req, 'schemas', req.params.id);
    if (!schema) return xdmError(req, 404, '1010', 'Resource Not Found', `Resource ${req.params.id} is not found.`);
    // "Deleting the schema" and "Disabling the schema from participating in Profile" are breaking
    // changes (composition.md): a Profile-enabled schema stays (ruling 16). The status is UNVERIFIED.
    if (isUnion(schema))
      return badRequest(
        req,
        `Schema ${schema.$id} is enabled for Profile (meta:immutableTags: union) and cannot be deleted.`,
      );
    const datasets = state.dataSets.all().filter((ds) => visible(ds, req.caller!) && ds.schemaRef?.id === schema.$id);
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
    state.schemas.delete(schema.id);
    // Descriptors describe the schema and go with it.
    for (const descriptor of state.descriptors.all())
      if (descriptor['xdm:sourceSchema'] === schema.$id && visible(descriptor, req.caller!))
        state.descriptors.delete(descriptor.id);
    return { status: 204 };
  });

  for (const [segment, kind] of [
    ['fieldgroups', 'mixins'],
    ['mixins', 'mixins'],
    ['classes', 'classes'],
  ] as Array<[string, Kind]>) {
    router.on('DELETE', `${SR}/tenant/${segment}/:id`, (req) => {
      const resource = findTenant(req, kind, req.params.id);
      if (!resource) return xdmError(req, 404, '1010', 'Resource Not Found', `Resource ${req.params.id} is not found.`);
      const users = tenantItems(req, 'schemas').filter((schema) => (schema.refs ?? []).includes(resource.$id));
      if (users.length)
        return xdmError(
          req,
          409,
          '1520',
          'Resource in use',
          `${resource.$id} cannot be deleted because schema(s) ${users.map((s) => s.$id).join(', ')} reference it.`,
        );
      collectionOf(kind).delete(resource.id);
      return { status: 204 };
    });
  }

  // ---- updates (aep-updates.md §3) ------------------------------------------------------------------
  // JSON Patch add/replace/remove ("The Schema Registry supports all standard JSON Patch
  // operations", field-groups.md), on the parts the docs patch; the result is checked as a create
  // is, evolves only additively once a dataset exists, and gets the next minor version ("1.1").
  const PATCHABLE: Record<'mixins' | 'schemas', RegExp> = {
    mixins: /^\/(title|description|definitions|allOf|meta:intendedToExtend)(\/|$)/,
    schemas: /^\/(title|description|allOf|meta:extends|meta:immutableTags)(\/|$)/,
  };

  const patchResource =
    (kind: 'mixins' | 'schemas') =>
    (req: EmuRequest): EmuResponse => {
      const resource = findTenant(req, kind, req.params.id);
      if (!resource) return xdmError(req, 404, '1010', 'Resource Not Found', `Resource ${req.params.id} is not found.`);
      const ops = readPatch(req.body);
      if (isFailure(ops)) return badRequest(req, `The request body must be a JSON Patch array: ${ops.message}`);
      const fixed = ops.find(({ path }) => !PATCHABLE[kind].test(path));
      if (fixed) return badRequest(req, `'${fixed.path}' cannot be changed by a PATCH.`);
      const patched = applyPatch(resource, ops);
      if (isFailure(patched)) return badRequest(req, `The JSON Patch cannot be applied: ${patched.message}`);
      const shape =
        checkCommon(req, patched, kind, resource) ??
        (kind === 'schemas' ? schemaShape(req, patched) : fieldGroupShape(req, patched));
      if (isAnswer(shape)) return shape;
      const next: Resource = { ...patched, ...shape };
      const refused =
        (kind === 'schemas' ? profileProblem(req, resource, next) : undefined) ??
        evolutionProblem(req, kind, resource, next);
      if (refused) return refused;
      restore(resource, {
        ...next,
        version: nextMinor(resource.version),
        'meta:registryMetadata': modified(resource, req.caller!),
      });
      return { status: 200, body: present(resource) };
    };
  router.on('PATCH', `${SR}/tenant/fieldgroups/:id`, patchResource('mixins'));
  router.on('PATCH', `${SR}/tenant/mixins/:id`, patchResource('mixins'));
  router.on('PATCH', `${SR}/tenant/schemas/:id`, patchResource('schemas'));

  /**
   * Refuses a breaking change to a resource used by a schema that has a dataset or is enabled for
   * Profile: "You can only introduce a breaking change to a schema if it has not yet been used to
   * ingest data into Experience Platform and hasn't been enabled for use in Real-Time Customer
   * Profile" (composition.md; see schema-evolution.ts).
   */
  function evolutionProblem(
    req: EmuRequest,
    kind: 'mixins' | 'schemas',
    before: Resource,
    after: Resource,
  ): EmuResponse | undefined {
    const schemas =
      kind === 'schemas'
        ? [before]
        : tenantItems(req, 'schemas').filter((schema) => (schema.refs ?? []).includes(before.$id));
    const withData = schemas.filter(
      (schema) =>
        isUnion(schema) ||
        state.dataSets.all().some((ds) => visible(ds, req.caller!) && ds.schemaRef?.id === schema.$id),
    );
    if (!withData.length) return undefined;
    const fields = (resource: Resource) =>
      kind === 'schemas'
        ? signatures(schemaTreeOf(state, resource))
        : signatures(definitionsTree(resource), resource.definitions);
    const changes = breakingChanges(fields(before), fields(after));
    if (!changes.length) return undefined;
    const users = withData.map((schema) => schema.$id).join(', ');
    return badRequest(
      req,
      `Once a dataset exists for a schema, or it is enabled for Profile, only additive changes are allowed, and that applies to schema ${users}: ${changes.join('; ')}.`,
    );
  }

  // ---- Profile (aep-api.md ruling 16) ------------------------------------------------------------
  /** A primary identity descriptor on the schema: what Profile needs first. */
  const hasPrimaryIdentity = (req: EmuRequest, schema: Resource) =>
    state.descriptors
      .all()
      .some(
        (d) =>
          visible(d, req.caller!) &&
          d['@type'] === 'xdm:descriptorIdentity' &&
          d['xdm:sourceSchema'] === schema.$id &&
          d['xdm:isPrimary'] === true,
      );

  /**
   * `meta:immutableTags` on a create or PATCH (schemas.md, "Enable a schema for use in Real-Time
   * Customer Profile"): only `union` exists; adding it needs a primary identity descriptor first;
   * "Immutable tags are tags that are intended to be set, but never removed."
   */
  function profileProblem(
    req: EmuRequest,
    before: Resource | undefined,
    after: Record<string, any>,
  ): EmuResponse | undefined {
    const tags = after['meta:immutableTags'];
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => tag !== 'union')))
      return badRequest(
        req,
        `'meta:immutableTags' must be an array whose only tag is 'union'; got ${JSON.stringify(tags)}.`,
      );
    if (before && isUnion(before) && !isUnion(after)) {
      return badRequest(
        req,
        `Schema ${before.$id} is enabled for Profile: immutable tags are intended to be set, but never removed, so 'union' cannot be removed from meta:immutableTags.`,
      );
    }
    if (isUnion(after) && !(before && isUnion(before)) && !(before && hasPrimaryIdentity(req, before))) {
      return badRequest(
        req,
        `A schema must have a primary identity before it can be enabled for Profile: add an identity descriptor with xdm:isPrimary true to ${before?.$id ?? 'the schema'}, then the union tag.`,
      );
    }
    return undefined;
  }

  // ---- descriptors -----------------------------------------------------------------------------
  router.on('POST', `${SR}/tenant/descriptors`, (req) => {
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const problem = checkDescriptor(req, body);
    if (problem) return problem;
    const id = hexId(20);
    const descriptor = state.descriptors.add({
      ...descriptorRecord(req, body, id),
      'meta:registryMetadata': registryMetadata(req.caller!, ctx.now()),
    });
    return { status: 201, body: presentDescriptor(descriptor) };
  });

  // No PATCH for descriptors: a PUT rewrites one, "the same as the payload to create (POST)", and
  // answers 201 with its @id (descriptors.md; the spec says 200 with the descriptor).
  router.on('PUT', `${SR}/tenant/descriptors/:id`, (req) => {
    const descriptor = state.descriptors.get(req.params.id);
    if (!visible(descriptor, req.caller!))
      return xdmError(req, 404, '1010', 'Resource Not Found', `Descriptor ${req.params.id} is not found.`);
    const body = objectBody(req);
    if (!body) return badRequest(req, 'The request body must be a JSON object.');
    const problem = checkDescriptor(req, body, descriptor) ?? primaryIdentityProblem(req, descriptor!, body);
    if (problem) return problem;
    restore(descriptor!, {
      ...descriptorRecord(req, body, descriptor!.id),
      'meta:registryMetadata': modified(descriptor!, req.caller!),
    });
    return { status: 201, body: { '@id': descriptor!['@id'] } };
  });

  router.on('GET', `${SR}/:container/descriptors`, (req) => {
    const accept = header(req, 'accept') ?? '';
    const match = /^application\/vnd\.adobe\.xdm(-v2)?(-id|-link)?\+json$/i.exec(accept.replace(/\s/g, ''));
    if (!match)
      return xdmError(
        req,
        400,
        '1008',
        'Accept header invalid',
        `The supplied Accept header is not valid: ${accept || '(none)'} - A valid Accept value should look like application/vnd.adobe.xdm-id+json`,
      );
    const predicates = parsePropertyFilters(req.query);
    if (typeof predicates === 'string') return badRequest(req, predicates);
    const items =
      req.params.container === 'tenant'
        ? state.descriptors
            .all()
            .filter((d) => visible(d, req.caller!))
            .map(presentDescriptor)
            .filter((d) => predicates.every((p) => p(d)))
        : [];
    const form = (d: Resource) =>
      match[2] === '-id' ? d['@id'] : match[2] === '-link' ? `/descriptors/${d['@id']}` : d;
    if (match[1]) return listResponse(req, items, form, `${SR}/${req.params.container}/descriptors`, false);
    const grouped: Record<string, unknown[]> = {};
    for (const descriptor of items) (grouped[descriptor['@type']] ??= []).push(form(descriptor));
    return { status: 200, body: grouped };
  });

  router.on('GET', `${SR}/:container/descriptors/:id`, (req) => {
    // Descriptors are not versioned: no Accept needed, but an xed (schema) Accept is refused.
    const accept = header(req, 'accept') ?? '';
    if (/vnd\.adobe\.xed/i.test(accept))
      return xdmError(
        req,
        400,
        '1009',
        'Accept header invalid',
        `The supplied Accept header is not valid: ${accept} - A valid Accept value should look like application/vnd.adobe.xdm+json`,
      );
    const descriptor = state.descriptors.get(req.params.id);
    if (req.params.container !== 'tenant' || !visible(descriptor, req.caller!))
      return xdmError(req, 404, '1010', 'Resource Not Found', `Descriptor ${req.params.id} is not found.`);
    return { status: 200, body: presentDescriptor(descriptor!) };
  });

  router.on('DELETE', `${SR}/tenant/descriptors/:id`, (req) => {
    const descriptor = state.descriptors.get(req.params.id);
    if (!visible(descriptor, req.caller!))
      return xdmError(req, 404, '1010', 'Resource Not Found', `Descriptor ${req.params.id} is not found.`);
    const refused = primaryIdentityProblem(req, descriptor!);
    if (refused) return refused;
    state.descriptors.delete(req.params.id);
    return { status: 204 };
  });

  // ---- helpers that need the context -------------------------------------------------------------

  /** Ruling 1: type object, title and description required; titles unique per resource type and sandbox. */
  function checkCommon(
    req: EmuRequest,
    body: Record<string, any>,
    kind: Kind,
    self?: Resource,
  ): EmuResponse | undefined {
    if (body.type !== 'object') return badRequest(req, "'type' is required and must be 'object'.");
    if (typeof body.title !== 'string' || !body.title.trim())
      return badRequest(req, "'title' is required and must be a non-empty string.");
    if (typeof body.description !== 'string') return badRequest(req, "'description' is required and must be a string.");
    if (kind !== 'mixins' || body.allOf !== undefined) {
      if (!Array.isArray(body.allOf) || (kind !== 'mixins' && !refsOf(body).length))
        return badRequest(req, '\'allOf\' is required: an array of { "$ref": "<$id>" } objects.');
    }
    if (
      Array.isArray(body.allOf) &&
      body.allOf.some((part: any) => !part || typeof (part.$ref ?? part['$ref ']) !== 'string')
    )
      return badRequest(req, "Every 'allOf' entry needs a string '$ref'.");
    const clash = tenantItems(req, kind).find((item) => item.title === body.title && item !== self);
    if (clash) {
      return xdmError(
        req,
        409,
        '1521',
        'Unique constraint violation',
        `Title must be unique. An object ${clash.$id} already exists with the same title '${body.title}'.`,
      );
    }
    return undefined;
  }

  /** A field group's class list and fields, checked (on create and after a PATCH); the stored fields they imply. */
  function fieldGroupShape(req: EmuRequest, body: Record<string, any>): EmuResponse | Record<string, unknown> {
    const intended = body['meta:intendedToExtend'];
    if (!Array.isArray(intended) || !intended.length || intended.some((id) => typeof id !== 'string')) {
      return badRequest(
        req,
        "'meta:intendedToExtend' is required: list the $id of each class this field group is compatible with.",
      );
    }
    const unknown = intended.filter((id: string) => !findClass(req, id));
    if (unknown.length)
      return badRequest(req, `Class ${unknown.join(', ')} referenced in 'meta:intendedToExtend' was not found.`);
    const definitionsProblem = checkTenantFields(req, body);
    if (definitionsProblem) return definitionsProblem;
    const refs = refsOf(body);
    return {
      'meta:intendedToExtend': intended,
      'meta:extensible': true,
      'meta:abstract': true,
      definitions: body.definitions ?? {},
      allOf: (refs.length ? refs : Object.keys(body.definitions ?? {}).map((key) => `#/definitions/${key}`)).map(
        allOfEntry,
      ),
    };
  }

  /** A schema's parts, checked (on create and after a PATCH): exactly one class, compatible field groups. */
  function schemaShape(req: EmuRequest, body: Record<string, any>): EmuResponse | Record<string, unknown> {
    const refs = refsOf(body);
    const classes = refs.map((ref) => findClass(req, ref)).filter((found): found is Resource => !!found);
    if (classes.length !== 1) {
      return badRequest(
        req,
        classes.length
          ? `A schema must reference exactly one class; allOf references ${classes.length}: ${classes.map((c) => c.$id).join(', ')}.`
          : 'A schema must reference exactly one existing class in allOf.',
      );
    }
    const schemaClass = classes[0];
    if (body['meta:class'] !== undefined && body['meta:class'] !== schemaClass.$id) {
      return badRequest(
        req,
        `'meta:class' ${body['meta:class']} does not match the class referenced in allOf (${schemaClass.$id}).`,
      );
    }
    const fieldGroupIds: string[] = [];
    for (const ref of refs) {
      if (ref === schemaClass.$id) continue;
      const group = findFieldGroup(req, ref);
      if (!group)
        return xdmError(
          req,
          400,
          '1011',
          'Reference not found',
          `Reference ${ref} in allOf is not a class or field group available in sandbox '${req.caller!.sandbox}'.`,
        );
      if (!(group['meta:intendedToExtend'] ?? []).includes(schemaClass.$id)) {
        return badRequest(
          req,
          `Field group ${ref} is not compatible with class ${schemaClass.$id} (meta:intendedToExtend: ${(group['meta:intendedToExtend'] ?? []).join(', ')}).`,
        );
      }
      fieldGroupIds.push(ref);
    }
    const behavior = schemaClass['meta:extends']?.find((id: string) => BEHAVIORS.includes(id)) ?? schemaClass.behavior;
    return {
      allOf: refs.map(allOfEntry),
      refs,
      'meta:class': schemaClass.$id,
      'meta:extends': [
        ...new Set(
          [schemaClass.$id, behavior, 'https://ns.adobe.com/xdm/common/extensible', ...fieldGroupIds].filter(Boolean),
        ),
      ],
      'meta:extensible': false,
      'meta:abstract': false,
    };
  }

  /** Tenant-defined fields must live under `_<tenantId>` (so they never collide with Adobe's). */
  function checkTenantFields(req: EmuRequest, body: Record<string, any>): EmuResponse | undefined {
    const definitions = body.definitions ?? {};
    if (typeof definitions !== 'object' || Array.isArray(definitions))
      return badRequest(req, "'definitions' must be an object.");
    const namespace = `_${state.tenantId(req.caller!.orgId)}`;
    for (const [key, definition] of Object.entries(definitions as Record<string, any>)) {
      const properties = definition?.properties;
      if (!properties || typeof properties !== 'object')
        return badRequest(req, `definitions.${key} must have 'properties'.`);
      const outside = Object.keys(properties).filter((name) => name !== namespace);
      if (outside.length)
        return badRequest(
          req,
          `Custom fields must be nested under '${namespace}'; found ${outside.map((name) => `'${name}'`).join(', ')} in definitions.${key}.`,
        );
      const invalid = invalidFieldDefinition(properties);
      if (invalid) return badRequest(req, `Invalid field definition in definitions.${key}: ${invalid}.`);
    }
    const leaves = flattenFields(definitionsTree({ id: '', definitions } as Resource));
    if (Object.keys(definitions).length && !leaves.size)
      return badRequest(req, `No fields are defined under '${namespace}'.`);
    return undefined;
  }

  /**
   * The primary identity of a Profile-enabled schema: Profile needs one, so it is not deleted, and
   * "Changing the primary identity field on a schema that is enabled for Profile and has ingested
   * data" is breaking (composition.md); a dataset stands in for ingested data here.
   */
  function primaryIdentityProblem(
    req: EmuRequest,
    descriptor: Resource,
    next?: Record<string, any>,
  ): EmuResponse | undefined {
    if (descriptor['@type'] !== 'xdm:descriptorIdentity' || descriptor['xdm:isPrimary'] !== true) return undefined;
    const schema = findTenant(req, 'schemas', descriptor['xdm:sourceSchema']);
    if (!schema || !isUnion(schema)) return undefined;
    if (next?.['xdm:isPrimary'] !== true || next['xdm:sourceSchema'] !== schema.$id) {
      return badRequest(
        req,
        `Descriptor ${descriptor['@id']} is the primary identity of ${schema.$id}, which is enabled for Profile: it cannot be ${next ? 'made non-primary or moved to another schema' : 'deleted'}.`,
      );
    }
    const same = next['xdm:sourceProperty'] === descriptor['xdm:sourceProperty'];
    const hasData = state.dataSets.all().some((ds) => visible(ds, req.caller!) && ds.schemaRef?.id === schema.$id);
    return same || !hasData
      ? undefined
      : badRequest(
          req,
          `The primary identity of ${schema.$id} cannot change: the schema is enabled for Profile and has a dataset.`,
        );
  }

  /** A descriptor body (POST, or the PUT that rewrites `self`). */
  function checkDescriptor(req: EmuRequest, body: Record<string, any>, self?: Resource): EmuResponse | undefined {
    const types = [
      'xdm:descriptorIdentity',
      'xdm:alternateDisplayInfo',
      'xdm:descriptorReferenceIdentity',
      'xdm:descriptorOneToOne',
      'xdm:descriptorRelationship',
    ];
    if (!types.includes(body['@type'])) return badRequest(req, `'@type' must be one of ${types.join(', ')}.`);
    const schema = findTenant(req, 'schemas', String(body['xdm:sourceSchema'] ?? ''));
    if (!schema || schema.$id !== body['xdm:sourceSchema'])
      return xdmError(
        req,
        400,
        '1011',
        'Reference not found',
        `xdm:sourceSchema ${body['xdm:sourceSchema']} is not a schema $id in sandbox '${req.caller!.sandbox}'.`,
      );
    // The spec types sourceVersion as a string, the docs send an integer (§9): accept both, only version 1 exists.
    if (String(body['xdm:sourceVersion']) !== '1')
      return badRequest(
        req,
        `xdm:sourceVersion must be 1 (the schema's major version); got ${JSON.stringify(body['xdm:sourceVersion'])}.`,
      );
    const pointer = body['xdm:sourceProperty'];
    if (typeof pointer !== 'string' || !pointer.startsWith('/'))
      return badRequest(req, "xdm:sourceProperty must be a JSON pointer such as '/personalEmail/address'.");
    const path = pointer.slice(1).split('/').join('.');
    const fields = schemaFields(state, schema.$id) ?? new Map();
    const isObject = [...fields.keys()].some((leaf) => leaf.startsWith(`${path}.`));
    if (!fields.has(path) && !isObject)
      return badRequest(req, `xdm:sourceProperty ${pointer} does not exist in schema ${schema.$id}.`);
    if (body['@type'] !== 'xdm:descriptorIdentity') return undefined;
    if (fields.get(path) !== 'string') return badRequest(req, `Identity field ${pointer} must be a string field.`);
    const namespace = body['xdm:namespace'];
    const property = body['xdm:property'] ?? 'xdm:code';
    if (property === 'xdm:id') {
      if (!Object.values(STANDARD_NAMESPACES).includes(Number(namespace)))
        return badRequest(req, `Identity namespace id ${namespace} is not a standard namespace.`);
    } else if (property !== 'xdm:code' || typeof namespace !== 'string' || !(namespace in STANDARD_NAMESPACES)) {
      return badRequest(
        req,
        `Identity namespace '${namespace}' is not a standard namespace code (${Object.keys(STANDARD_NAMESPACES).join(', ')}); xdm:property must be xdm:code or xdm:id.`,
      );
    }
    if (body['xdm:isPrimary'] !== undefined && typeof body['xdm:isPrimary'] !== 'boolean')
      return badRequest(req, 'xdm:isPrimary must be a boolean.');
    const existing = state.descriptors
      .all()
      .filter(
        (d) =>
          d !== self &&
          visible(d, req.caller!) &&
          d['@type'] === 'xdm:descriptorIdentity' &&
          d['xdm:sourceSchema'] === schema.$id,
      );
    if (existing.some((d) => d['xdm:sourceProperty'] === pointer))
      return xdmError(
        req,
        409,
        '1521',
        'Unique constraint violation',
        `An identity descriptor already exists for ${pointer} in schema ${schema.$id}.`,
      );
    if (body['xdm:isPrimary'] === true && existing.some((d) => d['xdm:isPrimary']))
      return badRequest(req, `Schema ${schema.$id} already has a primary identity; a schema can have only one.`);
    return undefined;
  }

  /** A descriptor as stored, from a POST or PUT body (registry metadata aside). */
  function descriptorRecord(req: EmuRequest, body: Record<string, any>, id: string): Resource {
    const identity = body['@type'] === 'xdm:descriptorIdentity';
    return {
      id,
      '@id': id,
      ...body,
      'xdm:sourceVersion': Number(body['xdm:sourceVersion']),
      ...(identity
        ? { 'xdm:property': body['xdm:property'] ?? 'xdm:code', 'xdm:isPrimary': body['xdm:isPrimary'] === true }
        : {}),
      imsOrg: req.caller!.orgId,
      version: '1',
      'meta:containerId': 'tenant',
      'meta:sandboxId': sandboxId(req.caller!),
      'meta:sandboxType': req.caller!.sandbox === 'prod' ? 'production' : 'development',
      imsOrgId: req.caller!.orgId,
      sandboxName: req.caller!.sandbox,
    };
  }

  /** The registry metadata of an update: same creation, new modification and eTag. */
  function modified(resource: Resource, caller: Caller): Record<string, unknown> {
    const fresh = registryMetadata(caller, ctx.now());
    const {
      'repo:createdDate': created,
      'xdm:createdClientId': client,
      'xdm:createdUserId': user,
    } = resource['meta:registryMetadata'] ?? fresh;
    return { ...fresh, 'repo:createdDate': created, 'xdm:createdClientId': client, 'xdm:createdUserId': user };
  }

  /** Stores a tenant class, field group or schema with the registry's ids and metadata. */
  function store(req: EmuRequest, kind: Kind, body: Record<string, any>, extra: Record<string, unknown>): Resource {
    const caller = req.caller!;
    const tenant = state.tenantId(caller.orgId);
    const hash = hexId(16);
    const $id = `https://ns.adobe.com/${tenant}/${kind}/${hash}`;
    const now = ctx.now();
    const resource: Resource = {
      id: $id,
      $id,
      'meta:altId': `_${tenant}.${kind}.${hash}`,
      'meta:resourceType': kind,
      version: '1.0',
      title: body.title,
      type: 'object',
      description: body.description,
      ...extra,
      imsOrg: caller.orgId,
      'meta:xdmType': 'object',
      'meta:registryMetadata': registryMetadata(caller, now),
      'meta:containerId': 'tenant',
      'meta:sandboxId': sandboxId(caller),
      'meta:sandboxType': caller.sandbox === 'prod' ? 'production' : 'development',
      'meta:tenantNamespace': `_${tenant}`,
      imsOrgId: caller.orgId,
      sandboxName: caller.sandbox,
    };
    collectionOf(kind).add(resource);
    return resource;
  }

  /**
   * Paging per the registry: orderby (required for limit/start), `_page.next` = the page's last
   * primary sort value (null on the last page), `start` = entries strictly after it; `limit` is a
   * hint from 0 to 500, "smaller or larger as constrained by the need to provide the reliable
   * operation of the start parameter": a page never ends inside a run of equal sort values, which
   * `start` would skip. `_links.next` is a plain URI string (the spec's linksBasic), or null.
   * https://github.com/AdobeDocs/experience-platform.en/blob/main/help/xdm/api/appendix.md#paging
   */
  function listResponse(
    req: EmuRequest,
    items: Resource[],
    form: (item: Resource) => unknown,
    path: string,
    schemaLinks: boolean,
  ): EmuResponse {
    const predicates = parsePropertyFilters(req.query);
    if (typeof predicates === 'string') return badRequest(req, predicates);
    let matched = items.filter((item) => predicates.every((p) => p(item)));
    const orderby = req.query.get('orderby');
    const limitText = req.query.get('limit');
    const start = req.query.get('start');
    if ((limitText !== null || start !== null) && !orderby)
      return badRequest(req, "The 'limit' and 'start' parameters can only be used together with 'orderby'.");
    const limit = limitText === null ? LIST_CAP : Number(limitText);
    if (!Number.isInteger(limit) || limit < 0 || limit > 500)
      return badRequest(req, `Invalid limit '${limitText}'. Provide an integer from 0 to 500.`);
    const keys = (orderby ?? '')
      .split(',')
      .filter(Boolean)
      .map((key) => ({ field: key.replace(/^[-+]/, ''), sign: key.startsWith('-') ? -1 : 1 }));
    if (keys.length) {
      matched = [...matched].sort((a, b) => {
        for (const { field, sign } of keys) {
          const x = sortValue(a, field);
          const y = sortValue(b, field);
          if (x !== y) return x > y ? sign : -sign;
        }
        return 0;
      });
      if (start !== null) {
        const { field, sign } = keys[0];
        matched = matched.filter((item) =>
          sign > 0 ? sortValue(item, field) > start : sortValue(item, field) < start,
        );
      }
    }
    let size = Math.min(limit, LIST_CAP);
    if (keys.length && size > 0) {
      const last = (n: number) => sortValue(matched[n - 1], keys[0].field);
      while (size < matched.length && sortValue(matched[size], keys[0].field) === last(size)) size++;
    }
    const page = matched.slice(0, size);
    const more = matched.length > page.length && page.length > 0;
    const nextStart = more && keys.length ? sortValue(page[page.length - 1], keys[0].field) : null;
    let next: string | null = null;
    if (nextStart !== null) {
      const query = new URLSearchParams(req.query);
      query.set('start', String(nextStart));
      next = `${HOST}${path}?${query.toString()}`;
    }
    const links: Record<string, unknown> = { next };
    if (schemaLinks) links.global_schemas = { href: `${HOST}${SR}/global/schemas` };
    return {
      status: 200,
      body: {
        results: page.map(form),
        _page: { ...(orderby ? { orderby } : {}), next: nextStart, count: page.length },
        _links: links,
      },
    };
  }
}

// ---- pure helpers ---------------------------------------------------------------------------------

/** The stored resource without the emulator's own fields (scoping, built-in field trees). */
function present(resource: Resource): Resource {
  const { id: _id, imsOrgId: _o, sandboxName: _s, fields: _f, ...rest } = resource;
  return rest as Resource;
}

function presentDescriptor(descriptor: Resource): Resource {
  const { id: _id, imsOrgId: _o, sandboxName: _s, ...rest } = descriptor;
  return rest as Resource;
}

/** A standard class or field group as the global container returns it. */
function presentStandard(resource: StandardResource, caller: Caller): Resource {
  const dotted = resource.$id.replace(/^https:\/\/ns\.adobe\.com\//, '').replace(/\//g, '.');
  const definitionName = resource.$id.split('/').pop()!;
  const isClass = resource.kind === 'classes';
  return {
    id: resource.$id,
    $id: resource.$id,
    'meta:altId': `_${dotted}`,
    'meta:resourceType': resource.kind,
    version: '1.48.2',
    title: resource.title,
    type: 'object',
    description: resource.description,
    definitions: { [definitionName]: { properties: treeToProperties(resource.fields) } },
    allOf: [...(isClass ? [resource.behavior!] : []), `#/definitions/${definitionName}`].map(allOfEntry),
    'meta:extensible': true,
    'meta:abstract': true,
    ...(isClass
      ? { 'meta:extends': [resource.behavior!, 'https://ns.adobe.com/xdm/common/extensible'] }
      : { 'meta:intendedToExtend': resource.intendedToExtend }),
    ...(isClass && resource.behavior === TIME_SERIES_BEHAVIOR ? { 'meta:timeSeries': true } : {}),
    'meta:xdmType': 'object',
    'meta:status': 'stable',
    $schema: 'http://json-schema.org/draft-06/schema#',
    'meta:registryMetadata': {
      'repo:createdDate': 1635361816945,
      'repo:lastModifiedDate': 1635361816945,
      eTag: 'global',
      'meta:globalLibVersion': '1.48.2',
    },
    'meta:containerId': 'global',
    'meta:sandboxId': sandboxId(caller),
    // Kept internally for xed-full rendering; stripped by render().
    fields: resource.fields,
  };
}

function summary(item: Resource): Record<string, unknown> {
  return { $id: item.$id, 'meta:altId': item['meta:altId'], version: item.version, title: item.title };
}

function registryMetadata(caller: Caller, now: number): Record<string, unknown> {
  return {
    'repo:createdDate': now,
    'repo:lastModifiedDate': now,
    'xdm:createdClientId': caller.clientId,
    'xdm:lastModifiedClientId': caller.clientId,
    'xdm:createdUserId': `${caller.clientId}@AdobeID`,
    'xdm:lastModifiedUserId': `${caller.clientId}@AdobeID`,
    eTag: hexId(32),
    'meta:globalLibVersion': '1.48.2',
  };
}

const sandboxId = (caller: Caller) => `sandbox-${caller.sandbox}`;

function allOfEntry(ref: string): Record<string, string> {
  return { $ref: ref, type: 'object', 'meta:xdmType': 'object' };
}

/** The `$ref`s of `allOf` (Adobe's own examples sometimes spell the key "$ref " with a space). */
function refsOf(body: Record<string, any>): string[] {
  return (Array.isArray(body.allOf) ? body.allOf : [])
    .map((part: any) => part?.$ref ?? part?.['$ref '])
    .filter((ref: unknown): ref is string => typeof ref === 'string');
}

/** "1.0" → "1.1" → "1.2": each update of a schema or field group (schemas.md, field-groups.md examples). */
function nextMinor(version: unknown): string {
  const [major = '1', minor = '0'] = String(version ?? '1.0').split('.');
  return `${major}.${Number(minor) + 1}`;
}

/** Enabled for Profile: `meta:immutableTags` holds `union` (schemas.md). */
const isUnion = (schema: Record<string, any>) =>
  Array.isArray(schema['meta:immutableTags']) && schema['meta:immutableTags'].includes('union');

/** A check's refusal, as opposed to the fields it would store. */
const isAnswer = (value: EmuResponse | Record<string, unknown>): value is EmuResponse =>
  typeof value.status === 'number';

function objectBody(req: EmuRequest): Record<string, any> | undefined {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body)
    ? (req.body as Record<string, any>)
    : undefined;
}

function sortValue(item: Resource, field: string): string {
  const value =
    field === 'updated'
      ? item['meta:registryMetadata']?.['repo:lastModifiedDate']
      : field === 'created'
        ? item['meta:registryMetadata']?.['repo:createdDate']
        : item[field];
  return typeof value === 'number' ? String(value).padStart(16, '0') : String(value ?? '');
}

/**
 * Lists take `application/vnd.adobe.xed-id+json` or `application/vnd.adobe.xed+json`, no version;
 * `xdm` in place of `xed` alike, as the registry's own error text allows ("application/vnd.adobe.
 * '{xed|xdm'}+json") and clients send (aepp's schema.py: xdm-id+json, xdm-full+json; version=1).
 * Adobe's Accept table: help/xdm/api/getting-started.md#accept.
 */
function listAccept(req: EmuRequest): 'xed-id' | 'xed' | EmuResponse {
  const accept = (header(req, 'accept') ?? '').replace(/\s/g, '').toLowerCase();
  if (accept === 'application/vnd.adobe.xed-id+json' || accept === 'application/vnd.adobe.xdm-id+json') return 'xed-id';
  if (accept === 'application/vnd.adobe.xed+json' || accept === 'application/vnd.adobe.xdm+json') return 'xed';
  return xdmError(
    req,
    400,
    '1006',
    'Accept header invalid',
    `The supplied Accept header is not valid: ${header(req, 'accept') ?? '(none)'} - A valid Accept value should look like application/vnd.adobe.'{xed|xdm'}+json`,
  );
}

/** Lookups need a format (xed or xdm, see listAccept) and `version=<major>`; a version the resource lacks is 406. */
function lookupAccept(req: EmuRequest): string | EmuResponse {
  const raw = header(req, 'accept') ?? '';
  const match =
    /^application\/vnd\.adobe\.(?:xed|xdm)((?:-full|-notext|-full-notext|-full-desc)?)\+json(?:;version=([^;]+))?$/i.exec(
      raw.replace(/\s/g, ''),
    );
  if (!match?.[2]) {
    return xdmError(
      req,
      400,
      '1007',
      'Accept header invalid',
      `The supplied Accept header is not valid: ${raw || '(none)'} - A valid Accept value should look like application/vnd.adobe.'{xed|xdm'}+json; version=1 (Version should be specified)`,
    );
  }
  if (!/^1(\.\d+)?$/.test(match[2]))
    return xdmError(
      req,
      406,
      '1013',
      'Not Acceptable',
      `The requested version ${match[2]} is not available for this resource; its major version is 1.`,
    );
  return `xed${match[1].toLowerCase()}`;
}

function stripText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripText);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'title' && key !== 'description')
      .map(([key, v]) => [key, stripText(v)]),
  );
}

function stripTitles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripTitles);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'title')
      .map(([key, v]) => [key, stripTitles(v)]),
  );
}
