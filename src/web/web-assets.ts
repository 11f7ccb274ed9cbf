/**
 * Where the web form's templates and stylesheet live. They stay in
 * src/web/ (tsc does not copy them), so both the compiled broker in dist/ and
 * the tests find them from the project root, the folder holding package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function projectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('web assets: no package.json above the broker');
    dir = parent;
  }
  return dir;
}

/** Absolute path of a folder under src/web/ (`templates` or `static`). */
export function webAssetDir(name: 'templates' | 'static'): string {
  return join(projectRoot(__dirname), 'src', 'web', name);
}
