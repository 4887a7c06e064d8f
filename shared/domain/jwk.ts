/**
 * Members that only a private (or symmetric) JWK has (RFC 7518 §6). A published JWKS must never carry
 * one (S44): the key ring strips them before publishing, and the authorizer refuses a fetched key that has them.
 */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

export const hasPrivateMembers = (jwk: object): boolean => PRIVATE_JWK_MEMBERS.some((m) => m in jwk);
