import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuthError } from '../domain/errors.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A path parameter such as `{id}`, checked to be a plain identifier (never a path or an expression). */
export function pathId(event: APIGatewayProxyEventV2, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || !ID.test(value)) throw new AuthError('invalid_request', `${name}: must be an identifier`);
  return value;
}
