/**
 * Serves the local demo page (local only, never deployed): `/`, its stylesheet, and its script, which esbuild
 * bundles from TypeScript on first request.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

const HEADERS = {
  // Same-origin everything, no inline code, no framing.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

let script: Promise<string> | undefined;

async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [here('./app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: true,
  });
  return out.outputFiles[0].text;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const file =
  (name: string, type: string): Handler =>
  async (_req, res) => {
    res.writeHead(200, { ...HEADERS, 'content-type': type });
    res.end(await readFile(here(name)));
  };

export const demoRoutes: Record<string, Handler> = {
  'GET /': file('./index.html', 'text/html; charset=utf-8'),
  'GET /demo/style.css': file('./style.css', 'text/css; charset=utf-8'),
  'GET /demo/app.js': async (_req, res) => {
    script ??= bundle().catch((e: unknown) => {
      script = undefined;
      throw e;
    });
    const text = await script;
    res.writeHead(200, { ...HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
    res.end(text);
  },
};
