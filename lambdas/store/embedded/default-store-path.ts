/**
 * Where the embedded store lives by default (conventions.md): `$XDG_DATA_HOME/fleet-dns/results.db`,
 * else `~/.local/share/fleet-dns/results.db`. An empty or relative XDG_DATA_HOME is ignored, as
 * the XDG Base Directory specification says.
 *
 * @see https://specifications.freedesktop.org/basedir-spec/latest/
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export function defaultStorePath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_DATA_HOME;
  const dataHome = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
  return join(dataHome, 'fleet-dns', 'results.db');
}
