import { AuthError } from './errors.js';
import { logger } from '../observability/log.js';
import type { Mailer, MailMessage } from '../ports/mailer.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { MailTemplates } from '../ports/mail-templates.js';
import { sha256Hex } from './secrets.js';

export interface MailLimits {
  perAddress: number;
  perIp: number;
  windowSeconds: number;
}

export interface MailDeps {
  mailer: Mailer;
  templates: MailTemplates;
  /** Base of every link in a mail (config PUBLIC_URL), never the request's Host (S32). */
  publicUrl: string;
  limiter: RateLimiter;
  mailLimits: MailLimits;
}

/**
 * Mail throttles (S33): one budget per address (hashed, so the ephemeral table never holds addresses) shared by
 * every email flow, and one per source IP. Counted before the account is looked up, so known and unknown
 * addresses are refused alike: `429 too_many_attempts` with `Retry-After`.
 */
export async function throttleMail(deps: MailDeps, email: string, sourceIp: string): Promise<void> {
  const { perAddress, perIp, windowSeconds } = deps.mailLimits;
  const [address, ip] = await Promise.all([
    deps.limiter.consume(`mail:address:${sha256Hex(email)}`, perAddress, windowSeconds),
    deps.limiter.consume(`mail:ip:${sourceIp}`, perIp, windowSeconds),
  ]);
  if (address.allowed && ip.allowed) return;
  const retryAfter = Math.max(
    address.allowed ? 0 : address.retryAfterSeconds,
    ip.allowed ? 0 : ip.retryAfterSeconds,
    1,
  );
  throw new AuthError('too_many_attempts', 'Too many mails were requested. Try again later.', {
    headers: { 'Retry-After': String(retryAfter) },
  });
}

/**
 * A running estimate of how long a send takes in this container, so that a path that must not send (an
 * unknown address) can spend the same time instead: the response time does not tell whether a mail went out.
 */
let sendEstimateMs = 60;

/**
 * Sends `message`. A failure is logged (without the message: it holds a link and a code, S49) and, only when
 * `failLoud` (the caller has checked that failing does not reveal whether the account exists), becomes
 * `503 mail_unavailable`.
 */
export async function deliver(
  deps: MailDeps,
  message: MailMessage,
  what: { purpose: string; failLoud: boolean },
): Promise<void> {
  const started = performance.now();
  try {
    await deps.mailer.send(message);
  } catch (cause) {
    logger.error('mail send failed', {
      purpose: what.purpose,
      cause: cause instanceof Error ? cause.name : typeof cause,
    });
    if (what.failLoud)
      throw new AuthError('mail_unavailable', 'Mail cannot be sent right now; try again shortly.', { cause });
  } finally {
    sendEstimateMs = 0.8 * sendEstimateMs + 0.2 * (performance.now() - started);
  }
}

/** Spends about as long as a send would (±20 %), for the paths that send nothing. */
export async function pretendToDeliver(): Promise<void> {
  const ms = sendEstimateMs * (0.8 + Math.random() * 0.4);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** The link of a mail: PUBLIC_URL + the landing path + the token. */
export const linkTo = (publicUrl: string, path: string, token: string) =>
  `${publicUrl}${path}?token=${encodeURIComponent(token)}`;
