/** A small HTTP client for the rehearsal: what a user's client observes (status, headers, cookies, body). */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  /** Set-Cookie values by cookie name (the value part only; `''` for a cleared cookie). */
  cookies: Record<string, string>;
  setCookie: string[];
}

export interface CallOptions {
  json?: unknown;
  /** A raw body (sent as is, with `content-type: application/json` unless given). */
  body?: string;
  headers?: Record<string, string>;
  bearer?: string;
  cookie?: string;
}

export function client(base: string) {
  return async function call(method: string, path: string, o: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...o.headers };
    let body: string | undefined;
    if (o.json !== undefined || o.body !== undefined) {
      body = o.body ?? JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    if (o.bearer) headers['authorization'] = `Bearer ${o.bearer}`;
    if (o.cookie) headers['cookie'] = o.cookie;
    const r = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await r.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const setCookie = r.headers.getSetCookie();
    const cookies = Object.fromEntries(
      setCookie.map((c) => c.split(';')[0].split('=')).map(([k, ...v]) => [k.trim(), v.join('=')]),
    );
    return { status: r.status, headers: r.headers, text, json, cookies, setCookie };
  };
}
