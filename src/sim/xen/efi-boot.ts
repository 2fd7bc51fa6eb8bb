// Models Xen's EFI stub on Arm as U-Boot's bootefi starts it (xen/common/efi/boot.c efi_start(),
// xen/arch/arm/efi/efi-boot.h efi_arch_use_config_file() and efi_check_dt_boot(), Xen 4.17 to 4.20):
// the lines it prints on the firmware console before Xen's own console exists, and whether it goes
// on with the modules U-Boot's DT describes. The EFI memory map it hands to Xen instead of /memory
// changes no line Xen prints at its default log level, so the rest of the boot is the DT boot.
import type { DtNode } from './device-tree.js';
import { allNodes, isCompatible } from './device-tree.js';
import type { XenRelease } from '../../xen-build/build.js';

export interface EfiStubResult {
  /** Lines on the firmware console (no "(XEN) " prefix: Xen's console is not up yet). */
  lines: string[];
  /** Set when the stub does not go on to start Xen the way the simulator follows: why. */
  stops?: string;
}

/** "Xen <version> (c/s <changeset>) EFI loader": Debian's builds come from a tarball, with no changeset. */
export const efiLoaderBanner = (release: XenRelease): string => `Xen ${release.text} (c/s ) EFI loader`;

/**
 * efi_start() up to ExitBootServices() for the DT U-Boot installed (`root`): modules in the DT and
 * no /chosen xen,uefi-cfg-load → "Using modules provided by bootloader in FDT", then the banner;
 * every domain node needs #address-cells and #size-cells (efi_check_dt_boot()).
 */
export function efiStub(root: DtNode, release: XenRelease, device: 'net' | 'block' | 'memory' = 'net'): EfiStubResult {
  const lines: string[] = [];
  const chosen = root.children.find((c) => c.name === 'chosen');
  const hasModule = [...allNodes(root)].some((n) => n !== root && isCompatible(n, 'multiboot,module'));
  if (!hasModule || !chosen || chosen.props.has('xen,uefi-cfg-load')) {
    lines.push(efiLoaderBanner(release));
    const why = !hasModule ? 'the device tree has no multiboot,module node' : !chosen ? 'the device tree has no /chosen' : '/chosen has xen,uefi-cfg-load';
    if (device !== 'block') {
      // get_parent_handle(): an image from the network or memory has no EFI file system to read
      // xen.cfg from (EFI_UNSUPPORTED); blexit() returns to U-Boot's prompt (real 2023.01 and 2025.01).
      lines.push('Couldn\'t obtain the File System Protocol Interface: ErrCode: 0x8000000000000003');
      return { lines, stops: `Xen's EFI stub looks for its configuration file (xen.cfg) because ${why}, but xen.efi was not loaded from a file system: "Couldn't obtain the File System Protocol Interface", back to the U-Boot prompt with nothing started` };
    }
    return { lines, stops: `Xen's EFI stub reads a configuration file (xen.cfg) beside xen.efi because ${why}; booting from an EFI configuration file is not modelled` };
  }
  lines.push('Using modules provided by bootloader in FDT');
  lines.push(efiLoaderBanner(release));
  for (const node of chosen.children) {
    if (!isCompatible(node, 'xen,domain')) {
      if (node.props.has('xen,uefi-binary')) return { lines, stops: `${node.path} names a file (xen,uefi-binary) for Xen's EFI stub to load; loading modules from an EFI file system is not modelled` };
      continue;
    }
    for (const cells of ['#address-cells', '#size-cells']) {
      if (node.props.has(cells)) continue;
      lines.push(`${cells} not found in domain node.`, 'Error processing boot modules on DT.');
      return { lines, stops: `${node.path} has no ${cells}: Xen's EFI stub gives up ("Error processing boot modules on DT.") and returns to U-Boot` };
    }
    const named = node.children.find((c) => c.props.has('xen,uefi-binary'));
    if (named) return { lines, stops: `${named.path} names a file (xen,uefi-binary) for Xen's EFI stub to load; loading modules from an EFI file system is not modelled` };
  }
  return { lines };
}

/**
 * The first boot module (in start order) whose pages run past the end of an EfiBootServicesData
 * range it starts in, into conventional RAM: populate_boot_allocator() starts a bank there, finds no
 * module starting at or above it (next_module()) and gives [tailStart, tailEnd) to the heap.
 */
export function modulesWithHeapTail(modules: readonly { start: number; size: number }[], bootServicesData: readonly { start: number; size: number }[]):
  { module: { start: number; size: number }; tailStart: number; tailEnd: number } | undefined {
  const PAGE = 0x1000;
  for (const module of [...modules].sort((a, b) => a.start - b.start)) {
    const end = module.start + Math.ceil(module.size / PAGE) * PAGE;
    for (const r of bootServicesData) {
      const rEnd = r.start + r.size;
      if (module.start < r.start || module.start >= rEnd || rEnd >= end) continue;
      // The tail ends where the next reserved range (or the module) does.
      const next = bootServicesData.filter((o) => o.start >= rEnd && o.start < end).reduce((lo, o) => Math.min(lo, o.start), end);
      if (next > rEnd) return { module, tailStart: rEnd, tailEnd: next };
    }
  }
  return undefined;
}
