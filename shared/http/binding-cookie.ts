/**
 * The browser-binding cookies (S31, S34), one helper for every flow that binds a browser. `__Host-`: Secure,
 * Path=/, no Domain, so no sibling subdomain can set or read it. HttpOnly. `SameSite=Lax`, because both flows come
 * back by a cross-site top-level navigation (the provider's redirect to the callback, a link opened from a mail
 * client) on which a Strict cookie would never be sent. Short-lived: the flow's own lifetime.
 */
import { readCookie } from './cookies.js';

export const BINDING_COOKIES = {
  /** An OAuth authorization in flight (≤ 10 min). */
  oauth: '__Host-oauth_tx',
  /** An email sign-in link requested by this browser. */
  email_link: '__Host-email_link_binding',
} as const;

export type BindingFlow = keyof typeof BINDING_COOKIES;

/** The Set-Cookie line carrying `value` for `maxAgeSeconds` (an empty value with 0 clears it). */
export const bindingCookie = (flow: BindingFlow, value: string, maxAgeSeconds: number): string =>
  `${BINDING_COOKIES[flow]}=${value}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;

export const clearBindingCookie = (flow: BindingFlow): string => bindingCookie(flow, '', 0);

/** The binding value the browser sent for `flow`, if any. */
export const readBindingCookie = (
  flow: BindingFlow,
  cookies: string[] | undefined,
  header: string | undefined,
): string | undefined => readCookie(cookies, header, BINDING_COOKIES[flow]);
