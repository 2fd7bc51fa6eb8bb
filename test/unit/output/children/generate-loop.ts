// Child process for the crash and concurrency tests: runs the library's generate() (which writes
// the outputs as one unit) over the given configs in turn, `count` times (0: until killed).
// Prints "ready" after the first run, so that the parent's random kill lands inside the loop.
import { generate } from '../../../../src/api/generate.js';

const [count, ...configs] = process.argv.slice(2);
const n = Number(count);
for (let i = 0; n === 0 || i < n; i++) {
  generate(configs[i % configs.length]!, {});
  if (i === 0) process.stdout.write('ready\n');
}
