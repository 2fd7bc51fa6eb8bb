// The planner: config + the binaries on disk → BootPlan, in four stages, each its own module:
//   collect (collect.ts)  files, roles, sizes from headers, identities, APPEND_EXTRA_CMDS
//   place   (place.ts)    every file's address (allocate.ts), around what the board keeps
//   edits   (dtb.ts)      the DTB's growth from the script's fdt edits → `fdt resize`, DTB slot
//   checks  (checks.ts)   a table of checks on the inputs and on the finished plan
// The growth is measured by the caller on the rendered script (src/emit), so the planner never
// formats a script line and the templates stay the one source of truth for the edits.
import { UbootGenError } from '../errors.js';
import type { Config, Diagnostic } from '../config/types.js';
import { runChecks } from './checks.js';
import { collect } from './collect.js';
import { DEFAULT_FDT_PAD, planDtb } from './dtb.js';
import { place, placeLoad } from './place.js';
import type { BootPlan, GeneratedInput, PlanOptions } from './types.js';
import { staticRegions } from './static-mem.js';

export interface PlanInputs {
  config: Config;
  dir: string;
  diagnostics?: Diagnostic[];
  /** Files made before planning (src/plan/passthrough-dts.ts): sized from these bytes, not from disk. */
  generated?: GeneratedInput[];
}

/** The board DTB as the script will edit it. */
export interface BoardDtb { bytes: Uint8Array; label: string }

/**
 * Bytes the script rendered from `draft` adds to the board DTB with its `fdt` commands. The
 * draft is complete except that its DTB slot and `fdt resize` may be provisional.
 */
export type MeasureGrowth = (draft: BootPlan, board: BoardDtb) => number;

/**
 * Rounds of render-and-measure before giving up. The first measures a draft with a provisional
 * DTB slot; the second confirms the growth once the slot is final. Only a template that writes
 * the DTB's own address or resize into the tree can need more.
 */
const MAX_MEASURE_ROUNDS = 4;

export function planBoot({ config, dir, diagnostics = [], generated = [] }: PlanInputs, opts: PlanOptions, measureGrowth: MeasureGrowth): BootPlan {
  const fdtPad = opts.fdtPad ?? DEFAULT_FDT_PAD;
  const diags = [...diagnostics];

  const collected = collect(config, dir, {
    share: opts.share ?? true, generated, ...(opts.board !== undefined ? { board: opts.board } : {}),
    ...(opts.xenVersion !== undefined ? { xenVersion: opts.xenVersion } : {}),
    ...(opts.xenConfig !== undefined ? { xenConfig: opts.xenConfig } : {}),
  });
  runChecks('input', { collected }, diags);
  const placed = place(collected, opts);
  const cpupools = 'pools' in collected.cpupools ? collected.cpupools.pools : [];

  const assemble = (growth: number): BootPlan => {
    const dtb = planDtb(collected, placed, growth, fdtPad);
    // A control DTB is already in U-Boot's memory: nothing to load.
    const loads = dtb.control ? [...placed.loads] : [...placed.loads, dtb.load];
    const b = collected.bitstream;
    if (b) {
      // ImageBuilder loads the bitstream last, right after the DTB, and programs it at once.
      const after = loads[loads.length - 1]?.reservedEnd ?? placed.cursor;
      loads.push(placeLoad(dir, after, placed.avoid, {
        id: 'fpga_bitstream', role: 'bitstream', keys: ['BITSTREAM'], abs: b.abs, loadCmd: config.xenLoad, info: b.info, footprint: b.info.transferSize,
      }, config.runtimeSizing));
    }
    return {
      config, dir, memoryStart: config.memoryStart, memoryEnd: config.memoryEnd, scriptAddr: placed.scriptAddr, loads,
      xen: placed.xen, ...(placed.linux ? { linux: placed.linux } : {}), dtb, domains: placed.domains, bootCmd: config.bootCmd, avoided: placed.avoid, ram: placed.ram, staticRegions: staticRegions(config),
      board: {
        ...(collected.dtb.board.profile !== undefined ? { profile: collected.dtb.board.profile } : {}),
        ...(collected.dtb.board.uart !== undefined ? { uart: collected.dtb.board.uart } : {}),
        ...(collected.dtb.board.ubootWindow ? { ubootWindow: collected.dtb.board.ubootWindow } : {}),
      },
      highWater: Math.max(...loads.map((l) => l.addr + l.footprint)), diagnostics: diags, cpupools, xenRelease: collected.xenBuild.release.text,
      ...(collected.extraCmds !== undefined ? { extraCmds: collected.extraCmds } : {}),
      ...(generated.length ? { generated } : {}),
    };
  };

  const board = { bytes: collected.dtb.bytes, label: collected.dtb.label };
  let growth = measureGrowth(assemble(0), board);
  let plan = assemble(growth);
  for (let round = 2; ; round++) {
    const again = measureGrowth(plan, board);
    if (again === growth) break;
    if (round === MAX_MEASURE_ROUNDS) {
      throw new UbootGenError('EMIT_EDITS_UNSTABLE',
        `the script's fdt edits add ${growth} bytes for one DTB slot and ${again} for the next: the templates write the DTB's own address or resize into the device tree`,
        { growth, again }, undefined, 'keep dtb.addr and dtb.resize out of the values the templates set in the device tree');
    }
    growth = again;
    plan = assemble(growth);
  }
  runChecks('plan', { collected, placed, plan }, diags);
  return plan;
}
