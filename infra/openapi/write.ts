/** `npm run openapi`: writes openapi.json (committed; a test fails when it is stale). */
import { writeFile } from 'node:fs/promises';
import { buildOpenApi } from './document.js';

await writeFile(new URL('../../openapi.json', import.meta.url), `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log('wrote openapi.json');
