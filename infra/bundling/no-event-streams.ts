/**
 * Bundled in place of `@smithy/core/event-streams` (an esbuild alias, `functionBundling`). The SDK's HTTP protocol
 * imports that module lazily, for operations that stream events (Transcribe, Bedrock, Kinesis `SubscribeToShard`);
 * DynamoDB, Secrets Manager and SES v2 have none, but esbuild still bundles a lazily imported module into the one
 * output file: ~12 KB minified of every SDK function's bundle, parsed at every cold start and never run. Should an
 * operation ever ask for it, this says so instead of failing obscurely. test/infra/stack.test.ts checks every asset
 * for it, and the deploy rehearsal (test/deployed/) drives every route through the bundles.
 */
const missing = (): never => {
  throw new Error('Event streams are not bundled into this function (infra/bundling/no-event-streams.ts).');
};

export class EventStreamSerde {
  constructor() {
    missing();
  }
}

export const eventStreamSerdeProvider = (): never => missing();
