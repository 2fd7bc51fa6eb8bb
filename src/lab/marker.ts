// How a lab guest says "I reached userspace": one console line carrying a per-domain token
// that the domain's kernel command line names. The console parser reads these lines; any
// initramfs whose /init prints them works (the CI lab builds one around busybox).

/** Text every marker line starts with; the token follows as `token=<t>`. */
export const LAB_MARKER_PREFIX = 'UBOOTGEN-LAB-UP';
/** Kernel command-line parameter that carries the per-domain token. */
export const LAB_TOKEN_PARAM = 'labtoken';
