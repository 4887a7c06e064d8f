import type { AuthBackendProps } from '../auth-backend-props.js';
import type { Settings } from '../auth-backend-validation.js';

/** The variables every function of the backend gets, whatever its spec: the backend-wide settings. */
export function commonEnvironment(props: AuthBackendProps, settings: Settings, issuer: string): Record<string, string> {
  return {
    ...props.environment,
    ISSUER: issuer,
    ...(props.audience !== undefined ? { AUDIENCE: props.audience } : {}),
    ACCESS_TOKEN_TTL_SECONDS: String(settings.accessTokenTtl.toSeconds()),
    REFRESH_REUSE_GRACE_SECONDS: String(settings.refreshReuseGrace.toSeconds()),
    CORS_ORIGINS: settings.corsOrigins.join(','),
    PASSWORD_MIN_LENGTH: String(settings.passwordMinLength),
    POWERTOOLS_SERVICE_NAME: 'auth',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...oauthEnvironment(settings),
  };
}

/** The functions' view of the social sign-in props (client secrets only by ARN: never in the template). */
function oauthEnvironment(settings: Settings): Record<string, string> {
  const env: Record<string, string> = {};
  if (Object.keys(settings.oauthProviders).length) env.OAUTH_PROVIDERS = JSON.stringify(settings.oauthProviders);
  if (settings.allowedRedirectOrigins.length) env.ALLOWED_REDIRECT_ORIGINS = settings.allowedRedirectOrigins.join(',');
  return env;
}
