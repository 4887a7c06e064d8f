/** What `startLocal` takes and what it gives back (infra/local/start.ts). */
import type { AuthFunctionName, FunctionSpec } from '../function-specs.js';
import type { SesStandIn } from './aws/ses.js';
import type { MutualTlsOptions } from './mtls-listener.js';

/** A function of your own API behind the authorizer (payload 2.0 event in, Lambda result out). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AppRouteHandler = (event: any) => Promise<unknown>;

export interface LocalOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Use an already running DynamoDB (e.g. the test suite's); otherwise DynamoDB Local is started. */
  dynamoEndpoint?: string;
  /** Folder for the key ring file (and persisted data). */
  dataDir?: string;
  /** Table name prefix; unique per test run so suites never share state. */
  tablePrefix?: string;
  /** Extra environment for the handlers (wins over the local defaults, loses to nothing). */
  env?: Record<string, string>;
  /**
   * Also run the local OpenID provider (infra/local/dev-oidc.ts) and register it as OAuth provider `dev`, unless
   * OAUTH_PROVIDERS is given. `npm start` turns it on.
   */
  devOidc?: boolean;
  /** Start every function before resolving (`npm start` warms them in the background instead). @default false */
  warm?: boolean;
  /**
   * The function specs to run with (tests only: a suite drops a grant to show that the guard catches it).
   * @default FUNCTION_SPECS
   */
  specs?: Readonly<Record<AuthFunctionName, FunctionSpec>>;
  /**
   * Sign with a key ring in Secrets Manager at this (loopback) endpoint instead of the ring file, so the
   * production adapter is on the path (the bench).
   */
  secretsManager?: { endpoint: string; keyRingSecretId: string; publicKeysSecretId: string };
  /**
   * Puts something (a fault-injecting proxy, test/resilience/) between the functions and their DynamoDB guard and
   * SES stand-in: receives each endpoint, returns the one the functions are given. @default - the endpoint itself
   */
  interpose?: (service: 'dynamodb' | 'sesv2', endpoint: string) => Promise<string>;
  /** Sees every DynamoDB call of the functions as it reaches the guard (the bench counts them). */
  onDynamoCall?: (phase: 'start' | 'end', call: { caller: string; operation: string }) => void;
  /**
   * Receives each function's stdout and stderr (its JSON log lines) instead of this process's own streams: the
   * test backend keeps them out of a green run.
   * @default - this process's stdout and stderr, as `npm start` shows them
   */
  functionOutput?: (fn: string, stream: 'stdout' | 'stderr', chunk: string) => void;
  /**
   * Also serve the API over HTTPS with mutual TLS, as a custom domain with a truststore (the construct's
   * `mutualTls`) does: a handshake without a client certificate from the truststore's CAs is refused. The
   * functions get its URL as `MTLS_ENDPOINT`. `npm start` turns it on with LOCAL_MTLS_PORT.
   * @default - plain HTTP only
   */
  mtls?: MutualTlsOptions;
  /**
   * Routes of your own API behind the authorizer, by route key (`GET /orders`), as `AuthBackend.protectRoute`
   * adds them; what each requires comes from ROUTE_POLICIES in `env`, as on AWS.
   */
  appRoutes?: Record<string, AppRouteHandler>;
}

export interface LocalBackend {
  url: string;
  port: number;
  /** The mutual-TLS listener, when `mtls` asked for one: its URL and the server certificate it presents. */
  mtls?: { url: string; port: number; serverCertPem: string };
  /** The local OpenID provider's issuer, when `devOidc` started it. */
  devOidcIssuer?: string;
  /** The tables of this run, by their environment variable (for operator-style tools and tests). */
  tables: Readonly<Record<string, string>>;
  /** The SES v2 stand-in: every mail the functions sent. */
  mail: SesStandIn;
  /** Functions whose handler threw while importing so far (each answers 500 to every request, as on AWS). */
  importErrors: { fn: string; error: { name: string; message: string } }[];
  /** Starts every function not started yet; resolves with the import errors once all have started. */
  warmUp(): Promise<{ fn: string; error: { name: string; message: string } }[]>;
  /** The environment each function runs with (for tests and diagnostics). */
  environments: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Each started function's own V8 heap in use after its last invocation, in bytes (the soak's memory figures). */
  functionHeaps(): Record<string, number>;
  /** The same right after a full garbage collection in each function: what the functions really hold. */
  functionHeapsCollected(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * `npm start`'s mutual-TLS listener from the environment: LOCAL_MTLS_PORT turns it on (0 picks a free port) and
 * LOCAL_MTLS_TRUSTSTORE (a PEM bundle of CAs) is then required; LOCAL_MTLS_CERT and LOCAL_MTLS_KEY name the
 * server's certificate and key (both or neither; neither makes a throw-away one).
 */
export function mtlsOptionsFromEnv(env: NodeJS.ProcessEnv): MutualTlsOptions | undefined {
  const { LOCAL_MTLS_PORT: port, LOCAL_MTLS_TRUSTSTORE: truststoreFile } = env;
  if (port === undefined || port === '') return undefined;
  const n = Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`Invalid configuration: LOCAL_MTLS_PORT must be a port number, got "${port}"`);
  if (!truststoreFile)
    throw new Error('Invalid configuration: LOCAL_MTLS_PORT needs LOCAL_MTLS_TRUSTSTORE (a PEM file of trusted CAs)');
  const certFile = env.LOCAL_MTLS_CERT || undefined;
  const keyFile = env.LOCAL_MTLS_KEY || undefined;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new Error('Invalid configuration: LOCAL_MTLS_CERT and LOCAL_MTLS_KEY go together: give both or neither');
  return { port: n, truststoreFile, ...(certFile ? { certFile, keyFile } : {}) };
}
