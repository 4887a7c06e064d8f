import { getConfig } from '../../shared/composition/handlers.js';
import { getMfaStore } from '../../shared/composition/mfa.js';
import { passkeyManageDeps } from '../../shared/composition/passkeys.js';
import { hasConfirmedFactor } from '../../shared/domain/mfa/challenge.js';
import { removePasskey } from '../../shared/domain/passkeys/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { credentialIdParam, passkeyCaller } from '../../shared/http/passkeys.js';

type RemoveDeps = Parameters<typeof removePasskey>[0];

/** DELETE /auth/passkeys/{id} (Bearer) — 204; removing the last factor needs a recent multi-factor sign-in (S72). */
export const createHandler = (deps: RemoveDeps, config = getConfig()) =>
  httpHandler({ methods: ['DELETE'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    await removePasskey(deps, passkeyCaller(req.event), credentialIdParam(req.event));
    return { statusCode: 204 };
  });

export const handler = createHandler({
  ...passkeyManageDeps(),
  recentSeconds: getConfig().MFA_RECENT_SECONDS,
  hasOtherFactor: async (userId) => hasConfirmedFactor(await getMfaStore().get(userId)),
});
