// Descriptors (identity, relationship, display): create, rewrite by PUT, list, look up and delete in the
// tenant container. Each handler takes the registry (registry.ts) and the request.
import { parsePropertyFilters } from '../../query.js';
import type { EmuRequest, EmuResponse } from '../../router.js';
import { hexId, restore, type Resource } from '../../state.js';
import type { Registry } from './registry.js';
import {
  badRequest,
  descriptorListAccept,
  descriptorLookupAccept,
  listResponse,
  notFound,
  objectBody,
  presentDescriptor,
  registryMetadata,
  SR,
} from './xdm.js';

export function createDescriptor(r: Registry, req: EmuRequest): EmuResponse {
  const body = objectBody(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object.');
  const problem = r.checkDescriptor(req, body);
  if (problem) return problem;
  const id = hexId(20);
  const descriptor = r.state.descriptors.add({
    ...r.descriptorRecord(req, body, id),
    'meta:registryMetadata': registryMetadata(req.caller!, r.now()),
  });
  return { status: 201, body: presentDescriptor(descriptor) };
}

// No PATCH for descriptors: a PUT rewrites one, "the same as the payload to create (POST)", and
// answers 201 with its @id (descriptors.md; the spec says 200 with the descriptor).
export function putDescriptor(r: Registry, req: EmuRequest): EmuResponse {
  const descriptor = r.state.descriptors.get(req.params.id);
  if (!r.visible(descriptor, req.caller!)) return notFound(req, `Descriptor ${req.params.id}`);
  const body = objectBody(req);
  if (!body) return badRequest(req, 'The request body must be a JSON object.');
  const problem = r.checkDescriptor(req, body, descriptor) ?? r.primaryIdentityProblem(req, descriptor!, body);
  if (problem) return problem;
  restore(descriptor!, {
    ...r.descriptorRecord(req, body, descriptor!.id),
    'meta:registryMetadata': r.modified(descriptor!, req.caller!),
  });
  return { status: 201, body: { '@id': descriptor!['@id'] } };
}

export function listDescriptors(r: Registry, req: EmuRequest): EmuResponse {
  const accept = descriptorListAccept(req);
  if ('status' in accept) return accept;
  const predicates = parsePropertyFilters(req.query);
  if (typeof predicates === 'string') return badRequest(req, predicates);
  const items =
    req.params.container === 'tenant'
      ? r.state.descriptors
          .all()
          .filter((d) => r.visible(d, req.caller!))
          .map(presentDescriptor)
          .filter((d) => predicates.every((p) => p(d)))
      : [];
  const form = (d: Resource) =>
    accept.form === '-id' ? d['@id'] : accept.form === '-link' ? `/descriptors/${d['@id']}` : d;
  if (accept.paged) return listResponse(req, items, form, `${SR}/${req.params.container}/descriptors`, false);
  const grouped: Record<string, unknown[]> = {};
  for (const descriptor of items) (grouped[descriptor['@type']] ??= []).push(form(descriptor));
  return { status: 200, body: grouped };
}

export function getDescriptor(r: Registry, req: EmuRequest): EmuResponse {
  const refused = descriptorLookupAccept(req);
  if (refused) return refused;
  const descriptor = r.state.descriptors.get(req.params.id);
  if (req.params.container !== 'tenant' || !r.visible(descriptor, req.caller!))
    return notFound(req, `Descriptor ${req.params.id}`);
  return { status: 200, body: presentDescriptor(descriptor!) };
}

export function deleteDescriptor(r: Registry, req: EmuRequest): EmuResponse {
  const descriptor = r.state.descriptors.get(req.params.id);
  if (!r.visible(descriptor, req.caller!)) return notFound(req, `Descriptor ${req.params.id}`);
  const refused = r.primaryIdentityProblem(req, descriptor!);
  if (refused) return refused;
  r.state.descriptors.delete(req.params.id);
  return { status: 204 };
}
