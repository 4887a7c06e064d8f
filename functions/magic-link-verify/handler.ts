import { getConfig } from '../../shared/composition/config.js';
import { magicLinkDeps } from '../../shared/composition/email.js';
import { inspectMagicLink, verifyMagicLink, type MagicLinkDeps } from '../../shared/domain/magic-link.js';
import { AuthError } from '../../shared/domain/errors.js';
import { clearBindingCookie, readBindingCookie } from '../../shared/http/binding-cookie.js';
import { LANDING_PAGE_CSP, landingPage } from '../../shared/http/email-landing-page.js';
import { redemptionOf, redemptionSchema } from '../../shared/http/email-schemas.js';
import { httpHandler } from '../../shared/http/handler.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/**
 * GET /auth/magic-link/verify?token=… — the landing page; reads, never consumes (S31).
 * POST /auth/magic-link/verify `{token}` or `{email, code}` — consumes the link once (S30) and answers the
 * token response, plus `redirectTo` when the link carried one.
 */
export const createHandler = (deps: MagicLinkDeps, config = getConfig()) =>
  httpHandler(
    {
      methods: ['GET', 'POST'],
      body: redemptionSchema,
      maxBodyBytes: config.MAX_BODY_BYTES,
      contentSecurityPolicy: LANDING_PAGE_CSP,
    },
    async (req) => {
      if (!config.MAGIC_LINKS_ENABLED) throw new AuthError('not_found', 'Sign-in by email link is turned off.');
      if (req.event.requestContext.http.method === 'GET') {
        const binding = readBindingCookie('email_link', req.event.cookies, req.headers.cookie);
        const { sameBrowser } = await inspectMagicLink(deps, req.event.queryStringParameters?.token, binding);
        return landingPage('magic_link', { autoSubmit: sameBrowser });
      }
      const { tokens, redirectTo } = await verifyMagicLink(deps, redemptionOf(req.body));
      const response = tokenResponse(200, tokens, {
        cookieName: config.REFRESH_COOKIE_NAME,
        deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
      });
      return {
        ...response,
        body: { ...(response.body as Record<string, unknown>), ...(redirectTo ? { redirectTo } : {}) },
        cookies: [...(response.cookies ?? []), clearBindingCookie('email_link')],
      };
    },
  );

export const handler = createHandler(magicLinkDeps());
