import { Prisma } from '@berth/db';

/** isUniqueViolation tells whether a Prisma error is a unique-constraint failure (P2002), e.g. a race on a hostname. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
