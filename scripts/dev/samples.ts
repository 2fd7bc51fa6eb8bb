// `node dist/scripts/dev/samples.js [DIR]`: writes the bundled sample binaries (default: samples/),
// byte for byte as test/unit/samples.spec.ts expects them. The builders are in test/helpers/samples.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSamples } from '../../test/helpers/samples.js';

const dir = process.argv[2] ?? 'samples';
fs.mkdirSync(dir, { recursive: true });
const samples = buildSamples();
for (const [name, bytes] of Object.entries(samples)) fs.writeFileSync(path.join(dir, name), bytes);
console.log(`wrote ${Object.keys(samples).map((n) => path.join(dir, n)).join(', ')}`);
