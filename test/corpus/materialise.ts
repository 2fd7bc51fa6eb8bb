// Served folders for corpus cases: the real lab binaries rebuilt offline from their
// committed 4 KiB header slices as sparse files of the real size (test/fixtures/real),
// plus the real QEMU virt DTB. Only headers matter to U-Boot's and Xen's checks; the
// sizes and addresses are the real ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath } from '../helpers/paths.js';
import { sparseFile } from '../helpers/images.js';
import { initramfs } from '../helpers/samples.js';
import { parseTree, serializeTree } from '../../src/fdt/tree.js';
import { IH_ARCH_ARM64, IH_COMP_NONE, IH_OS_LINUX, IH_TYPE_KERNEL, writeUImage } from '../../src/images/uimage.js';
import type { LabCaseFile, LabCaseInputs } from '../../scripts/lab/cases.js';

interface RealManifest { caseInputs: LabCaseInputs; xen: { headerSlice: { file: string } }; kernel: { headerSlice: { file: string } } }

export const realManifest = (): RealManifest => JSON.parse(fs.readFileSync(fixturePath('real', 'MANIFEST.json'), 'utf8')) as RealManifest;

export function materialise(dir: string, files: readonly LabCaseFile[]): void {
  const m = realManifest();
  const i = m.caseInputs;
  const realXen = path.join(dir, '.xen-real');
  if (!fs.existsSync(realXen)) sparseFile(realXen, fs.readFileSync(fixturePath('real', m.xen.headerSlice.file)), i.xenFileSize);
  for (const f of files) {
    const dest = path.join(dir, f.name);
    switch (f.from) {
      case 'kernel': sparseFile(dest, fs.readFileSync(fixturePath('real', m.kernel.headerSlice.file)), i.kernelFileSize); break;
      case 'xen': fs.copyFileSync(realXen, dest); break;
      case 'initramfs': sparseFile(dest, initramfs(), i.initramfsSize); break;
      case 'dtb': fs.copyFileSync(fixturePath('real', 'qemu-virt-gicv3-2g.dtb'), dest); break;
      // `dtc -I dtb -O dtb` of the QEMU blob: our serializer reproduces dtc's packing byte for byte.
      case 'packed-dtb': fs.writeFileSync(dest, serializeTree(parseTree(new Uint8Array(fs.readFileSync(fixturePath('real', 'qemu-virt-gicv3-2g.dtb')))))); break;
      case 'xen-uimage': fs.writeFileSync(dest, writeUImage({ os: IH_OS_LINUX, arch: IH_ARCH_ARM64, type: IH_TYPE_KERNEL, comp: IH_COMP_NONE, load: f.loadAddr, ep: f.loadAddr, name: '', time: 0 }, fs.readFileSync(realXen))); break;
    }
  }
}
