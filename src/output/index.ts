// The outputs of one run, from checked paths to the committed files:
//   prepare (policy checks) → stage (temps, which the verification reads) → finish (commit on
//   success; on failure the previous outputs stay, and --keep-failed writes NAME.failed.*).
import * as path from 'node:path';
import type { RenderedOutputs } from '../emit/outputs.js';
import type { BootPlan } from '../plan/types.js';
import { StagedOutputs, recoverOutputsIfFree, type Recovery } from './commit.js';
import type { LockOptions } from './lock.js';
import { checkOutputs, failedName, type OutputPolicy, type OutputTarget, type WantedOutput } from './paths.js';

export { StagedOutputs, recoverOutputs, JOURNAL_NAME, type OutputFile, type Recovery } from './commit.js';
export { FolderLock, LOCK_NAME } from './lock.js';
export { checkOutputs, failedName, type OutputPolicy, type OutputTarget } from './paths.js';

export interface OutputRunOptions extends OutputPolicy {
  /** On failure, write the failing boot.source/boot.scr as NAME.failed.source/.scr. */
  keepFailed?: boolean;
  lock?: LockOptions;
}

export interface FinishedOutputs {
  /** Files replaced (empty when the run failed). */
  written: string[];
  /** The failing script kept for inspection (--keep-failed). */
  keptFailed: string[];
  /** A killed run's journal finished, or its temps removed, before this run's outputs. */
  recovery: Recovery;
}

/** The outputs a generate run wants, in commit order: boot.source, boot.scr, then xen.ub, the passthrough DTBs and the FDTEDIT blob. */
export function wantedOutputs(plan: BootPlan, out: RenderedOutputs): WantedOutput[] {
  const { fdtEdit, fit } = plan.config;
  const role = (p: string): Pick<WantedOutput, 'role' | 'ref'> => {
    const abs = path.resolve(p);
    if (fdtEdit && abs === path.resolve(plan.dir, fdtEdit.value)) return { role: 'fdt-edit', ref: fdtEdit };
    if (fit?.ubootDtb && abs === path.resolve(plan.dir, fit.ubootDtb.value)) return { role: 'fit-key-dtb', ref: fit.ubootDtb };
    if (fit && abs === path.resolve(plan.dir, fit.its)) return { role: 'fit-its', ref: fit.file };
    const made = plan.generated?.find((g) => g.absPath === abs);
    if (made) return { role: 'passthrough-dtb', ref: made.ref };
    return { role: 'xen-uimage', ref: plan.config.xen };
  };
  return [
    { role: 'source', path: out.sourcePath, data: out.source, ref: plan.config.ubootSource },
    // In FIT mode the script image is the FIT itself (boot.source is still written beside it).
    { role: 'script', path: out.scriptPath, data: out.script, ref: fit ? fit.file : plan.config.ubootScript },
    ...out.extra.map((e): WantedOutput => ({ ...role(e.path), path: e.path, data: e.bytes })),
  ];
}

export class OutputRun {
  readonly targets: OutputTarget[];
  readonly #failedTargets: OutputTarget[];
  readonly #opts: OutputRunOptions;
  #staged: StagedOutputs | undefined;
  #recovery: Recovery = { journal: false, rolledForward: [], removedTemps: [] };

  private constructor(targets: OutputTarget[], failedTargets: OutputTarget[], opts: OutputRunOptions) {
    this.targets = targets;
    this.#failedTargets = failedTargets;
    this.#opts = opts;
  }

  /** Check where every output goes (and, with keepFailed, the .failed names); writes nothing. */
  static prepare(gen: { plan: BootPlan; outputs: RenderedOutputs }, opts: OutputRunOptions = {}): OutputRun {
    const wanted = wantedOutputs(gen.plan, gen.outputs);
    const targets = checkOutputs(wanted, gen.plan.config, gen.plan.dir, opts);
    const failed = opts.keepFailed
      ? checkOutputs(wanted.filter((w) => w.role === 'source' || w.role === 'script').map((w) => ({ ...w, path: failedName(w.path) })), gen.plan.config, gen.plan.dir, opts)
      : [];
    return new OutputRun(targets, failed, opts);
  }

  /** The folder holding the lock and journal: boot.scr's. */
  get folder(): string {
    return path.dirname(this.targets.find((t) => t.role === 'script')?.path ?? this.targets[0]!.path);
  }

  /**
   * Finish a killed run's commit (when no other run holds the folder), then write every output
   * to a temp beside its final name.
   * Returns final path → temp path: the verification must read the staged bytes.
   */
  stage(): ReadonlyMap<string, string> {
    this.#recovery = recoverOutputsIfFree(this.folder);
    this.#staged = StagedOutputs.stage(this.targets, this.folder);
    return this.#staged.staged;
  }

  /** Commit when the run succeeded; otherwise leave the previous outputs as they are. */
  async finish(ok: boolean): Promise<FinishedOutputs> {
    const staged = this.#staged ?? StagedOutputs.stage(this.targets, this.folder);
    if (ok) {
      const written = await staged.commit(this.#opts.lock);
      return { written, keptFailed: [], recovery: mergeRecovery(this.#recovery, staged.recovery) };
    }
    staged.discard();
    if (!this.#failedTargets.length) return { written: [], keptFailed: [], recovery: this.#recovery };
    const kept = StagedOutputs.stage(this.#failedTargets, this.folder);
    const keptFailed = await kept.commit(this.#opts.lock);
    return { written: [], keptFailed, recovery: mergeRecovery(this.#recovery, kept.recovery) };
  }

  /** Synchronous commit for library callers that do not verify. */
  commitSync(): string[] {
    const staged = this.#staged ?? StagedOutputs.stage(this.targets, this.folder);
    return staged.commitSync(this.#opts.lock);
  }

  /** Drop the staged temps (an exception between stage and finish). */
  discard(): void {
    this.#staged?.discard();
  }
}

function mergeRecovery(a: Recovery, b: Recovery): Recovery {
  return { journal: a.journal || b.journal, rolledForward: [...a.rolledForward, ...b.rolledForward], removedTemps: [...a.removedTemps, ...b.removedTemps] };
}
