// boot.source → boot.scr: the bytes of every output, in memory. Writing them (checked paths,
// one unit, only after verification) is src/output's job.
import * as path from 'node:path';
import { writeScriptImage } from '../images/uimage.js';
import type { BootPlan } from '../plan/types.js';

export interface RenderedOutputs {
  sourcePath: string;
  scriptPath: string;
  source: string;
  script: Uint8Array;
  /** xen.ub for bootm flows (beside boot.scr); the passthrough DTBs compiled from partial device trees. */
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
    extra: [
      ...(plan.xen.uimage ? [{ path: plan.xen.uimage.absPath, bytes: plan.xen.uimage.bytes }] : []),
      ...(plan.generated ?? []).map((g) => ({ path: g.absPath, bytes: g.bytes })),
    ],
  };
}
