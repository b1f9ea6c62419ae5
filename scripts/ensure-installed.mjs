// Runs `npm ci` when node_modules does not match package-lock.json, so `npm test` and `npm run demo` work on a
// fresh clone without a separate install step. Checking every locked package's version on disk takes a few
// milliseconds; `npm ci` itself runs only when something is missing or stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));

/** Locked, non-optional packages whose installed version differs from the lockfile's (or that are absent). */
function stalePackages() {
  const stale = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    // Optional packages may fail to install by design (tfjs-node downloads libtensorflow; platform binaries).
    if (path === '' || entry.optional || entry.link) continue;
    const manifest = join(root, path, 'package.json');
    if (!existsSync(manifest)) {
      stale.push(`${path} (missing)`);
      continue;
    }
    const installed = JSON.parse(readFileSync(manifest, 'utf8')).version;
    if (installed !== entry.version) stale.push(`${path} (${installed}, locked ${entry.version})`);
  }
  return stale;
}

const stale = stalePackages();
if (stale.length > 0) {
  const shown = stale.slice(0, 3).join(', ') + (stale.length > 3 ? ` and ${stale.length - 3} more` : '');
  console.log(`radlab: installing dependencies (npm ci): ${shown} not as package-lock.json says`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
