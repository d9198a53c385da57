// The local instance behind `npm start`: a config with loopback listeners on the standard ports + 1000
// (as `mox localserve` does, so no root is needed and a real server on the standard ports is not disturbed),
// the domain posthorn.localhost, and a demo account whose generated password is kept in data_dir
// (mode 0600) so that restarts keep it. Everything is created on first run and reused afterwards.

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AccountService } from '../accounts/index.ts';
import { renderExampleToml } from '../config/example.ts';
import { loadConfig, type LoadOptions } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { silentLogger } from '../log/logger.ts';
import { openStore } from '../storage/open.ts';
import { generatePassword } from './password-generator.ts';

export const LOCAL_DOMAIN = 'posthorn.localhost';
export const DEMO_ADDRESS = `demo@${LOCAL_DOMAIN}`;
export const DEMO_PASSWORD_FILE = 'demo-password';

/** Standard port + 1000. The config defaults (25xx, 2143) stay free for a `posthorn init` server. */
export const LOCAL_LISTENERS = {
  'listen.smtp': ['127.0.0.1:1025'],
  'listen.submission': ['127.0.0.1:1587'],
  'listen.submissions': ['127.0.0.1:1465'],
  'listen.imap': ['127.0.0.1:1143'],
  'listen.imaps': ['127.0.0.1:1993'],
};

export interface LocalInstance {
  config: Config;
  /** The config file was written by this run. */
  createdConfig: boolean;
  demo: { address: string; password: string; passwordFile: string; created: boolean };
}

export async function prepareLocalInstance(
  configPath: string,
  options: LoadOptions = {},
): Promise<LocalInstance> {
  const createdConfig = !existsSync(configPath);
  if (createdConfig) {
    mkdirSync(dirname(configPath), { recursive: true });
    const text = renderExampleToml({
      values: { hostname: 'localhost', data_dir: '.', ...LOCAL_LISTENERS },
      commentDefaults: true,
      header: [
        'Local Posthorn instance written by `npm start` on its first run; edit freely, it is not rewritten.',
        `Data (store, TLS pair, the demo password) is kept beside this file (data_dir = ".").`,
      ],
    });
    writeFileSync(configPath, text, { flag: 'wx' });
  }
  const config = loadConfig(configPath, options);
  const passwordFile = join(config.data_dir, DEMO_PASSWORD_FILE);
  const store = await openStore(config, silentLogger());
  try {
    const accounts = new AccountService(store.accounts);
    if (!(await accounts.isLocalDomain(LOCAL_DOMAIN))) await accounts.addDomain(LOCAL_DOMAIN);
    const saved = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : '';
    const password = saved || generatePassword();
    const exists = (await accounts.getAccount(DEMO_ADDRESS)) !== null;
    if (!exists) await accounts.createAccount(DEMO_ADDRESS, password);
    else if (!saved) await accounts.setPassword(DEMO_ADDRESS, password);
    if (!saved) {
      writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
      chmodSync(passwordFile, 0o600);
    }
    if (!(await accounts.getAlias(`postmaster@${LOCAL_DOMAIN}`))) {
      await accounts.addAlias(`postmaster@${LOCAL_DOMAIN}`, [DEMO_ADDRESS]);
    }
    return {
      config,
      createdConfig,
      demo: { address: DEMO_ADDRESS, password, passwordFile, created: !exists },
    };
  } finally {
    await store.close();
  }
}
