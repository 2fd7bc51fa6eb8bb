// boot.source → boot.scr, and writing every output atomically. Nothing is written
// until everything has been rendered, so a failure leaves the old outputs intact.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/file.js';
import { OutputError } from '../errors.js';
import { writeScriptImage } from '../images/uimage.js';
import type { BootPlan } from '../plan/types.js';

export interface RenderedOutputs {
  sourcePath: string;
  scriptPath: string;
  source: string;
  script: Uint8Array;
  /** xen.ub for bootm flows. */
  extra: { path: string; bytes: Uint8Array }[];
}

/**
 * Pack boot.source as a legacy script uImage, exactly as
 * `mkimage -A arm64 -T script -C none -a ADDR -e ADDR -d boot.source boot.scr` does.
 */
export function packScript(source: string, scriptAddr: number, timestamp: number): Uint8Array {
  return writeScriptImage(source, { time: timestamp, load: scriptAddr, ep: scriptAddr });
}

export function renderOutputs(plan: BootPlan, source: string, timestamp: number): RenderedOutputs {
  const resolve = (p: string) => path.resolve(plan.dir, p);
  return {
    sourcePath: resolve(plan.config.ubootSource.value),
    scriptPath: resolve(plan.config.ubootScript.value),
    source,
    script: packScript(source, plan.scriptAddr, timestamp),
    extra: plan.xen.uimage ? [{ path: plan.xen.uimage.absPath, bytes: plan.xen.uimage.bytes }] : [],
  };
}

export function writeOutputs(out: RenderedOutputs): string[] {
  const written: string[] = [];
  for (const [p, data] of [[out.sourcePath, out.source], [out.scriptPath, out.script], ...out.extra.map((e) => [e.path, e.bytes] as const)] as const) {
    try {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      writeFileAtomic(p, data);
    } catch (e) {
      throw new OutputError('OUTPUT_WRITE', `cannot write ${p}: ${(e as Error).message}`, { path: p });
    }
    written.push(p);
  }
  return written;
}
