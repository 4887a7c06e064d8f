import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { adminDeps, getConfig } from '../../shared/composition/handlers.js';
import { getMfaStore } from '../../shared/composition/mfa.js';
import { getPasskeyStore } from '../../shared/composition/passkeys.js';
import type { PasskeyStore } from '../../shared/ports/passkey-store.js';
import type { AdminDeps } from '../../shared/domain/admin.js';
import { adminResetMfa } from '../../shared/domain/mfa/manage.js';
import type { MfaStore } from '../../shared/ports/mfa-store.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** POST /admin/users/{id}/mfa/reset (role admin) — every factor and recovery code removed, every session ended (S63). */
export const createHandler = (
  deps: AdminDeps & { mfa: MfaStore; passkeys?: Pick<PasskeyStore, 'listByUser' | 'remove'> },
  config = getConfig(),
) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    await adminResetMfa(deps, getAuthContext(req.event).sub, pathId(req.event, 'id'));
    return { statusCode: 204 };
  });

export const handler = createHandler({ ...adminDeps(), mfa: getMfaStore(), passkeys: getPasskeyStore() });
