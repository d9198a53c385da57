// The text `npm start` prints once the server runs: where to point a mail client, and two ways to send a
// first message. Built from the addresses actually bound, so it is right whatever the config says.

import { parseHostPort } from '../net/host-port.ts';
import type { ListenerName } from './listening.ts';

export interface GuideInput {
  listening: Record<ListenerName, string[]>;
  address: string;
  password: string;
  passwordFile: string;
  dataDir: string;
}

const sh = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function connectionGuide(input: GuideInput): string {
  const first = (name: ListenerName) => {
    const text = input.listening[name][0];
    return text === undefined ? null : parseHostPort(text);
  };
  const smtp = first('smtp');
  const submission = first('submission');
  const submissions = first('submissions');
  const imap = first('imap');
  const imaps = first('imaps');
  const host = (submission ?? imap ?? smtp ?? submissions ?? imaps)?.host ?? '127.0.0.1';
  const { address, password } = input;

  const lines = [
    '',
    `Posthorn is running. Data: ${input.dataDir}`,
    '',
    `  Account:   ${address}`,
    `  Password:  ${password}   (kept in ${input.passwordFile})`,
    '',
    `Mail client settings: server ${host}, user ${address}; the certificate is self-signed (accept it).`,
  ];
  const row = (label: string, port: number | undefined, tls: string) =>
    port === undefined ? [] : [`  ${label.padEnd(22)} port ${String(port).padEnd(5)}  ${tls}`];
  lines.push(
    ...row('IMAP (incoming)', imap?.port, 'STARTTLS'),
    ...row('IMAPS (incoming)', imaps?.port, 'SSL/TLS'),
    ...row('Submission (outgoing)', submission?.port, 'STARTTLS, normal password'),
    ...row('Submissions (outgoing)', submissions?.port, 'SSL/TLS, normal password'),
    ...row('SMTP MX (no login)', smtp?.port, 'what other servers deliver to'),
  );
  if (!imap && !imaps && !submission && !submissions && !smtp) lines.push('  (no listeners are configured)');

  if (submission) {
    const python =
      `import smtplib; s = smtplib.SMTP(${JSON.stringify(submission.host)}, ${submission.port}); s.starttls(); ` +
      `s.login(${JSON.stringify(address)}, ${JSON.stringify(password)}); ` +
      `s.sendmail(${JSON.stringify(address)}, [${JSON.stringify(address)}], ` +
      `"Subject: Hello from Posthorn\\r\\n\\r\\nMy first message.\\r\\n"); s.quit()`;
    lines.push(
      '',
      'Send a first message (to yourself):',
      `  swaks --server ${submission.host}:${submission.port} --tls --auth-user ${address} --auth-password ${sh(password)} --from ${address} --to ${address}`,
      `  python3 -c ${sh(python)}`,
    );
  } else if (smtp) {
    lines.push('', 'Send a first message:', `  swaks --server ${smtp.host}:${smtp.port} --to ${address}`);
  }
  if (imap) {
    const python =
      `import imaplib, ssl; m = imaplib.IMAP4(${JSON.stringify(imap.host)}, ${imap.port}); ` +
      `m.starttls(ssl._create_unverified_context()); m.login(${JSON.stringify(address)}, ${JSON.stringify(password)}); ` +
      `m.select(); print(m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])"))`;
    lines.push('', 'Read it:', `  python3 -c ${sh(python)}`);
  }
  if (imap && submission) {
    // Posthorn's own mail client; the password is read from the saved file, the self-signed cert trusted.
    const cert = `${input.dataDir}/tls/cert.pem`;
    lines.push(
      '',
      "With Posthorn's own mail client (posthorn mail --help for more):",
      `  npx posthorn mail account add ${address} --yes --imap ${imap.host}:${imap.port} ` +
        `--smtp ${submission.host}:${submission.port} --tls starttls --ca-file ${sh(cert)} ` +
        `--password-command ${sh(`cat ${sh(input.passwordFile)}`)}`,
      `  npx posthorn mail send --to ${address} --subject 'Hello from Posthorn' --body 'My first message.'`,
      '  npx posthorn mail list',
    );
  }
  lines.push('', 'Stop with Ctrl-C. `npm start` again keeps the data and the password.', '');
  return lines.join('\n');
}
