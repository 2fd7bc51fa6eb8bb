// The Xen build a boot targets: found in the Xen binary (its embedded .config), in a .config
// file, or assumed; plus the per-release and per-Kconfig facts the planner and simulator share.
export * from './kconfig.js';
export * from './embedded.js';
export * from './facts.js';
export * from './build.js';
export * from './guest-dtb.js';
