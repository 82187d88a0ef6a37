// In a clone, whether dist/ must be built (again) before it is run: missing, or older than a file
// under src/. An installed package has no src/ and is never rebuilt.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }
  return latest;
}

/** 'missing', 'stale' or null (dist/ is current), for the package at `root`. */
export function distState(root) {
  const built = join(root, 'dist/collector/cli.js');
  if (!existsSync(built)) return 'missing';
  const src = join(root, 'src');
  return existsSync(src) && newest(src) > statSync(built).mtimeMs ? 'stale' : null;
}
