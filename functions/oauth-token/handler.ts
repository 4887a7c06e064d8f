import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { clientTokenDeps } from '../../shared/composition/clients.js';
import { getConfig } from '../../shared/composition/config.js';
import { clientCredentialsGrant, type ClientTokenDeps } from '../../shared/domain/clients/token.js';
import { httpHandler } from '../../shared/http/handler.js';

/** The certificate API Gateway verified on a mutual-TLS custom domain (absent on the default endpoint). */
const clientCertificate = (event: APIGatewayProxyEventV2) => {
  const cert = event.requestContext?.authentication?.clientCert;
  return cert?.clientCertPem && cert.subjectDN ? { pem: cert.clientCertPem, subjectDn: cert.subjectDN } : undefined;
};

/**
 * POST /oauth2/token (form) — the client credentials grant (RFC 6749 §4.4); errors are RFC 6749 §5.2 bodies and
 * every answer is `Cache-Control: no-store` (S75).
 */
export const createHandler = (deps: ClientTokenDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], oauthForm: true, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: await clientCredentialsGrant(deps, {
      form: req.form,
      authorization: req.headers.authorization,
      clientCert: clientCertificate(req.event),
    }),
    // RFC 6749 §5.1: no-store, and Pragma for HTTP/1.0 caches.
    headers: { Pragma: 'no-cache' },
  }));

export const handler = createHandler(clientTokenDeps());
