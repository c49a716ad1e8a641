export type { DesiredTenant, DesiredSite, DesiredDomain, ObservedTenant } from './desired.js';
export { plan, tenantComponents, type Action } from './plan.js';
export { toRuntimeSpec, servedHostnames, tenantSubnetSlot, APP_PORTS } from './runtime-spec.js';
export { toEdgeTenant, type EdgeLayout } from './edge-spec.js';
export {
  Reconciler,
  tenantMessage,
  type DesiredStore,
  type RuntimePort,
  type EdgePort,
  type EdgeProblem,
  type Logger,
  type ReconcilerHealth,
} from './reconciler.js';
