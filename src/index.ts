// uboot-gen as a library: the same pipeline the CLI runs, without commander, ora or process.exit.
export { loadConfig, parseConfigText } from './config/index.js';
export type { Config, Diagnostic, FileRef } from './config/types.js';
export { sizeImage, type ImageInfo } from './images/probe-file.js';
export { checkRole } from './images/roles.js';
export { writeScriptImage, writeUImage, parseUImageHeader } from './images/uimage.js';
export type { BootPlan, PlannedLoad, PlanOptions } from './plan/types.js';
export { generate, planBoot, type GenerateOptions, type GenerateResult } from './api/generate.js';
export { verifyGenerated, verifyScript, type VerifyReport } from './api/verify.js';
export { simulate, type SimulateOptions, type SimulateReport } from './api/simulate.js';
export { inspect, type InspectOptions, type InspectReport, type InspectFinding } from './api/inspect.js';
export { findConfigs, checkConfig, batchExitCode, type CheckOptions, type CheckOutcome } from './api/check.js';
export { simulateUboot, qemuVirtBoard, boardFromDtb, boardFromRange, type UbootResult } from './sim/uboot/index.js';
export { bootXen, formatDomainTable, type XenResult, type DomainVerdict } from './sim/xen/index.js';
export {
  UbootGenError, ConfigError, ImageFormatError, FdtError, PlanError, EXIT_CODE, ERROR_CODES, exitCodeFor,
  type Code, type CodeInfo, type DiagnosticCode, type ErrorCode, type ExitName,
} from './errors.js';
