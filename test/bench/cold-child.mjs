// One cold-start sample (test/bench/cold-start.ts), in a fresh Node process, as Lambda's runtime would run it:
// import the bundle, invoke its handler with the first event (the cold invocation), then with the warm events one
// after another. Prints one JSON line: the import time, the first invocation's time, each warm invocation's time
// (wall clock, and CPU time of the process),
// and per invocation its HTTP status and how many requests it sent to each AWS endpoint (counted with Node's
// `http.client.request.start` diagnostics channel, so that a first invocation that never reached DynamoDB shows).
// Plain JavaScript: nothing of the test toolchain is loaded into the sample's process.
//
//   node test/bench/cold-child.mjs <bundle.mjs> <events.json>
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [file, eventsFile] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const endpoints = {
  dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB,
  aws: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
};
let calls = {};
subscribe('http.client.request.start', ({ request }) => {
  const port = String(request.getHeader('host') ?? '').split(':')[1] ?? '';
  const which = Object.entries(endpoints).find(([, url]) => url?.endsWith(`:${port}`))?.[0] ?? request.host;
  calls[which] = (calls[which] ?? 0) + 1;
});

const context = (i) => ({
  awsRequestId: `cold-${i}`,
  functionName: 'cold-start-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:cold-start-bench',
  memoryLimitInMB: '256',
  logGroupName: '/aws/lambda/cold-start-bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done() {},
  fail() {},
  succeed() {},
});

/** CPU time (user + system) of this process since `from`, in ms: the part of a cold start the load barely moves. */
const cpuMs = (from) => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};

const t0 = performance.now();
const c0 = process.cpuUsage();
const { handler } = await import(pathToFileURL(file).href);
const importMs = performance.now() - t0;
const importCpuMs = cpuMs(c0);
const runs = [];
for (const [i, event] of events.entries()) {
  calls = {};
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await handler(event, context(i));
  const ms = performance.now() - start;
  const invokeCpuMs = cpuMs(cpu);
  const status = result?.statusCode ?? (result?.isAuthorized !== undefined ? `authorized=${result.isAuthorized}` : 0);
  runs.push({ ms, cpuMs: invokeCpuMs, status, calls });
}
process.stdout.write(`\nCOLD ${JSON.stringify({ importMs, importCpuMs, runs })}\n`);
// The SDK keeps its sockets alive; nothing else is pending.
process.exit(0);
