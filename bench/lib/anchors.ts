// The anchors (Postfix 3.x with smtp-source/smtp-sink, Dovecot 2.3 imapd and lmtpd): installed with apt-get when
// missing. Postfix is preseeded "No configuration" so the package installs no system instance; the bench runs
// private instances only (postfix.ts, dovecot.ts).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  { binary: '/usr/sbin/postfix', package: 'postfix' },
  { binary: '/usr/sbin/smtp-source', package: 'postfix' },
  { binary: '/usr/sbin/smtp-sink', package: 'postfix' },
  { binary: '/usr/sbin/dovecot', package: 'dovecot-imapd' },
  { binary: '/usr/lib/dovecot/imap', package: 'dovecot-imapd' },
  // The end-to-end anchor delivers from Postfix into Dovecot over LMTP, as the classic pair is deployed.
  { binary: '/usr/lib/dovecot/lmtp', package: 'dovecot-lmtpd' },
];

export function missingAnchorPackages(): string[] {
  return [...new Set(NEEDED.filter((n) => !existsSync(n.binary)).map((n) => n.package))];
}

export function ensureAnchors(say: (line: string) => void): void {
  const missing = missingAnchorPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing ${missing.join(', ')}: run as root, or install them: apt-get install -y ${missing}`,
    );
  }
  say(`installing ${missing.join(', ')} with apt-get (once)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { env, stdio: ['pipe', 'ignore', 'inherit'] as ('pipe' | 'ignore' | 'inherit')[] };
  execFileSync('debconf-set-selections', [], {
    ...opts,
    input: 'postfix postfix/main_mailer_type select No configuration\n',
  });
  execFileSync('apt-get', ['update'], { ...opts, timeout: 300_000 });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    ...opts,
    timeout: 600_000,
  });
  // A package install may start a system instance; the bench never uses it and it would compete for CPU.
  for (const service of ['postfix', 'dovecot']) {
    try {
      execFileSync('service', [service, 'stop'], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // not running, or no service manager in this container
    }
  }
  const still = missingAnchorPackages();
  if (still.length > 0) throw new Error(`apt-get did not install ${still.join(', ')}`);
}
