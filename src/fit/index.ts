// FIT images as ImageBuilder makes them: the .its text, and the FIT blob `mkimage -f` would write.
export * from './types.js';
export { renderIts, itsTemplatePath } from './its.js';
export { fitSourceTree } from './tree.js';
export { mkimageFit, MKIMAGE_VERSION, type MkimageOptions, type MkimageResult } from './mkimage.js';
export { readKeyPair, rsaPublicParams, rsaSign, type RsaKeyPair, type RsaPublicParams } from './rsa.js';
export { fitSpecFromPlan } from './from-plan.js';
