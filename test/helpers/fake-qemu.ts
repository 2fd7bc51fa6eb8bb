// A stand-in for qemu-system-aarch64 that replays a real serial transcript (FAKE_TRANSCRIPT, with
// CRLF line ends, in small chunks) and behaves like U-Boot at the prompt: it waits for the autoboot
// key and for the typed command. Lets the lab's console watcher and `uboot-gen qemu` run without QEMU.
// FAKE_STDIN_LOG, when set, receives what was typed. Asked for `-machine ...,dumpdtb=FILE`, it writes
// FAKE_DUMPDTB's bytes there (a DTB real QEMU dumped) and exits.
export const FAKE_QEMU = `#!/usr/bin/env node
const fs = require('fs');
const dump = /dumpdtb=([^,\\s]+)/.exec(process.argv.join(' '));
if (dump) { fs.copyFileSync(process.env.FAKE_DUMPDTB, dump[1]); process.exit(0); }
const log = fs.readFileSync(process.env.FAKE_TRANSCRIPT, 'utf8');
const stdinLog = process.env.FAKE_STDIN_LOG;
const crlf = (s) => s.replace(/\\n/g, '\\r\\n');
const stop = log.indexOf('\\n', log.indexOf('Hit any key to stop autoboot')) + 1;
const cmdStart = log.indexOf('=> ', stop);
const cmdEnd = log.indexOf('\\n', cmdStart) + 1;
let typed = '';
let phase = 0;
process.stdout.write(crlf(log.slice(0, stop)));
process.stdin.on('data', (d) => {
  typed += d.toString('latin1');
  if (stdinLog) fs.writeFileSync(stdinLog, typed);
  if (phase === 0 && typed.includes('\\n')) { phase = 1; process.stdout.write('=> '); }
  if (phase === 1 && typed.split('\\n').length >= 3) { phase = 2; process.stdout.write(crlf(log.slice(cmdStart + 3, cmdEnd))); replay(cmdEnd); }
});
function replay(at) {
  if (at >= log.length) return;
  // Odd chunk sizes so that CR/LF pairs and marker lines get split across reads.
  const next = Math.min(log.length, at + 997);
  process.stdout.write(crlf(log.slice(at, next)));
  setTimeout(() => replay(next), 1);
}
setInterval(() => {}, 1000); // like a guest that idles: only a kill ends it
`;
