// Sequential writer, shaped like dtc libfdt/fdt_sw.c (fdt_create → fdt_add_reservemap_entry →
// fdt_finish_reservemap → fdt_begin_node / fdt_property / fdt_end_node → fdt_finish).
// The layout it produces is dtc's (flattree.c dt_to_blob()), so a tree written in dtc's order gives the same
// bytes as `dtc -I dts -O dtb`: strings in order of first use, a name reused when it already occurs in the
// table, also as the tail of a longer name (dtc stringtable_insert()). libfdt's own fdt_sw.c differs only in
// the string table order (it builds that table backwards).
import { FdtError } from '../errors.js';
import { ByteWriter } from '../util/bytes.js';
import {
  FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_HEADER_SIZE, FDT_LAST_COMPATIBLE_VERSION, FDT_MAGIC, FDT_PROP,
} from './constants.js';
import { encodeCells } from './cells.js';
import { st32_ } from './header.js';
import { stringListBytes } from './rw.js';
import { strBytes } from './strings.js';

/** Header version FdtWriter writes. */
const VERSION = 17;

/** dtc's string table: append on first use, reuse any existing occurrence (also a suffix) of `name` + NUL. */
export class StringTable {
  readonly #w = new ByteWriter(256);
  readonly #exact = new Map<string, number>();
  #bytes: Uint8Array = new Uint8Array(0);

  /** Offset of `name` in the table, adding it when it does not occur yet. */
  insert(name: string): number {
    const hit = this.#exact.get(name);
    if (hit !== undefined) return hit;
    const s = strBytes(name);
    const table = this.#bytes;
    let off = -1;
    outer: for (let i = 0; i + s.length < table.length; i++) {
      for (let j = 0; j < s.length; j++) if (table[i + j] !== s[j]) continue outer;
      if (table[i + s.length] === 0) { off = i; break; }
    }
    if (off < 0) {
      off = this.#w.length;
      this.#w.bytes(s).u8(0);
      this.#bytes = this.#w.finish();
    }
    this.#exact.set(name, off);
    return off;
  }

  get length(): number { return this.#bytes.length; }
  bytes(): Uint8Array { return this.#bytes; }
}

function badState(message: string): FdtError {
  return new FdtError('FDT_ERR_BADSTATE', `FdtWriter: ${message}`);
}

/** Options of FdtWriter.finish(), mirroring dtc's -S (minSize), -p (padSize) and -a (alignSize). */
export interface FinishOptions { totalsize?: number; minSize?: number; padSize?: number; alignSize?: number }

/**
 * Builds a new blob from scratch. Calls out of order throw FdtError 'FDT_ERR_BADSTATE' (libfdt returns it).
 */
export class FdtWriter {
  readonly #rsv: Array<[number, number]> = [];
  readonly #struct = new ByteWriter(1024);
  readonly #strings = new StringTable();
  #rsvDone = false;
  #depth = 0;
  #finished = false;

  /** fdt_create(): `bootCpuidPhys` goes into the header. */
  constructor(readonly bootCpuidPhys = 0) {}

  static create(bootCpuidPhys = 0): FdtWriter { return new FdtWriter(bootCpuidPhys); }

  /** fdt_add_reservemap_entry() */
  addReservemapEntry(address: number, size: number): this {
    if (this.#rsvDone) throw badState('reservation entries must come before finishReservemap()');
    this.#rsv.push([address, size]);
    return this;
  }

  /** fdt_finish_reservemap() */
  finishReservemap(): this {
    if (this.#rsvDone) throw badState('finishReservemap() called twice');
    this.#rsvDone = true;
    return this;
  }

  /** fdt_begin_node(): the root is called "". */
  beginNode(name: string): this {
    this.#checkStruct();
    if (this.#depth === 0 && this.#struct.length > 0) throw badState('only one root node is allowed');
    this.#struct.u32be(FDT_BEGIN_NODE).bytes(strBytes(name)).u8(0).align(4);
    this.#depth++;
    return this;
  }

  /** fdt_property(): raw value bytes. */
  property(name: string, value: Uint8Array): this {
    this.#checkStruct();
    if (this.#depth === 0) throw badState('property outside a node');
    const nameoff = this.#strings.insert(name);
    this.#struct.u32be(FDT_PROP).u32be(value.length).u32be(nameoff).bytes(value).align(4);
    return this;
  }

  /** fdt_property_u32() */
  propertyU32(name: string, value: number): this { return this.property(name, encodeCells([value], 1)); }
  /** fdt_property_u64() */
  propertyU64(name: string, value: number): this { return this.property(name, encodeCells([value], 2)); }
  /** fdt_property_string() */
  propertyString(name: string, value: string): this { return this.property(name, stringListBytes([value])); }
  /** A string list (dts `"a", "b"`). */
  propertyStrings(name: string, values: readonly string[]): this { return this.property(name, stringListBytes(values)); }
  /** u32 cells (dts `<a b c>`). */
  propertyCells(name: string, cells: readonly number[]): this { return this.property(name, encodeCells(cells, 1)); }
  /** Empty property (dts `name;`). */
  propertyEmpty(name: string): this { return this.property(name, new Uint8Array(0)); }

  /** fdt_end_node() */
  endNode(): this {
    this.#checkStruct();
    if (this.#depth === 0) throw badState('endNode() without beginNode()');
    this.#struct.u32be(FDT_END_NODE);
    this.#depth--;
    return this;
  }

  /**
   * fdt_finish(): the blob, header + memory map + structure + strings, then zero padding up to `totalsize`
   * (or as dtc's -S/-p/-a compute it).
   * @throws FdtError 'FDT_ERR_BADSTATE' when nodes are still open or no root was written,
   *   'FDT_ERR_NOSPACE' when `totalsize` is smaller than the data
   */
  finish(opts: number | FinishOptions = {}): Uint8Array {
    const o: FinishOptions = typeof opts === 'number' ? { totalsize: opts } : opts;
    this.#checkStruct();
    if (this.#depth !== 0 || this.#struct.length === 0) throw badState('finish() needs one complete root node');
    this.#finished = true;
    this.#struct.u32be(FDT_END);
    const structBytes = this.#struct.finish();
    const strings = this.#strings.bytes();
    const memRsvOff = FDT_HEADER_SIZE; // already 8-aligned
    const structOff = memRsvOff + (this.#rsv.length + 1) * 16;
    const stringsOff = structOff + structBytes.length;
    const used = stringsOff + strings.length;
    // dt_to_blob(): -S then -p then -a, in that order of precedence
    let pad = 0;
    if (o.minSize !== undefined && o.minSize > used) pad = o.minSize - used;
    if (o.padSize !== undefined && o.padSize > 0) pad = o.padSize;
    if (o.alignSize !== undefined && o.alignSize > 0) {
      const a = o.alignSize;
      pad = Math.ceil((used + pad) / a) * a - used;
    }
    let total = used + pad;
    if (o.totalsize !== undefined) {
      if (o.totalsize < used) throw new FdtError('FDT_ERR_NOSPACE', `FdtWriter: totalsize ${o.totalsize} < data size ${used}`);
      total = o.totalsize;
    }
    const out = new Uint8Array(total);
    st32_(out, 0x00, FDT_MAGIC);
    st32_(out, 0x04, total);
    st32_(out, 0x08, structOff);
    st32_(out, 0x0c, stringsOff);
    st32_(out, 0x10, memRsvOff);
    st32_(out, 0x14, VERSION);
    st32_(out, 0x18, FDT_LAST_COMPATIBLE_VERSION);
    st32_(out, 0x1c, this.bootCpuidPhys);
    st32_(out, 0x20, strings.length);
    st32_(out, 0x24, structBytes.length);
    this.#rsv.forEach(([a, s], i) => out.set(encodeCells([a, s], 2), memRsvOff + i * 16));
    out.set(structBytes, structOff);
    out.set(strings, stringsOff);
    return out;
  }

  #checkStruct(): void {
    if (this.#finished) throw badState('the blob is already finished');
    if (!this.#rsvDone) this.#rsvDone = true; // fdt_begin_node() after create implies an empty map
  }
}
