/**
 * WriteGeneration counts committed-or-pending writes made through the Prisma client. Read caches key
 * their entries by it, so any write anywhere invalidates every cached read at once: correctness by
 * construction, instead of remembering to invalidate at each write site.
 */
export class WriteGeneration {
  private value = 0;

  get current(): number {
    return this.value;
  }

  bump(): void {
    this.value++;
  }
}

/** WRITE_OPERATIONS are the Prisma model operations that change data. */
export const WRITE_OPERATIONS = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
]);
