/**
 * S81 — each function runs locally with exactly the environment and the permissions the stack gives it: every
 * function starts alone with its own variables, a DynamoDB or SES call outside its grants answers
 * `AccessDeniedException` as IAM would, and dropping a grant from a spec is caught by a request that needs it.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../infra/function-specs.js';
import { startDynamoGuard, type DynamoGuard } from '../../infra/local/aws/dynamodb-guard.js';
import type { Statement } from '../../infra/local/aws/iam.js';
import { startSesStandIn, type SesStandIn } from '../../infra/local/aws/ses.js';
import { api, goodPassword, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

const arnOf = (name: string) => `arn:aws:dynamodb:local:000000000000:table/${name}`;
const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'x' });

describe('S81: the local DynamoDB guard enforces each caller’s policy', () => {
  const suffix = randomBytes(4).toString('hex');
  const granted = `guard-granted-${suffix}`;
  const other = `guard-other-${suffix}`;
  const policies: Record<string, Statement[]> = {
    Reader: [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [arnOf(granted)] }],
    Writer: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [arnOf(granted)] }],
  };
  let guard: DynamoGuard;
  const through = (caller: string) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: guard.endpoint,
        region: 'local',
        credentials: credentials(caller),
        maxAttempts: 1,
      }),
    );
  const direct = () =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: process.env.DYNAMODB_ENDPOINT,
        region: 'local',
        credentials: credentials('local'),
      }),
    );

  beforeAll(async () => {
    const admin = new DynamoDBClient({
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: 'local',
      credentials: credentials('local'),
    });
    for (const TableName of [granted, other]) {
      await admin.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        }),
      );
    }
    guard = await startDynamoGuard({
      target: process.env.DYNAMODB_ENDPOINT!,
      permissionsOf: (c) => policies[c],
      tableArn: arnOf,
    });
  });
  afterAll(() => guard?.close());

  it('S81: a granted read goes through; a write with read-only access is AccessDeniedException and writes nothing', async () => {
    await expect(
      through('Reader').send(new GetCommand({ TableName: granted, Key: { pk: 'a' } })),
    ).resolves.toBeDefined();
    const write = through('Reader').send(new PutCommand({ TableName: granted, Item: { pk: 'a' } }));
    await expect(write).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await direct().send(new GetCommand({ TableName: granted, Key: { pk: 'a' } }))).Item).toBeUndefined();
  });

  it('S81: a table the caller was not granted is AccessDeniedException; an unknown caller gets nothing', async () => {
    await expect(through('Writer').send(new GetCommand({ TableName: other, Key: { pk: 'a' } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      through('Stranger').send(new GetCommand({ TableName: granted, Key: { pk: 'a' } })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('S81: a transaction is checked item by item, as IAM does: one ungranted table refuses it whole', async () => {
    const tx = through('Writer').send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: granted, Item: { pk: 'tx' } } },
          { Put: { TableName: other, Item: { pk: 'tx' } } },
        ],
      }),
    );
    await expect(tx).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await direct().send(new GetCommand({ TableName: granted, Key: { pk: 'tx' } }))).Item).toBeUndefined();
    await through('Writer').send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: granted, Item: { pk: 'tx' } } }] }),
    );
    expect((await direct().send(new GetCommand({ TableName: granted, Key: { pk: 'tx' } }))).Item).toEqual({ pk: 'tx' });
  });

  it('S81: an index is its own resource: a grant on the table alone does not cover it', async () => {
    const query = through('Reader').send(
      new QueryCommand({
        TableName: granted,
        IndexName: 'byOwner',
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'a' },
      }),
    );
    await expect(query).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('S81: the local SES stand-in sends only for a caller granted the sender’s identity', () => {
  let ses: SesStandIn;
  const identity = 'arn:aws:ses:local:000000000000:identity/mail.example.com';
  beforeAll(async () => {
    ses = await startSesStandIn({
      permissionsOf: (c) => (c === 'Mailer' ? [{ actions: ['ses:SendEmail'], resources: [identity] }] : []),
      arn: (r) => `arn:aws:ses:local:000000000000:${r}`,
    });
  });
  afterAll(() => ses?.close());
  const send = (caller: string) =>
    new SESv2Client({ endpoint: ses.endpoint, region: 'local', credentials: credentials(caller), maxAttempts: 1 }).send(
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@mail.example.com',
        Destination: { ToAddresses: ['someone@example.com'] },
        Content: {
          Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'text' }, Html: { Data: '<p>html</p>' } } },
        },
      }),
    );

  it('S81: a caller without ses:SendEmail gets AccessDeniedException and no mail leaves', async () => {
    await expect(send('Signup')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(ses.mails()).toHaveLength(0);
  });

  it('S81: a granted caller sends through the SDK, and the mail is recorded for the outbox', async () => {
    await expect(send('Mailer')).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(ses.mails()).toMatchObject([
      { to: 'someone@example.com', subject: 'Hi', text: 'text', html: '<p>html</p>' },
    ]);
  });
});

describe('S81: the local runner gives each function exactly its stack environment', () => {
  it('S81: every function starts alone, with only its own variables (no table, secret or mail variable it is not granted)', async () => {
    const backend = await startTestBackend({}, { warm: true });
    try {
      expect(backend.importErrors).toEqual([]);
      const env = backend.environments;
      expect(env['openid-configuration']).not.toHaveProperty('USERS_TABLE');
      expect(env.jwks).not.toHaveProperty('REFRESH_TOKENS_TABLE');
      expect(env.authorizer).toHaveProperty('JWKS_URL');
      expect(env.authorizer).not.toHaveProperty('KEY_RING_FILE');
      expect(env.login).not.toHaveProperty('MAGIC_LINKS_TABLE');
      expect(env.login).not.toHaveProperty('MAIL_FROM');
      expect(env['magic-link']).toHaveProperty('MAIL_FROM');
      // The public token endpoint reads clients, never accounts; only the admin client routes may write clients.
      expect(env['oauth-token']).toHaveProperty('CLIENTS_TABLE');
      expect(env['oauth-token']).not.toHaveProperty('USERS_TABLE');
      expect(env.login).not.toHaveProperty('CLIENTS_TABLE');
      // Nothing of the runner's own process (its PATH, HOME, the suite's DynamoDB endpoint) leaks in.
      for (const vars of Object.values(env)) {
        expect(vars).not.toHaveProperty('PATH');
        expect(vars).not.toHaveProperty('DYNAMODB_ENDPOINT');
      }
    } finally {
      await backend.close();
    }
  }, 120_000);

  it('S81: dropping a grant from a spec is caught: login with read-only refresh tokens, magic link without its rate-limit table', async () => {
    const specs = {
      ...FUNCTION_SPECS,
      login: { ...FUNCTION_SPECS.login, tables: { ...FUNCTION_SPECS.login.tables, RefreshTokens: 'read' as const } },
      'magic-link': {
        ...FUNCTION_SPECS['magic-link'],
        tables: { Users: 'read' as const, MagicLinks: 'readWrite' as const },
      },
    };
    const backend = await startTestBackend({}, { specs });
    try {
      const call = api(backend.url);
      const email = uniqueEmail('grants');
      const password = goodPassword();
      expect((await call('POST', '/auth/signup', { json: { email, password } })).status).toBe(201);
      // The session write is refused by the guard, as IAM would refuse it: a 500, never a session.
      const login = await call('POST', '/auth/login', { json: { email, password } });
      expect(login.status).toBe(500);
      expect(login.body).toEqual({ error: 'internal_error', message: expect.any(String) });
      expect(login.cookies).toEqual([]);
      // No EPHEMERAL_TABLE for magic-link: it fails at the first request that needs it, as it would on AWS.
      expect((await call('POST', '/auth/magic-link', { json: { email } })).status).toBe(500);
      expect(backend.mail.mails().filter((m) => m.to === email && /sign/i.test(m.subject))).toHaveLength(0);
    } finally {
      await backend.close();
    }
  }, 120_000);
});
