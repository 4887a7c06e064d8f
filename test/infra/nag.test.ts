/**
 * The real app (`infra/app.ts`) under cdk-nag 3's AWS Solutions pack: synth succeeds with zero unacknowledged
 * findings, and every acknowledgement says why. One synth for the whole file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations, type PolicyViolation } from 'aws-cdk-lib';
import { exampleMutualTls } from '../helpers/mtls-props.js';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/app.js';
import { AuthBackend } from '../../infra/auth-backend.js';
import type { AuthStack } from '../../infra/auth-stack.js';
import { FUNCTION_NAMES } from '../../infra/function-specs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MISSING_HANDLERS = FUNCTION_NAMES.filter((n) => !existsSync(join(ROOT, 'functions', n, 'handler.ts')));

/** The rules the backend acknowledges by design; a new kind of acknowledgement must be a reviewed change. */
const EXPECTED_RULES = ['AwsSolutions-APIG4', 'AwsSolutions-DDB3', 'AwsSolutions-IAM5', 'AwsSolutions-SMG4'];

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgementsIn(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const describeViolations = (violations: PolicyViolation[]) =>
  violations
    .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`)
    .join('\n');

describe.skipIf(MISSING_HANDLERS.length > 0)(
  MISSING_HANDLERS.length
    ? `cdk-nag (waiting for ${MISSING_HANDLERS.join(', ')})`
    : 'cdk-nag: AwsSolutionsChecks on the app',
  () => {
    let outdir: string;
    let app: App;
    let stack: AuthStack;
    let synthError: unknown;

    beforeAll(() => {
      outdir = mkdtempSync(join(tmpdir(), 'auth-nag-test-'));
      ({ app, stack } = createApp({ outdir }));
      try {
        app.synth();
      } catch (error) {
        synthError = error;
      }
      // Bundling every function (15 with the email flows) can take over a minute on two busy cores.
    }, 180_000);

    afterAll(() => {
      if (outdir) rmSync(outdir, { recursive: true, force: true });
    });

    it('synthesizes: no finding fails validation', () => {
      expect(synthError instanceof Error ? synthError.message : synthError).toBeUndefined();
    });

    it('leaves zero unacknowledged errors or warnings', () => {
      const report = new AwsSolutionsChecks().validateScope(app);
      expect(describeViolations(report.violations)).toBe('');
      expect(report.success).toBe(true);
    });

    it('writes a validation report without violations', () => {
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { summary?: { status?: string }; violations?: unknown[] }[];
      };
      for (const plugin of report.pluginReports) expect(plugin.violations ?? []).toEqual([]);
    });

    it('adds no AwsSolutions annotations to the stack', () => {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    });

    it('gives every acknowledgement a specific reason', () => {
      const acks = acknowledgementsIn(app);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.reason.trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThan(20);
        expect(ack.reason, `${ack.id} at ${ack.path}`).not.toMatch(/^(todo|n\/a|suppress|ignore)/i);
      }
    });

    it('acknowledges only the reviewed rules (no managed policies, no outdated runtime)', () => {
      const rules = new Set(acknowledgementsIn(app).map((a) => a.id.replace(/\[.*$/, '')));
      expect([...rules].sort()).toEqual(EXPECTED_RULES);
    });
  },
);

/**
 * The same rules on a stack whose backend has `mutualTls`, with its truststore bucket set up as infra/README.md
 * says (TLS-only, private, encrypted, versioned, access-logged). Bundling is skipped: cdk-nag reads the template.
 */
describe('cdk-nag: AwsSolutionsChecks on a stack with mutualTls', () => {
  let app: App;

  beforeAll(() => {
    app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'MtlsNag', { env: { account: '123456789012', region: 'eu-west-1' } });
    const bucket = { enforceSSL: true, blockPublicAccess: BlockPublicAccess.BLOCK_ALL };
    const logs = new Bucket(stack, 'AccessLogs', { ...bucket, encryption: BucketEncryption.S3_MANAGED });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket that receives the truststore bucket’s access logs; logging it into itself would never end.',
    });
    const truststore = new Bucket(stack, 'Truststore', {
      ...bucket,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'truststore/',
    });
    new AuthBackend(stack, 'Auth', {
      mutualTls: exampleMutualTls(stack, truststore),
    });
  }, 120_000);

  it('leaves zero unacknowledged errors or warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(describeViolations(report.violations)).toBe('');
    expect(report.success).toBe(true);
  });

  it('acknowledges nothing new for the mutual-TLS domain: the same reviewed rules, none on its resources', () => {
    const acks = acknowledgementsIn(app).filter((a) => a.path.startsWith('MtlsNag/Auth'));
    expect([...new Set(acks.map((a) => a.id.replace(/\[.*$/, '')))].sort()).toEqual(EXPECTED_RULES);
    expect(acks.filter((a) => /Mtls/.test(a.path.slice('MtlsNag/Auth'.length)))).toEqual([]);
  });
});
