import { getConfig } from '../../shared/composition/config.js';
import { passwordResetDeps } from '../../shared/composition/email.js';
import { requestPasswordReset, type PasswordResetDeps } from '../../shared/domain/password-reset.js';
import { emailRequestSchema } from '../../shared/http/email-schemas.js';
import { httpHandler } from '../../shared/http/handler.js';

export const PASSWORD_RESET_ACCEPTED = {
  message: 'If this address has an account, a reset link and code are on their way.',
};

/** POST /auth/password-reset — `202`, the same for every address (S3). */
export const createHandler = (deps: PasswordResetDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: emailRequestSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    await requestPasswordReset(deps, { email: req.body.email, sourceIp: req.sourceIp });
    return { statusCode: 202, body: PASSWORD_RESET_ACCEPTED };
  });

export const handler = createHandler(passwordResetDeps());
