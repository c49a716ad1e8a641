import { EventEmitter } from 'node:events';

/**
 * DesiredStateNotifier is how services ask for convergence: after a write commits, they say which tenant
 * changed. The reconciler subscribes; until it runs, changes simply wait in the database as `pending`.
 */
export class DesiredStateNotifier extends EventEmitter<{ changed: [tenantId: string] }> {
  tenantChanged(tenantId: string): void {
    this.emit('changed', tenantId);
  }
}
