/**
 * One-off bootstrap of the first admin, without any default password:
 *   npm run admin:grant -- alice@example.com
 * In AWS: run with credentials that may update the users table and USERS_TABLE set to its name (a stack
 * output). Locally, with `npm start` running, it reads the endpoint and table from .data/local-runtime.json.
 * The user must have signed up first; the new role reaches their next access token (sign in or refresh).
 */
import { readFile } from 'node:fs/promises';
import { createDocumentClient } from '../shared/adapters/dynamo/client.js';
import { DynamoUserStore } from '../shared/adapters/dynamo/user-store.js';
import { canonicalizeEmail } from '../shared/domain/email.js';

const email = process.argv[2];
if (!email) {
  console.error('usage: npm run admin:grant -- <email>');
  process.exit(2);
}

const local = await readFile('.data/local-runtime.json', 'utf8').then(
  (t) => JSON.parse(t) as { dynamoEndpoint: string; tables: Record<string, string> },
  () => undefined,
);
const tableName = process.env.USERS_TABLE ?? local?.tables.USERS_TABLE;
const endpoint = process.env.DYNAMODB_ENDPOINT ?? (process.env.USERS_TABLE ? undefined : local?.dynamoEndpoint);
if (!tableName) {
  console.error('Set USERS_TABLE (the stack output UsersTableName), or start the local backend with npm start first.');
  process.exit(2);
}

const users = new DynamoUserStore(createDocumentClient({ endpoint }), tableName);
const user = await users.findByEmail(canonicalizeEmail(email));
if (!user) {
  console.error(`No account for ${email}: sign up first.`);
  process.exit(1);
}
const updated = await users.setRoles(user.id, [...new Set([...user.roles, 'admin'])]);
console.log(`${user.email} (${user.id}) now has roles: ${updated?.roles.join(', ')}`);
