// `--install DIR`: put the boot script and every file it loads into a TFTP root, under the
// names the script asks for (the -p prefix included). Each file is linked (or, across file
// systems, copied) to a temp name beside its target and renamed over it, so no file is ever
// seen half-written; the script goes last, so a board never fetches a script whose files are
// not all in place yet.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputError } from '../errors.js';

export interface InstallItem {
  /** The file as the script asks for it (relative to the TFTP root). */
  name: string;
  /** Where its bytes are now. */
  from: string;
}

export interface Installed { name: string; path: string; how: 'link' | 'copy' | 'unchanged' }

function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Install `files`, then `script`, into `root`. */
export function installForTftp(root: string, files: readonly InstallItem[], script: InstallItem): Installed[] {
  let rootReal: string;
  try {
    rootReal = fs.realpathSync(root);
  } catch {
    throw new OutputError('OUTPUT_NO_FOLDER', `--install ${root}: the TFTP root does not exist`, { root }, undefined, `create it first (mkdir -p ${root})`);
  }
  const done: Installed[] = [];
  for (const item of [...files, script]) {
    const segments = item.name.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.length === 0 || segments.includes('..')) {
      throw new OutputError('OUTPUT_OUTSIDE_DIR', `--install: ${item.name} would land outside the TFTP root ${root}`, { name: item.name }, undefined, 'name files relative to the -d folder');
    }
    const target = path.join(rootReal, ...segments);
    if (sameFile(item.from, target)) { done.push({ name: item.name, path: target, how: 'unchanged' }); continue; }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.install.tmp`);
    fs.rmSync(tmp, { force: true });
    let how: Installed['how'] = 'link';
    try {
      fs.linkSync(item.from, tmp);
    } catch {
      // Another file system (or links not allowed there): a copy, flushed before it takes the name.
      how = 'copy';
      fs.copyFileSync(item.from, tmp);
      const fd = fs.openSync(tmp, 'r+');
      try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    }
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new OutputError('OUTPUT_WRITE', `--install: cannot write ${target}: ${(e as Error).message}`, { path: target }, undefined, 'check that the TFTP root is writable');
    }
    done.push({ name: item.name, path: target, how });
  }
  return done;
}
