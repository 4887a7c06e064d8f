import { getConfig } from '../../shared/composition/handlers.js';
import { passkeyDeps } from '../../shared/composition/passkeys.js';
import { listPasskeys } from '../../shared/domain/passkeys/manage.js';
import type { PasskeyDeps } from '../../shared/domain/passkeys/passkeys.js';
import { httpHandler } from '../../shared/http/handler.js';
import { passkeyCaller } from '../../shared/http/passkeys.js';

/** GET /auth/passkeys (Bearer) — the caller's passkeys. */
export const createHandler = (deps: PasskeyDeps, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: await listPasskeys(deps, passkeyCaller(req.event).userId),
  }));

export const handler = createHandler(passkeyDeps());
