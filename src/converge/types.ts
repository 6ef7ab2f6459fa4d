// The plain data the core passes between its four phases (observe → desire → plan → apply).
// Nothing here sends a request or touches a file.
import type { PlatformRequest } from '../http/platform.js';

/** Every kind of resource aep-zoho manages; the state file's keys. */
export type Kind =
  | 'connection'
  | 'class'
  | 'fieldGroup'
  | 'schema'
  | 'descriptor'
  | 'dataset'
  | 'sourceConnection'
  | 'targetConnection'
  | 'mappingSet'
  | 'flow';

/**
 * A value known only once another step has run: the id (or new version, or etag) of the resource
 * at `key`. Desire writes them; plan resolves those of resources that exist; apply the rest.
 */
export class Ref {
  constructor(
    readonly key: string,
    readonly field: 'id' | 'version' = 'id',
  ) {}
  /** How a plan prints it: `<new accounts/schema id>`. */
  toJSON(): string {
    return `<${this.field === 'id' ? 'new' : 'next'} ${this.key} ${this.field}>`;
  }
  /** In a path (a Profile update of a schema made in the same run), resolved by apply. */
  toString(): string {
    return this.toJSON();
  }
}

/** What a template (or connect) asks for: one resource, its create body as a value. */
export interface Desired {
  /** Unique in a run: `<template>/<kind>`, or `connection`. */
  key: string;
  kind: Kind;
  template?: string;
  name: string;
  body: Record<string, unknown>;
  /** Keys this resource's body refers to (their ids must exist first). */
  dependsOn: string[];
  /** Facts the planner compares that are not part of the body (e.g. an explicit --start). */
  facts?: Record<string, unknown>;
}

/** A resource as Adobe answered, found by the id in the state or by our name. */
export interface Actual {
  id: string;
  name: string;
  etag?: string;
  resource: Record<string, any>;
  /** Other resources carrying the same name of ours (reported, never used). */
  duplicates?: string[];
  /** Younger resources with our name and marker (two machines created at once): retired by the plan. */
  retirable?: Actual[];
}

export interface Change {
  field: string;
  from?: unknown;
  to?: unknown;
}

export type Action = 'create' | 'reuse' | 'update' | 'replace' | 'delete';

/** One line of the plan: what happens to one resource, with exactly the requests apply sends. */
export interface Step {
  key: string;
  kind: Kind;
  template?: string;
  action: Action;
  name: string;
  /** The existing resource (reuse, update, replace, delete). */
  id?: string;
  /** An update of a resource this run makes (no `id` yet): its requests' paths name it by this Ref. */
  target?: Ref;
  etag?: string;
  changes?: Change[];
  /** Why a replace is needed ("forces replacement: …"). */
  reason?: string;
  /** Other resources carrying our name (the one used is `id`): reported, never touched. */
  duplicates?: string[];
  /** Things the user should know that change nothing (a field that stays in the field group). */
  notes?: string[];
  /** In order; Refs inside are resolved by apply. */
  requests: PlatformRequest[];
  dependsOn: string[];
  /** replace of a kind whose old resource is renamed aside and kept: its new name. */
  aside?: string;
  /**
   * replace: how the old resource goes once its successor runs (after these keys), and what puts
   * it back when Adobe refuses the successor (`undo`: the old flow enabled again).
   */
  retire?: { name: string; requests: PlatformRequest[]; after: string[]; undo?: PlatformRequest[] };
}

/** What a step produced: the id to refer to, and the etag/version a later request needs. */
export interface Outcome {
  id: string;
  etag?: string;
  version?: number;
}
