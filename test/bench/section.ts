/**
 * Runs one case of the benchmark in its own process (so handler modules, which read their config once at
 * import, never leak from one case into another) and prints its figures as one `FIGURES <json>` line.
 *   tsx test/bench/section.ts <authorizer|cold|passwords|endpoints|soak> [--quick]
 */
import { silenceSdkNodeVersionWarning } from '../../infra/local/node-support.js';
import type { Figure } from './stats.js';

const [name, ...rest] = process.argv.slice(2);
const quick = rest.includes('--quick');
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
silenceSdkNodeVersionWarning();

let figures: Figure[];
switch (name) {
  case 'authorizer':
    // The authorizer module builds its default dependencies at import (cold start): give it a config.
    process.env.ISSUER ??= 'https://auth.example.test';
    figures = await (await import('./authorizer.js')).benchAuthorizer({ rounds: quick ? 8 : 80, sampleMs: 10 });
    break;
  case 'cold':
    figures = await (await import('./cold-start.js')).benchColdStart({ processes: quick ? 5 : 21 });
    break;
  case 'passwords':
    figures = await (await import('./passwords.js')).benchPasswords({ rounds: quick ? 3 : 12 });
    break;
  case 'endpoints':
    figures = await (await import('./endpoints.js')).benchEndpoints({ seconds: quick ? 3 : 10, connections: 4 });
    break;
  case 'soak':
    figures = await (
      await import('./soak.js')
    ).benchSoak({ seconds: quick ? 30 : 300, concurrency: 8, faultRate: 0.02 });
    break;
  default:
    throw new Error(`unknown bench case: ${name}`);
}
process.stdout.write(`FIGURES ${JSON.stringify(figures)}\n`);
// The SDK keeps sockets alive; nothing else is pending.
process.exit(0);
