/**
 * A small model of IAM for the loopback stand-ins of AWS (DynamoDB guard, Secrets Manager, SES): who is calling
 * (the access key id of the SigV4 `Authorization` header, one per function, as Lambda's role credentials are)
 * and whether that caller's identity-based policy allows an action on a resource. Only what the stack's policies
 * use: `Allow` statements, `*` and `?` wildcards in actions and resources. No statement → implicit deny, as in AWS.
 */

/** One `Allow` statement of a role's policy, with its references already resolved to ARNs. */
export interface Statement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** The policy of each caller, by the access key id it signs with. `undefined`: an unknown caller (denied). */
export type PermissionsOf = (accessKeyId: string) => readonly Statement[] | undefined;

const globToRegExp = (pattern: string, caseInsensitive: boolean): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseInsensitive ? 'i' : '',
  );

/** Actions match case-insensitively (as IAM does); resources case-sensitively. */
export function isAllowed(statements: readonly Statement[] | undefined, action: string, resource: string): boolean {
  return (statements ?? []).some(
    (s) =>
      s.actions.some((a) => globToRegExp(a, true).test(action)) &&
      s.resources.some((r) => globToRegExp(r, false).test(resource)),
  );
}

/** The access key id of a SigV4-signed request (`Credential=AKID/date/region/service/aws4_request`). */
export function callerOf(authorization: string | string[] | undefined): string | undefined {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  return header?.match(/Credential=([^/,\s]+)\//)?.[1];
}

/** The message AWS gives for a denied identity-based call, so SDK users see what they would see on AWS. */
export function accessDeniedMessage(caller: string, action: string, resource: string): string {
  return `User: arn:aws:sts::000000000000:assumed-role/${caller}/${caller} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}
