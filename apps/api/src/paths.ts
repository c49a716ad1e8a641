import path from 'node:path';
import { REPO_ROOT } from './config.js';

/** MIGRATIONS is the committed migrations folder, found from the checkout root (works from src/ and dist/). */
export const MIGRATIONS = path.join(REPO_ROOT, 'prisma', 'migrations');
