// `generate --watch`: run generate, then again whenever the config or a file the run read changes.
// The set of files is taken again after every run (an edit to the config may name new files). Each
// file is watched itself (an edit in place, or through a symlink to another folder) and through its
// folder (an editor that saves by renaming a new file over it, a file deleted or created again),
// and a burst of events runs generate once, 200 ms after the last. Runs never overlap; Ctrl-C stops
// watching once the run in progress (if any) has finished, and the exit status is the last run's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CODE, exitCodeFor } from '../errors.js';
import { formatError } from './report.js';
import type { GenerateCliOptions } from './commands/generate.js';
import type { DepfileExtras } from './depfile.js';

export const DEBOUNCE_MS = 200;

export interface WatchCliOptions extends GenerateCliOptions { watch?: boolean }

/** Watches a set of files, calling `onChange` with the first changed file of a burst. */
class FileWatcher {
  #watchers: fs.FSWatcher[] = [];
  #files = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #first: string | undefined;

  constructor(readonly onChange: (file: string) => void) {}

  /** Replace the watched set. */
  watch(files: Iterable<string>): void {
    this.close();
    this.#files = new Set([...files].map((f) => path.resolve(f)));
    const folders = new Set([...this.#files].map((f) => path.dirname(f)));
    for (const folder of folders) {
      this.#add(folder, (name) => {
        if (name === null) return;
        const file = path.join(folder, name.toString());
        if (this.#files.has(file)) this.#changed(file);
      });
    }
    for (const file of this.#files) this.#add(file, () => this.#changed(file));
  }

  #add(target: string, on: (name: string | Buffer | null) => void): void {
    try {
      const w = fs.watch(target, { persistent: true }, (_event, name) => on(name));
      // A watched file deleted, or a folder gone: the folder's watcher (or the next run) sees it.
      w.on('error', () => w.close());
      this.#watchers.push(w);
    } catch {
      // Missing now (deleted, or not yet created): its folder's watcher reports it when it appears.
    }
  }

  #changed(file: string): void {
    this.#first ??= file;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const first = this.#first!;
      this.#first = undefined;
      this.onChange(first);
    }, DEBOUNCE_MS);
  }

  get size(): number {
    return this.#files.size;
  }

  close(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#first = undefined;
  }
}

export async function watchGenerate(positional: string | undefined, o: WatchCliOptions): Promise<void> {
  const { runGenerate } = await import('./commands/generate.js');
  const { depfileInputs } = await import('./depfile.js');
  const configFile = o.config ?? positional;
  const extras: DepfileExtras = {
    ...(o.templates !== undefined ? { templates: o.templates } : {}), ...(o.board !== undefined ? { board: o.board } : {}), ...(o.xenConfig !== undefined ? { xenConfig: o.xenConfig } : {}),
  };
  const say = (s: string): void => { if (!o.json) process.stderr.write(`${s}\n`); };
  let files = new Set<string>(configFile ? [path.resolve(configFile)] : []);
  let lastStatus: number = EXIT_CODE.ok;
  let running = false;
  let again: string | undefined;
  let stopping = false;
  let finish: () => void = () => {};
  const stopped = new Promise<void>((resolve) => { finish = resolve; });

  const run = async (): Promise<void> => {
    running = true;
    process.exitCode = undefined;
    try {
      const gen = await runGenerate(positional, o);
      lastStatus = process.exitCode === undefined ? EXIT_CODE.ok : Number(process.exitCode);
      // The files this run read; the config always (it may be fixed into naming others).
      files = new Set([...(configFile ? [path.resolve(configFile)] : []), ...depfileInputs(gen, extras)]);
    } catch (e) {
      // A broken config or a missing file is what watching is for: say it and wait for the fix.
      process.stderr.write(`${formatError(e)}\n`);
      lastStatus = exitCodeFor(e);
      if (files.size === 0) throw e;
    } finally {
      running = false;
    }
  };

  const watcher = new FileWatcher((file) => {
    if (stopping) return;
    if (running) { again = file; return; }
    void cycle(file);
  });
  const cycle = async (file: string): Promise<void> => {
    say(`\n--- ${path.relative(process.cwd(), file) || file} changed: generating again`);
    await run();
    if (stopping) { finish(); return; }
    if (again !== undefined) {
      const next = again;
      again = undefined;
      await cycle(next);
      return;
    }
    watcher.watch(files);
    say(`--- watching ${watcher.size} file${watcher.size === 1 ? '' : 's'} (Ctrl-C to stop)`);
  };
  const onSignal = (): void => {
    stopping = true;
    watcher.close();
    if (!running) finish();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await run();
    if (!stopping) {
      watcher.watch(files);
      say(`--- watching ${watcher.size} file${watcher.size === 1 ? '' : 's'} (Ctrl-C to stop)`);
    } else finish();
    await stopped;
  } finally {
    watcher.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = lastStatus;
}
