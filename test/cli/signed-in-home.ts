/** A config home with a stored login, as `jit login` would leave it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempConfigHome } from '../support/run-cli';

/** Makes a config home signed in to `url` with a token valid for `seconds`. */
export function signedInHome(url: string, seconds = 3600, token = 'token-1'): string {
  const home = tempConfigHome();
  mkdirSync(join(home, 'jit'), { mode: 0o700 });
  const login = {
    broker_url: url,
    email: 'ana@msp.example',
    access_token: token,
    expires_at: new Date(Date.now() + seconds * 1000).toISOString(),
    mfa_at: new Date().toISOString(),
  };
  writeFileSync(join(home, 'jit', 'credentials.json'), JSON.stringify(login), { mode: 0o600 });
  return home;
}
