// The one configuration schema: every option with its type, default and description.
// The TOML loader, environment overrides, `config example` and docs/config.md are all derived from it.
// Keys are exactly the TOML keys (snake_case), so outside tools and our code use the same names.

export type OptionType = 'string' | 'integer' | 'boolean' | 'string[]' | 'table';

export interface OptionSpec<T> {
  type: OptionType;
  default: T;
  description: string;
  /** Allowed values for a string option. */
  choices?: readonly string[];
  /** Inclusive bounds for an integer option (e.g. RFC minimums). */
  min?: number;
  max?: number;
  /** For 'table': the type of each value ("host:port" strings or inline tables are checked by the validator). */
  example?: string;
}

const str = (def: string, description: string, choices?: readonly string[]): OptionSpec<string> => ({
  type: 'string',
  default: def,
  description,
  choices,
});
const optStr = (description: string): OptionSpec<string | null> => ({
  type: 'string',
  default: null,
  description,
});
const int = (
  def: number,
  description: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): OptionSpec<number> => ({
  type: 'integer',
  default: def,
  description,
  min,
  max,
});
const bool = (def: boolean, description: string): OptionSpec<boolean> => ({
  type: 'boolean',
  default: def,
  description,
});
const list = (def: string[], description: string): OptionSpec<string[]> => ({
  type: 'string[]',
  default: def,
  description,
});

/** A static route: "host:port", or an inline table with the next hop and whether TLS is required. */
export type RouteSpec = string | { host: string; require_tls?: boolean };

export const schema = {
  hostname: str(
    'localhost',
    'Host name of this server: SMTP greeting, EHLO, Received headers, IMAP greeting.',
  ),
  data_dir: str(
    'data',
    'Directory for the SQLite store, generated TLS keys and other state; relative to the config file.',
  ),
  listen: {
    smtp: list(
      ['127.0.0.1:2525'],
      'SMTP MX role listeners ("host:port"): other servers deliver mail for our users.',
    ),
    submission: list(['127.0.0.1:2587'], 'Submission listeners with STARTTLS; AUTH required (RFC 6409).'),
    submissions: list([], 'Submission listeners with implicit TLS (RFC 8314); AUTH required.'),
    imap: list(['127.0.0.1:2143'], 'IMAP listeners with STARTTLS.'),
    imaps: list([], 'IMAP listeners with implicit TLS (RFC 8314).'),
  },
  tls: {
    cert: optStr(
      'PEM certificate chain file; when cert and key are absent a self-signed pair is generated in data_dir.',
    ),
    key: optStr('PEM private key file for `cert`.'),
  },
  routes: {
    type: 'table',
    default: {} as Record<string, RouteSpec>,
    description:
      'Static next hop per recipient domain, used before any MX lookup: "domain" = "host:port", or ' +
      '{ host = "host:port", require_tls = true }. The key "*" is a smarthost for every other domain.',
    example: '"hamburger.edu" = "127.0.0.1:3525"',
  } satisfies OptionSpec<Record<string, RouteSpec>>,
  dns: {
    servers: list([], 'DNS resolvers ("host:port"); empty uses the system resolver.'),
    timeout_ms: int(5000, 'Timeout of one DNS query in milliseconds.', 100),
  },
  storage: {
    backend: str('sqlite', 'Storage backend.', ['sqlite', 'postgres']),
    path: str('posthorn.db', 'SQLite database file, relative to data_dir.'),
    url: optStr('PostgreSQL connection URL, e.g. postgres://user@host/db (backend = "postgres").'),
  },
  log: {
    level: str('info', 'Log level.', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    format: str('auto', 'Log format: JSON lines, or readable text; "auto" = readable on a terminal.', [
      'auto',
      'json',
      'pretty',
    ]),
  },
  smtp: {
    max_message_size: int(52428800, 'Largest message accepted, in octets (SIZE, RFC 1870).', 65536),
    max_recipients: int(100, 'Recipients per message (RFC 5321 §4.5.3.1.8 requires at least 100).', 100),
    max_line_length: int(
      4096,
      'Longest command line, in octets incl. CRLF (RFC 5321 §4.5.3.1.4: 512); AUTH lines may be 12288. ' +
        'Data lines are bounded by max_message_size only.',
      1000,
    ),
    max_errors: int(10, 'Failed commands in one session before it is closed with 421.', 1),
    command_timeout_s: int(
      300,
      'Seconds to wait for the next command (RFC 5321 §4.5.3.2.7: at least 5 minutes).',
      1,
    ),
    data_timeout_s: int(
      180,
      'Seconds to wait for more data inside DATA/BDAT (RFC 5321 §4.5.3.2.6: 3 minutes).',
      1,
    ),
    max_connections: int(1000, 'Simultaneous SMTP connections, all listeners together.', 1),
    max_connections_per_ip: int(50, 'Simultaneous SMTP connections from one IP address.', 1),
    max_received_headers: int(50, 'Received headers after which a message is taken to loop (554 5.4.6).', 10),
    max_auth_failures: int(3, 'Failed AUTH attempts before the session is closed.', 1),
    auth_failure_delay_ms: int(1000, 'Delay before answering a failed AUTH, doubled per failure.', 0),
    bare_line_endings: str(
      'reject',
      'A bare CR or LF inside DATA (never an end of data): "reject" the message (554 5.5.2) or "normalize" it to CRLF.',
      ['reject', 'normalize'],
    ),
  },
  imap: {
    max_line_length: int(65536, 'Longest command line, in octets, literals excluded.', 8192),
    max_literal_size: int(52428800, 'Largest literal (and APPENDLIMIT), in octets.', 65536),
    idle_timeout_s: int(
      1800,
      'Seconds of inactivity before an authenticated session is closed (RFC 9051 §5.4: ≥ 30 min).',
      60,
    ),
    preauth_timeout_s: int(60, 'Seconds a session may stay unauthenticated.', 5),
    max_auth_failures: int(3, 'Failed LOGIN/AUTHENTICATE attempts before BYE.', 1),
    auth_failure_delay_ms: int(1000, 'Delay before answering a failed login, doubled per failure.', 0),
    allow_insecure_auth: bool(false, 'Allow LOGIN/AUTHENTICATE without TLS on non-loopback listeners.'),
    max_connections: int(5000, 'Simultaneous IMAP connections, all listeners together.', 1),
    max_connections_per_ip: int(100, 'Simultaneous IMAP connections from one IP address.', 1),
    max_output_buffer: int(16777216, 'Octets queued for a slow reader before the session is closed.', 65536),
  },
  queue: {
    concurrency: int(20, 'Deliveries in progress at once, all destinations together.', 1),
    per_destination: int(4, 'Deliveries in progress at once to one destination (next-hop host).', 1),
    messages_per_connection: int(100, 'Messages sent over one SMTP session before it is closed.', 1),
    min_backoff_s: int(
      300,
      'First retry delay after a temporary failure, in seconds; doubled per attempt.',
      1,
    ),
    max_backoff_s: int(3600, 'Longest retry delay, in seconds.', 1),
    lifetime_s: int(
      432000,
      'Seconds after which a message that still fails temporarily is bounced (5 days).',
      60,
    ),
    delay_warning_s: int(14400, 'Send a delay DSN after this many seconds (0 disables).', 0),
    max_crashes: int(5, 'Attempts that ended without a result before a message is held.', 1),
    connect_timeout_s: int(30, 'Seconds to wait for a TCP connection to a remote server.', 1),
    command_timeout_s: int(300, 'Seconds to wait for a reply to one SMTP command (RFC 5321 §4.5.3.2).', 1),
    data_timeout_s: int(
      600,
      'Seconds to wait for the reply after the final dot (RFC 5321 §4.5.3.2.6: 10 min).',
      1,
    ),
    lease_s: int(
      900,
      'Seconds a node holds a message it is delivering before another node may take it over.',
      10,
    ),
    require_tls: bool(false, 'Require STARTTLS for every outgoing delivery (per route: require_tls).'),
    verify_tls: bool(false, 'Require a valid certificate from remote servers (opportunistic TLS does not).'),
  },
  auth: {
    dkim_sign: bool(
      true,
      'Sign outgoing mail from local domains with their DKIM keys (Ed25519 and RSA, in data_dir/dkim/).',
    ),
    verify_inbound: bool(
      true,
      'Check SPF, DKIM, DMARC and ARC of mail received on the MX role and record them in Authentication-Results.',
    ),
    trusted_networks: list(
      ['127.0.0.0/8', '::1/128'],
      'Client networks (CIDR) whose mail on the MX role is not verified, like Postfix mynetworks; [] checks everyone.',
    ),
    dmarc_reject: str(
      'reject',
      'When DMARC fails for a domain that publishes p=reject: "reject" (550 5.7.1), "junk" or "accept".',
      ['reject', 'junk', 'accept'],
    ),
    dmarc_quarantine: str(
      'junk',
      'When DMARC fails for a domain that publishes p=quarantine: "junk" (deliver to Junk), "reject" or "accept".',
      ['reject', 'junk', 'accept'],
    ),
    spf_fail: str(
      'accept',
      'When SPF fails for MAIL FROM and the domain has no DMARC record: "accept", "junk" or "reject" (550 5.7.23).',
      ['reject', 'junk', 'accept'],
    ),
    dns_trouble: str(
      'tempfail',
      'When DNS trouble (timeout, SERVFAIL) hides a result that matters: "tempfail" (451 4.4.3) or "accept".',
      ['tempfail', 'accept'],
    ),
    arc_trusted_sealers: list(
      [],
      'Forwarders (ARC-Seal d= domains) whose passing ARC chain overrides a DMARC failure (RFC 8617 §7.2).',
    ),
    dmarc_policy: str('reject', 'DMARC policy (p=) that `posthorn dns records` proposes for local domains.', [
      'none',
      'quarantine',
      'reject',
    ]),
    report_address: optStr(
      'Address for DMARC aggregate and TLS-RPT reports in the proposed DNS records (default postmaster@<domain>).',
    ),
  },
  autoconfig: {
    listen: list(
      [],
      'HTTP listeners ("host:port") for client autoconfiguration and the MTA-STS policy; off by default.',
    ),
    listen_tls: list(
      [],
      'HTTPS listeners ("host:port") with the [tls] certificate; Thunderbird and MTA-STS need HTTPS on port 443.',
    ),
    mta_sts_mode: str(
      'testing',
      'Mode of the served MTA-STS policy (RFC 8461 §5): "testing" (report only), "enforce" (needs a valid certificate) or "none".',
      ['testing', 'enforce', 'none'],
    ),
    mta_sts_max_age_s: int(
      604800,
      'max_age of the MTA-STS policy, in seconds (RFC 8461 §3.2).',
      86400,
      31557600,
    ),
  },
} as const;

// ---------------------------------------------------------------- the typed value

type ValueOf<S> =
  S extends OptionSpec<infer T>
    ? T
    : S extends Record<string, unknown>
      ? { -readonly [K in keyof S]: ValueOf<S[K]> }
      : never;

/** The loaded configuration: TOML keys as given, defaults filled in, paths made absolute. */
export type Config = ValueOf<typeof schema> & {
  /** Absolute path of the config file it was loaded from, or null for defaults only. */
  readonly source: string | null;
};

export function isOptionSpec(x: unknown): x is OptionSpec<unknown> {
  return typeof x === 'object' && x !== null && 'type' in x && 'description' in x && 'default' in x;
}
