import { getConfig } from '../../shared/composition/config.js';
import { signUpWithEmailDeps } from '../../shared/composition/email.js';
import { signUpWithEmail, type SignUpWithEmailDeps } from '../../shared/domain/email-verification.js';
import { httpHandler } from '../../shared/http/handler.js';
import { credentialsSchema } from '../../shared/http/schemas.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** With REQUIRE_EMAIL_VERIFICATION, the one answer for new and existing addresses alike (S3). */
export const SIGNUP_PENDING = { message: 'Check your mail to confirm your address, then sign in.' };

/**
 * POST /auth/signup — create a password account (argon2id), mail a verification link, and sign in (`201`);
 * with REQUIRE_EMAIL_VERIFICATION, `202` for every address and no session until the address is confirmed.
 * Throttled per source IP before any hashing or mail (`429` + `Retry-After`, S55).
 */
export const createHandler = (deps: SignUpWithEmailDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: credentialsSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const outcome = await signUpWithEmail(deps, { ...req.body, sourceIp: req.sourceIp });
    if (outcome.kind === 'pending') return { statusCode: 202, body: SIGNUP_PENDING };
    return tokenResponse(201, outcome.tokens, {
      cookieName: config.REFRESH_COOKIE_NAME,
      deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
    });
  });

export const handler = createHandler(signUpWithEmailDeps());
