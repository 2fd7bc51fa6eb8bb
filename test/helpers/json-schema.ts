// The JSON contract in tests: every document a command prints with --json is checked against
// the shipped schema (schema/*.schema.json, JSON Schema 2020-12) by ajv.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { REPO_ROOT } from './paths.js';

export const SCHEMA_DIR = path.join(REPO_ROOT, 'schema');
export const MAIN_SCHEMA = 'uboot-gen.schema.json';

let validator: ValidateFunction | undefined;

/** The validator of uboot-gen.schema.json, with every schema/*.schema.json it may refer to loaded. */
export function schemaValidator(): ValidateFunction {
  if (validator) return validator;
  // strict: an unknown keyword or a mistyped schema is an error, not silently ignored.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const f of fs.readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json')).sort()) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as object);
  }
  validator = ajv.getSchema(MAIN_SCHEMA);
  if (!validator) throw new Error(`${MAIN_SCHEMA} has no $id "${MAIN_SCHEMA}"`);
  return validator;
}

/** The schema's complaints about a document (empty: valid). */
export function schemaErrors(doc: unknown): string[] {
  const validate = schemaValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** Assert that a document is valid under the schema; returns it, typed loosely for further checks. */
export function expectSchemaValid<T = Record<string, any>>(doc: unknown): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(schemaErrors(doc), JSON.stringify(doc).slice(0, 400)).to.deep.equal([]);
  return doc as T;
}

/** Parse a command's --json stdout (one document) and validate it. */
export function parseJsonOutput<T = Record<string, any>>(stdout: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return expectSchemaValid<T>(JSON.parse(stdout));
}

/** Parse serve's JSON lines and validate each. */
export function parseJsonLines(stdout: string): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return stdout.split('\n').filter((l) => l.length > 0).map((l) => expectSchemaValid(JSON.parse(l)));
}
