// Binary image formats and sizing: the public surface of src/images.
export * from './format.js';
export * from './uimage.js';
export * from './arm64-image.js';
export * from './zimage.js';
export * from './gzip.js';
export * from './cpio.js';
export * from './dtb.js';
export * from './registry.js';
export * from './probe-file.js';
export * from './roles.js';
