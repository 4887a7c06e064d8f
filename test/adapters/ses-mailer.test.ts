/**
 * SES v2 adapter: the request shape with aws-sdk-client-mock, and the real API surface against `moto_server`
 * (Python moto, on loopback) when it is installed — skipped with a visible reason otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateEmailIdentityCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../shared/adapters/ses-mailer.js';

const MESSAGE = {
  to: 'alice@example.com',
  subject: 'Your sign-in link',
  text: 'Sign in: https://auth.test/x',
  html: '<p>Sign in</p>',
};

describe('Class: SesMailer (aws-sdk-client-mock)', () => {
  it('sends one SendEmail with the configured sender, the recipient, text + HTML and the configuration set', async () => {
    // Prepare
    const client = new SESv2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    // Act
    await new SesMailer(client, { from: 'no-reply@example.com', configurationSet: 'auth-mail' }).send(MESSAGE);

    // Assess
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      FromEmailAddress: 'no-reply@example.com',
      Destination: { ToAddresses: ['alice@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: MESSAGE.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: MESSAGE.text, Charset: 'UTF-8' }, Html: { Data: MESSAGE.html, Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'auth-mail',
    });
  });

  it('omits the configuration set when none is configured, and throws what SES throws', async () => {
    // Prepare
    const client = new SESv2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const ses = mockClient(client);
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));

    // Act
    const error = await new SesMailer(client, { from: 'no-reply@example.com' }).send(MESSAGE).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe('MessageRejected');
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input.ConfigurationSetName).toBeUndefined();
  });
});

const MOTO = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
if (!MOTO)
  console.warn(
    '[test/adapters/ses-mailer] moto_server is not installed on this machine: the SES API round trip is skipped',
  );

describe.skipIf(!MOTO)(
  MOTO ? 'Class: SesMailer (moto_server SES v2 API)' : 'Class: SesMailer (moto_server absent: skipped)',
  () => {
    let moto: ChildProcess;
    let endpoint: string;

    beforeAll(async () => {
      const port = await freePort();
      endpoint = `http://127.0.0.1:${port}`;
      moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(`${endpoint}/moto-api/data.json`).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('moto_server did not start');
    });
    afterAll(() => {
      moto?.kill('SIGTERM');
    });

    it('delivers through the SES v2 API from a verified identity (the mail moto records)', async () => {
      // Prepare
      const client = new SESv2Client({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      await client.send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.com' }));

      // Act
      await new SesMailer(client, { from: 'no-reply@example.com' }).send(MESSAGE);

      // Assess
      const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {
        ses: { Message: Record<string, unknown>[] };
      };
      expect(data.ses.Message).toEqual([
        expect.objectContaining({
          source: 'no-reply@example.com',
          subject: MESSAGE.subject,
          destinations: { ToAddresses: ['alice@example.com'] },
        }),
      ]);
      client.destroy();
    });
  },
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
