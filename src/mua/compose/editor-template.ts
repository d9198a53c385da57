// Composing in $EDITOR: the draft is written as a small header block (From, To, Cc, Bcc, Subject, one
// Attach line per file) and the body after a blank line; the edited file is read back the same way.
// Leaving the file unchanged cancels, like mutt.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../cli/errors.ts';

export interface EditableDraft {
  from: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  attach: string[];
  body: string;
}

const FIELDS = ['From', 'To', 'Cc', 'Bcc', 'Subject'] as const;

export function renderTemplate(d: EditableDraft): string {
  const lines = [
    `From: ${d.from}`,
    `To: ${d.to}`,
    `Cc: ${d.cc}`,
    `Bcc: ${d.bcc}`,
    `Subject: ${d.subject}`,
    ...d.attach.map((path) => `Attach: ${path}`),
  ];
  return `${lines.join('\n')}\n\n${d.body}`;
}

export function parseTemplate(text: string): EditableDraft {
  const normalized = text.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const head = split < 0 ? normalized : normalized.slice(0, split);
  const body = split < 0 ? '' : normalized.slice(split + 2);
  const draft: EditableDraft = { from: '', to: '', cc: '', bcc: '', subject: '', attach: [], body };
  let last: string | null = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last !== null) {
      appendField(draft, last, ' ' + line.trim());
      continue;
    }
    const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line);
    if (!m) {
      if (line.trim() === '') continue;
      throw new UserError(`cannot read the header line ${JSON.stringify(line)} (expected "Name: value")`);
    }
    const name = m[1]!.toLowerCase();
    const known = name === 'attach' || FIELDS.some((f) => f.toLowerCase() === name);
    if (!known) throw new UserError(`unknown header "${m[1]}" (use From, To, Cc, Bcc, Subject, Attach)`);
    last = name;
    if (name === 'attach') {
      if (m[2]!.trim() !== '') draft.attach.push(m[2]!.trim());
    } else appendField(draft, name, m[2]!.trim());
  }
  return draft;
}

function appendField(d: EditableDraft, name: string, value: string): void {
  if (name === 'attach') {
    if (d.attach.length > 0) d.attach[d.attach.length - 1] += value;
    return;
  }
  const key = name as 'from' | 'to' | 'cc' | 'bcc' | 'subject';
  d[key] = (d[key] + value).trim();
}

/** Opens `text` in $VISUAL / $EDITOR (vi when neither is set); returns the edited text, or null if unchanged. */
export async function editInEditor(text: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-compose-'));
  const file = join(dir, 'message.eml');
  try {
    writeFileSync(file, text, { mode: 0o600 });
    const editor = env['VISUAL'] || env['EDITOR'] || 'vi';
    // Through the shell, so EDITOR may carry arguments ("code --wait").
    const status = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env });
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (status !== 0)
      throw new UserError(`editor "${editor}" exited with status ${status ?? 'unknown'}; nothing sent`);
    const edited = readFileSync(file, 'utf8');
    return edited === text ? null : edited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
