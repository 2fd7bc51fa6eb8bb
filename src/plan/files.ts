// The files a config names: where they are, how the load command names them, and their sizes
// read from their headers (src/images), with errors pointing at the config key's value.
import * as path from 'node:path';
import { ImageFormatError } from '../errors.js';
import type { FileRef } from '../config/types.js';
import { sizeImage, type ImageFileIo, type ImageInfo } from '../images/probe-file.js';
import { checkRole, type ImageRole } from '../images/roles.js';

/** Path as it appears in the load command: relative to DIR when inside it (ImageBuilder load_file()). */
export function scriptPath(dir: string, abs: string): string {
  const rel = path.relative(dir, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

export function resolveFile(dir: string, ref: FileRef): string {
  return path.resolve(dir, ref.value);
}

/**
 * Size a file the config names and check it can serve `role`. Errors point at the config
 * key and the position of its value, so the message names the file, the line and the fix.
 */
export function sizeConfigFile(dir: string, ref: FileRef, role: ImageRole, io?: ImageFileIo): ImageInfo {
  const abs = resolveFile(dir, ref);
  try {
    const info = sizeImage(abs, ref.key, io);
    checkRole(info, role, ref.key);
    return info;
  } catch (e) {
    if (!(e instanceof ImageFormatError)) throw e;
    const where = { ...ref.where, key: ref.key };
    if (e.code === 'IMAGE_NOT_FOUND') {
      throw new ImageFormatError('IMAGE_NOT_FOUND', `${ref.key} = "${ref.value}": no such file in ${dir}`, { path: abs },
        where, 'paths in the config are relative to the -d directory (default: the config file\'s folder)');
    }
    throw new ImageFormatError(e.code, e.message, e.data, where, e.hint);
  }
}

/** sizeImage() over bytes in memory (a file this run made, not yet written). */
export function memoryFileIo(bytes: Uint8Array): ImageFileIo {
  return {
    open: () => 0,
    size: () => bytes.length,
    read: (_fd, position, length) => bytes.subarray(position, position + length),
    close: () => undefined,
  };
}
