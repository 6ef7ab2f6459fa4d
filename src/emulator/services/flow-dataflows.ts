// TODO(stub): filled in by its owner.
import type { Router } from '../router.js';
import type { ServiceContext } from './context.js';

export function registerFlowDataflows(_router: Router, _ctx: ServiceContext): void {}
