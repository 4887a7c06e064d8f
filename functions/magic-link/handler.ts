import { getConfig } from '../../shared/composition/config.js';
import { magicLinkDeps } from '../../shared/composition/email.js';
import { requestMagicLink, type MagicLinkDeps } from '../../shared/domain/magic-link.js';
import { AuthError } from '../../shared/domain/errors.js';
import { emailRequestSchema } from '../../shared/http/email-schemas.js';
import { bindingCookie } from '../../shared/http/binding-cookie.js';
import { httpHandler } from '../../shared/http/handler.js';

/** One body for every address, known or not (S3). */
export const MAGIC_LINK_ACCEPTED = {
  message: 'If this address can receive mail, a sign-in link and code are on their way.',
};

/**
 * POST /auth/magic-link — mail a single-use sign-in link + code. `202` with the same body and the same
 * (random) binding cookie whether or not the account exists.
 */
export const createHandler = (deps: MagicLinkDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: emailRequestSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    if (!config.MAGIC_LINKS_ENABLED) throw new AuthError('not_found', 'Sign-in by email link is turned off.');
    // The cookie lets the landing page recognise this browser (S31); only its hash is stored with the link.
    const { binding } = await requestMagicLink(deps, { ...req.body, sourceIp: req.sourceIp });
    return {
      statusCode: 202,
      body: MAGIC_LINK_ACCEPTED,
      cookies: [bindingCookie('email_link', binding, config.MAGIC_LINK_TTL_SECONDS)],
    };
  });

export const handler = createHandler(magicLinkDeps());
