// Retry timing (in the spirit of Postfix: minimal_backoff_time 300 s doubling up to maximal_backoff_time,
// bounce after maximal_queue_lifetime 5 days): all from config.queue, all computed from the injected clock.

import type { Config } from '../config/schema.ts';

/** Delay before the next attempt after `attempts` attempts (1 = the first one just failed). */
export function retryDelayMs(attempts: number, queue: Config['queue']): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const ceiling = Math.max(queue.max_backoff_s, queue.min_backoff_s);
  return Math.min(queue.min_backoff_s * 2 ** exponent, ceiling) * 1000;
}

/** When a message that keeps failing temporarily is given up (RFC 5321 §4.5.4.1: at least 4-5 days). */
export function expiresAt(createdAt: Date, queue: Config['queue']): Date {
  return new Date(createdAt.getTime() + queue.lifetime_s * 1000);
}

export function isExpired(createdAt: Date, now: Date, queue: Config['queue']): boolean {
  return now.getTime() >= expiresAt(createdAt, queue).getTime();
}

/** A delay warning is due once the message has waited delay_warning_s (0 = never). */
export function delayWarningDue(createdAt: Date, now: Date, queue: Config['queue']): boolean {
  return queue.delay_warning_s > 0 && now.getTime() - createdAt.getTime() >= queue.delay_warning_s * 1000;
}
