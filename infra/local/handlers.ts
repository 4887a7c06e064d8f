import type { FunctionName } from '../../shared/routes.js';

type Loader = () => Promise<{ handler: (event: any, context: any) => Promise<unknown> }>;

/**
 * The handler module of every function in the route table. Typed by `FunctionName`, so adding a function
 * to the route table without wiring it here fails the type check.
 */
export const HANDLERS: Record<FunctionName, Loader> = {
  signup: () => import('../../functions/signup/handler.js'),
  login: () => import('../../functions/login/handler.js'),
  refresh: () => import('../../functions/refresh/handler.js'),
  logout: () => import('../../functions/logout/handler.js'),
  'logout-all': () => import('../../functions/logout-all/handler.js'),
  jwks: () => import('../../functions/jwks/handler.js'),
  'openid-configuration': () => import('../../functions/openid-configuration/handler.js'),
  me: () => import('../../functions/me/handler.js'),
  'admin-get-user': () => import('../../functions/admin-get-user/handler.js'),
  'admin-set-roles': () => import('../../functions/admin-set-roles/handler.js'),
  'admin-revoke-sessions': () => import('../../functions/admin-revoke-sessions/handler.js'),
  'admin-disable-user': () => import('../../functions/admin-disable-user/handler.js'),
  'oauth-authorize': () => import('../../functions/oauth-authorize/handler.js'),
  'oauth-callback': () => import('../../functions/oauth-callback/handler.js'),
  'magic-link': () => import('../../functions/magic-link/handler.js'),
  'magic-link-verify': () => import('../../functions/magic-link-verify/handler.js'),
  'verify-email': () => import('../../functions/verify-email/handler.js'),
  'password-reset': () => import('../../functions/password-reset/handler.js'),
  'password-reset-confirm': () => import('../../functions/password-reset-confirm/handler.js'),
};

export const loadAuthorizer: Loader = () => import('../../functions/authorizer/handler.js');
