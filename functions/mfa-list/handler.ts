import { getConfig } from '../../shared/composition/handlers.js';
import { mfaManageDeps } from '../../shared/composition/mfa.js';
import { getPasskeyStore } from '../../shared/composition/passkeys.js';
import type { PasskeyStore } from '../../shared/ports/passkey-store.js';
import { listFactors, type MfaManageDeps } from '../../shared/domain/mfa/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { mfaCaller } from '../../shared/http/mfa.js';

/** GET /auth/mfa (Bearer) — the caller's confirmed factors and how many recovery codes are left. */
export const createHandler = (
  deps: MfaManageDeps & { passkeys?: Pick<PasskeyStore, 'listByUser'> },
  config = getConfig(),
) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: await listFactors(deps, mfaCaller(req.event).userId),
  }));

export const handler = createHandler({ ...mfaManageDeps(), passkeys: getPasskeyStore() });
