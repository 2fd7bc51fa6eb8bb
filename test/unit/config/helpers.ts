// Shared assertions for the config reader specs.
import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';

export interface ExpectedError {
  code: string;
  /** Checked when given. */
  message?: string | RegExp;
  line?: number;
  col?: number;
  file?: string;
}

/** Runs fn, asserts it throws a ConfigError with this code, message and position; returns it. */
export function expectConfigError(fn: () => unknown, exp: ExpectedError): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a ConfigError to be thrown').to.be.instanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.code).to.equal(exp.code);
  if (typeof exp.message === 'string') expect(err.message).to.equal(exp.message);
  else if (exp.message) expect(err.message).to.match(exp.message);
  if (exp.line !== undefined) expect(err.where?.line, 'line').to.equal(exp.line);
  if (exp.col !== undefined) expect(err.where?.col, 'col').to.equal(exp.col);
  if (exp.file !== undefined) expect(err.where?.file, 'file').to.equal(exp.file);
  return err;
}

/** The minimum lines a config needs to resolve (Xen, one domU, memory, output, load). */
export const BASE = [
  'MEMORY_START=0x40000000',
  'MEMORY_END=0x80000000',
  'XEN=xen',
  'NUM_DOMUS=1',
  'DOMU_KERNEL[0]=Image',
  'LOAD_CMD=tftpb',
  'UBOOT_SOURCE=boot.source',
].join('\n') + '\n';
