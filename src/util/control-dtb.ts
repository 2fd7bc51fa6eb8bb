// Where U-Boot keeps its control device tree, the blob `${fdtcontroladdr}` points at (a script
// without DEVICE_TREE edits it in place). U-Boot copies the DTB it was started with to the top
// of RAM when it relocates; Debian's qemu_arm64 U-Boot 2023.01 with 2 GiB at 0x40000000 reports
// `fdtcontroladdr=bedb6db0` (printenv and bdinfo's fdt_blob in the captured transcript), i.e.
// 0x1249250 bytes below the end of RAM. The planner and the simulator both place it there.

/** Bytes between U-Boot's control DTB and the end of the last RAM bank (QEMU virt, U-Boot 2023.01). */
export const CONTROL_DTB_BELOW_RAM_END = 0xc0000000 - 0xbedb6db0;

/** The control DTB's address on a board whose last RAM bank ends at `ramEnd` (exclusive). */
export const controlDtbAddr = (ramEnd: number): number => ramEnd - CONTROL_DTB_BELOW_RAM_END;
