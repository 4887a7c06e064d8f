/**
 * A loopback proxy in front of DynamoDB Local that enforces each function's IAM policy, as AWS would: the
 * caller is the access key id the request is signed with (one per function), the action is the operation
 * (`dynamodb:GetItem`; a transaction checks each of its items' actions, as IAM does), the resource the table
 * or index ARN. A call outside the caller's grants answers `AccessDeniedException` without reaching DynamoDB
 * Local (S81). Functions reach it through the SDK's own `AWS_ENDPOINT_URL_DYNAMODB`.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessDeniedMessage, callerOf, isAllowed, type PermissionsOf } from './iam.js';

export interface DynamoGuardOptions {
  /** DynamoDB Local, e.g. `http://127.0.0.1:8000`. */
  readonly target: string;
  readonly permissionsOf: PermissionsOf;
  /** The ARN of a table, as the policies name it. */
  readonly tableArn: (tableName: string) => string;
  /** Sees each call as it arrives and when its answer is sent (the bench counts calls and round trips). */
  readonly observe?: (phase: 'start' | 'end', call: { caller: string; operation: string }) => void;
}

export interface DynamoGuard {
  readonly endpoint: string;
  close(): Promise<void>;
}

type Check = { action: string; resource: string };

/** What a DynamoDB JSON request asks IAM for. Control-plane calls name their table too. */
export function checksOf(operation: string, body: Record<string, any>, tableArn: (name: string) => string): Check[] {
  const on = (table: string, index?: string) => (index ? `${tableArn(table)}/index/${index}` : tableArn(table));
  switch (operation) {
    case 'TransactWriteItems':
      return (body.TransactItems ?? []).map((item: Record<string, any>) => {
        const [kind, op] = Object.entries(item)[0] ?? [];
        const action =
          { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ??
          kind;
        return { action: `dynamodb:${action}`, resource: on(op?.TableName) };
      });
    case 'TransactGetItems':
      return (body.TransactItems ?? []).map((item: Record<string, any>) => ({
        action: 'dynamodb:GetItem',
        resource: on(item.Get?.TableName),
      }));
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(body.RequestItems ?? {}).map((table) => ({
        action: `dynamodb:${operation}`,
        resource: on(table),
      }));
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resource: '*' }];
    default:
      return [{ action: `dynamodb:${operation}`, resource: on(body.TableName, body.IndexName) }];
  }
}

export async function startDynamoGuard(options: DynamoGuardOptions): Promise<DynamoGuard> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      let body: Record<string, any> = {};
      try {
        body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, any>) : {};
      } catch {
        /* DynamoDB Local answers the malformed body itself */
      }
      const caller = callerOf(req.headers.authorization) ?? 'anonymous';
      if (options.observe) {
        options.observe('start', { caller, operation });
        res.on('close', () => options.observe!('end', { caller, operation }));
      }
      const policy = options.permissionsOf(caller);
      const denied = checksOf(operation, body, options.tableArn).find((c) => !isAllowed(policy, c.action, c.resource));
      if (denied) {
        const payload = JSON.stringify({
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: accessDeniedMessage(caller, denied.action, denied.resource),
        });
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'local-guard' });
        res.end(payload);
        return;
      }
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'DynamoDB Local unreachable',
          }),
        );
      });
      upstream.end(raw);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      agent.destroy();
    },
  };
}
