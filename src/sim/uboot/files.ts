// The folder a TFTP server (or a boot partition) would serve. Names are resolved strictly inside
// the root: "../x", absolute paths and symlinks leaving the root are "not found", as tftpd's
// secure mode (-s) treats them.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ServedFile { path: string; name: string; size: number }
/** Bytes the server holds in memory: the script under test, which need not exist as a file. */
export interface ServedBytes { name: string; size: number; bytes: Uint8Array }
export type Served = ServedFile | ServedBytes;

export class FileServer {
  readonly root: string;
  /** A script made with ImageBuilder's `-p PREFIX` asks for PREFIX/file: those names are served from the root. */
  readonly #prefix: string | undefined;
  /** Real path → file holding its bytes: outputs staged but not yet under their final names. */
  readonly #staged: ReadonlyMap<string, string>;

  constructor(root: string, opts: { prependPath?: string; staged?: ReadonlyMap<string, string> } = {}) {
    this.root = fs.realpathSync(path.resolve(root));
    const p = opts.prependPath?.replace(/^\/+|\/+$/g, '');
    this.#prefix = p === undefined || p === '' ? undefined : `${p}/`;
    this.#staged = opts.staged ?? new Map();
  }

  /** The file for a requested name, or undefined (missing, a directory, or outside the root). */
  resolve(name: string): ServedFile | undefined {
    if (name === '' || name.includes('\0')) return undefined;
    let rel = name.replace(/^\/+/, '');
    if (this.#prefix !== undefined && rel.startsWith(this.#prefix)) rel = rel.slice(this.#prefix.length);
    const candidate = path.resolve(this.root, rel);
    if (!isInside(this.root, candidate)) return undefined;
    const staged = this.#stagedFor(candidate);
    if (staged !== undefined) return { path: staged, name, size: fs.statSync(staged).size };
    let real: string;
    try { real = fs.realpathSync(candidate); } catch { return undefined; }
    if (!isInside(this.root, real)) return undefined;
    const st = fs.statSync(real);
    if (!st.isFile()) return undefined;
    return { path: real, name, size: st.size };
  }

  #stagedFor(candidate: string): string | undefined {
    if (this.#staged.size === 0) return undefined;
    let parent: string;
    try { parent = fs.realpathSync(path.dirname(candidate)); } catch { return undefined; }
    return this.#staged.get(candidate) ?? this.#staged.get(path.join(parent, path.basename(candidate)));
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' ? false : !rel.startsWith('..') && !path.isAbsolute(rel);
}
