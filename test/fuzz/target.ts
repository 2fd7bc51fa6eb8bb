// One fuzz target: a parser or interpreter fed arbitrary input. `run` must either return or
// throw a UbootGenError (a typed, explained rejection); anything else is a crash.
import type * as fc from 'fast-check';

export interface FuzzTarget<T = unknown> {
  /** Stable name, also the folder of saved crashing inputs under test/fixtures/fuzz/. */
  name: string;
  /** Generator of inputs, usually built from real fixtures (mutations of real bytes). */
  arbitrary: fc.Arbitrary<T>;
  /** Run one input. Return normally or throw a UbootGenError. */
  run(input: T): void;
  /** Serialise an input for a regression fixture, and read it back. */
  encode(input: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}
