// Session limits, from the [smtp] configuration (docs/config.md) with RFC 5321 §4.5.3 minimums kept by
// the schema's bounds. Timeouts are in milliseconds here so tests can use short ones.

import type { Config } from '../../config/schema.ts';

export interface SessionLimits {
  /** Longest command line, CRLF included. */
  maxLineLength: number;
  /** Longest AUTH exchange line (RFC 4954 §4: at least 12288). */
  maxAuthLineLength: number;
  maxMessageSize: number;
  maxRecipients: number;
  /** Failed commands before 421. */
  maxErrors: number;
  maxAuthFailures: number;
  /** Delay before answering a failed AUTH; doubled per further failure. */
  authFailureDelayMs: number;
  commandTimeoutMs: number;
  dataTimeoutMs: number;
  /** What to do with a bare CR or LF inside DATA (never an end of data either way). */
  bareLineEndings: 'reject' | 'normalize';
}

export function limitsFromConfig(smtp: Config['smtp']): SessionLimits {
  return {
    maxLineLength: smtp.max_line_length,
    maxAuthLineLength: Math.max(12288, smtp.max_line_length),
    maxMessageSize: smtp.max_message_size,
    maxRecipients: smtp.max_recipients,
    maxErrors: smtp.max_errors,
    maxAuthFailures: smtp.max_auth_failures,
    authFailureDelayMs: smtp.auth_failure_delay_ms,
    commandTimeoutMs: smtp.command_timeout_s * 1000,
    dataTimeoutMs: smtp.data_timeout_s * 1000,
    bareLineEndings: smtp.bare_line_endings === 'normalize' ? 'normalize' : 'reject',
  };
}
