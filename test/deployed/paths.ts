import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The cloud assembly `cdk synth` writes (`REHEARSAL_ASSEMBLY` to rehearse another one). */
export const ASSEMBLY_DIR = resolve(
  fileURLToPath(new URL('../..', import.meta.url)),
  process.env['REHEARSAL_ASSEMBLY'] ?? 'cdk.out',
);
export { STACK_NAME as DEFAULT_STACK } from '../../infra/app.js';
