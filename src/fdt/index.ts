// The flattened device tree library: libfdt-shaped, in place, results as offsets or -FDT_ERR_* numbers.
export * from './constants.js';
export * from './errors.js';
export * from './header.js';
export * from './ro.js';
export * from './rw.js';
export * from './cells.js';
export * from './check.js';
export * from './sw.js';
export * from './tree.js';
export { strBytes, cstrBytes, bytesToStr } from './strings.js';
