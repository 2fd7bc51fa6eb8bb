import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { parseConfigRaw, type RawConfig } from '../../../src/config/parse.js';
import { expectConfigError } from './helpers.js';

const value = (raw: RawConfig, name: string, sub = '0'): string | undefined => raw.vars.get(name)?.elements.get(sub)?.value;

const HAVE_BASH = spawnSync('bash', ['-c', 'exit 0']).status === 0;

/**
 * Sources `text` in a real bash (env -i plus `env`), as ImageBuilder does, and prints each
 * `${ref}` NUL-separated. Used to prove our reading matches bash's on safe inputs.
 */
function bashValues(text: string, refs: string[], env: Record<string, string> = {}): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uboot-gen-cfg-'));
  try {
    const cfg = path.join(dir, 'config');
    fs.writeFileSync(cfg, text);
    const script = `declare -A DOMU_VCPU_HARD_AFFINITY\nsource "$1"\nprintf '%s\\0' ${refs.map((r) => `"\${${r}}"`).join(' ')}\n`;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script, 'bash', cfg], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bash failed: ${r.stderr}`);
    return r.stdout.split('\0').slice(0, -1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Refs as used in `${...}` mapped to our (name, subscript). */
function ours(raw: RawConfig, refs: string[]): string[] {
  return refs.map((r) => {
    const m = r.match(/^(\w+)(?:\[(.+)\])?$/) as RegExpMatchArray;
    return value(raw, m[1] as string, m[2] ?? '0') ?? '';
  });
}

describe('config/parse', () => {
  it('removes quotes and applies the double-quote escapes \\" \\\\ \\$ \\`', () => {
    const raw = parseConfigRaw('A="say \\"hi\\" \\\\ \\$HOME \\` \\n"\nB=\'$HOME "x" \\n\'\nC=a\\ b\\$c\n', 'c');
    expect(value(raw, 'A')).to.equal('say "hi" \\ $HOME ` \\n');
    expect(value(raw, 'B')).to.equal('$HOME "x" \\n');
    expect(value(raw, 'C')).to.equal('a b$c');
  });

  it('concatenates adjacent pieces: A="x"\'y\'$B', () => {
    const raw = parseConfigRaw('B=zz\nA="x"\'y\'$B"${B}"w\n', 'c');
    expect(value(raw, 'A')).to.equal('xyzzzzw');
  });

  it('joins backslash-newline continuations and keeps multi-line double-quoted strings', () => {
    const raw = parseConfigRaw('A=one\\\ntwo\nB="l1\nl2"\nC="x \\\ny"\n  D=4\n', 'c');
    expect(value(raw, 'A')).to.equal('onetwo');
    expect(value(raw, 'B')).to.equal('l1\nl2');
    expect(value(raw, 'C')).to.equal('x y');
    expect(raw.vars.get('D')?.elements.get('0')?.where).to.deep.equal({ file: 'c', line: 7, col: 3 });
  });

  it('expands $VAR, ${VAR}, ${ARR[n]}, ${VAR:-default} from earlier keys', () => {
    const raw = parseConfigRaw([
      'dir=images', 'base=(Image initrd)', 'base[3]=dtb',
      'K=$dir/${base[0]}', 'R="${dir}/${base[1]}"', 'T=${base[3]}.dtb', 'W=${base}',
      'U=${UNSET:-fallback}', 'E=', 'V=${E:-empty-default}', 'V2=${E-only-if-unset}', 'P=${dir:+set}${UNSET:+never}',
      'I=1', 'J=${base[I+2]}', 'L=${base[$I-1]}',
    ].join('\n'), 'c');
    expect(value(raw, 'K')).to.equal('images/Image');
    expect(value(raw, 'R')).to.equal('images/initrd');
    expect(value(raw, 'T')).to.equal('dtb.dtb');
    expect(value(raw, 'W')).to.equal('Image');
    expect(value(raw, 'U')).to.equal('fallback');
    expect(value(raw, 'V')).to.equal('empty-default');
    expect(value(raw, 'V2')).to.equal('');
    expect(value(raw, 'P')).to.equal('set');
    expect(value(raw, 'J')).to.equal('dtb');
    expect(value(raw, 'L')).to.equal('Image');
    expect(raw.referenced.has('base')).to.equal(true);
  });

  it('falls through to the environment for names the config has not set (yet)', () => {
    const raw = parseConfigRaw('A=$TFTP_ROOT/xen\nB=${HOME_DIR:-none}\nTFTP_ROOT=later\nC=$TFTP_ROOT\n', 'c', { TFTP_ROOT: '/srv/tftp' });
    expect(value(raw, 'A')).to.equal('/srv/tftp/xen');
    expect(value(raw, 'B')).to.equal('none');
    expect(value(raw, 'C')).to.equal('later');
  });

  it('warns (with position) when a plain $VAR is unset everywhere', () => {
    const raw = parseConfigRaw('X=1\nA="pre-$NOPE-post"\n', 'c.cfg');
    expect(value(raw, 'A')).to.equal('pre--post');
    expect(raw.diagnostics).to.deep.equal([{
      level: 'warning', code: 'CONFIG_UNSET_VARIABLE',
      message: '$NOPE is not set by the config (above this line) or the environment, so it expands to an empty string',
      where: { file: 'c.cfg', line: 2, col: 8 },
    }]);
  });

  it('evaluates $((...)) with its own evaluator, including variable names and hex', () => {
    const raw = parseConfigRaw('BASE=0x40000000\nSZ=256\nA=$((BASE + SZ * 0x100000))\nB="$(( (1 << 4) | $SZ ))"\nC=$((BASE >> 28))\n', 'c');
    expect(value(raw, 'A')).to.equal(String(0x40000000 + 256 * 0x100000));
    expect(value(raw, 'B')).to.equal('272');
    expect(value(raw, 'C')).to.equal('4');
  });

  it('reports arithmetic errors as CONFIG_BAD_VALUE at the $((', () => {
    expectConfigError(() => parseConfigRaw('\nX=ok Y=$((4 / (2 - 2)))\n', 'c'), {
      code: 'CONFIG_BAD_VALUE', message: '$((4 / (2 - 2))): division by 0', line: 2, col: 8,
    });
  });

  it('handles indexed, appended and compound array assignments like bash', () => {
    const raw = parseConfigRaw('A[2]=two\nA[0x1]=one\nA+=(three)\nB=(x [4]=y z)\nS=a\nS+=b\nS[1]=c\n', 'c');
    expect([...(raw.vars.get('A')?.elements.keys() ?? [])]).to.deep.equal(['2', '1', '3']);
    expect(value(raw, 'A', '3')).to.equal('three');
    expect(value(raw, 'B', '0')).to.equal('x');
    expect(value(raw, 'B', '4')).to.equal('y');
    expect(value(raw, 'B', '5')).to.equal('z');
    expect(value(raw, 'S')).to.equal('ab');
    expect(value(raw, 'S', '1')).to.equal('c');
    expect(raw.assignments.map((a) => a.key)).to.deep.equal(['A[2]', 'A[1]', 'A[3]', 'B[0]', 'B[4]', 'B[5]', 'S', 'S', 'S[1]']);
  });

  it('accepts `declare -A` and the predeclared DOMU_VCPU_HARD_AFFINITY[d,v] keys', () => {
    const raw = parseConfigRaw('declare -A MAP\nMAP[a,b]=1\nDOMU_VCPU_HARD_AFFINITY[0,1]="0-2"\nX=${DOMU_VCPU_HARD_AFFINITY[0,1]}\n', 'c');
    expect(value(raw, 'MAP', 'a,b')).to.equal('1');
    expect(value(raw, 'DOMU_VCPU_HARD_AFFINITY', '0,1')).to.equal('0-2');
    expect(value(raw, 'X')).to.equal('0-2');
  });

  it('rejects [n,m] on an array that is not associative', () => {
    expectConfigError(() => parseConfigRaw('DOMU_MEM[0,1]=5\n', 'c'), {
      code: 'CONFIG_SYNTAX', line: 1, col: 10,
      message: 'DOMU_MEM[0,1] uses a "dom,vcpu" key, but DOMU_MEM is not an associative array (only DOMU_VCPU_HARD_AFFINITY takes [n,m])',
    });
  });

  it('export marks assignments and `export NAME` alone changes nothing', () => {
    const raw = parseConfigRaw('export LOAD_CMD="tftpb" XEN=xen\nexport LOAD_CMD\n', 'c');
    expect(raw.assignments.map((a) => [a.key, a.value, a.exported])).to.deep.equal([['LOAD_CMD', 'tftpb', true], ['XEN', 'xen', true]]);
  });

  it('expands a leading ~ from HOME, like bash does in assignments', () => {
    const raw = parseConfigRaw("A=~/img\nB='~/img'\nC=x~/img\n", 'c', { HOME: '/home/u' });
    expect(value(raw, 'A')).to.equal('/home/u/img');
    expect(value(raw, 'B')).to.equal('~/img');
    expect(value(raw, 'C')).to.equal('x~/img');
  });

  describe('agrees with real bash on the same text', function () {
    before(function () { if (!HAVE_BASH) this.skip(); });
    const samples: Array<{ name: string; text: string; refs: string[]; env?: Record<string, string> }> = [
      {
        name: 'quoting, escapes and concatenation',
        text: 'B=zz\nA="x"\'y\'$B"${B}"w\nQ="say \\"hi\\" \\\\ \\$HOME \\` \\n"\nS=\'$HOME "x" \\n\'\nU=a\\ b\\$c\nM="l1\nl2"\nC=one\\\ntwo\nH=a#b # c\n',
        refs: ['A', 'Q', 'S', 'U', 'M', 'C', 'H'],
      },
      {
        name: 'arrays, defaults and arithmetic',
        text: 'dir=images\nbase=(Image initrd)\nbase[3]=dtb\nK=$dir/${base[0]}\nI=1\nJ=${base[I+2]}\nW=${base}\nE=\nV=${E:-d}\nV2=${E-d}\nP=${dir:+set}\nN=$((0x40000000 + 2 * 1024 * 0x100000))\nO=$(( 010 + 0x10 ))\nSH=$(( (1<<40) | 5 ))\nNEG=$(( -7 / 2 ))\nX[2]=two\nX+=(three)\nS=a\nS+=b\n',
        refs: ['K', 'J', 'W', 'V', 'V2', 'P', 'N', 'O', 'SH', 'NEG', 'X[2]', 'X[3]', 'S'],
      },
      {
        name: 'environment fall-through and later override',
        text: 'A=$TFTP_ROOT/xen\nTFTP_ROOT=later\nC=$TFTP_ROOT\nD="${MISSING:-dflt}"\nexport LOAD_CMD="load mmc 0:1"\n',
        refs: ['A', 'C', 'D', 'LOAD_CMD'],
        env: { TFTP_ROOT: '/srv/tftp' },
      },
      {
        name: 'DOMU_VCPU_HARD_AFFINITY associative keys',
        text: 'DOMU_VCPU_HARD_AFFINITY[0,1]="0-2"\nDOMU_VCPU_HARD_AFFINITY[1,0]=3\n',
        refs: ['DOMU_VCPU_HARD_AFFINITY[0,1]', 'DOMU_VCPU_HARD_AFFINITY[1,0]'],
      },
    ];
    for (const s of samples) {
      it(s.name, () => {
        const raw = parseConfigRaw(s.text, 'c', s.env ?? {});
        expect(ours(raw, s.refs)).to.deep.equal(bashValues(s.text, s.refs, s.env ?? {}));
      });
    }
  });

  describe('CONFIG_SPLIT_VALUE', () => {
    it('warns at the second word of an unquoted command line, with the quoted line as the fix', () => {
      const raw = parseConfigRaw('NUM_DOMUS=1\nDOMU_CMD[0]=console=ttyAMA0 root=/dev/ram0\n', 'config');
      expect(value(raw, 'DOMU_CMD', '0')).to.equal('console=ttyAMA0');
      expect(value(raw, 'root')).to.equal('/dev/ram0');
      expect(raw.diagnostics).to.deep.equal([{
        level: 'warning', code: 'CONFIG_SPLIT_VALUE', key: 'DOMU_CMD[0]', where: { file: 'config', line: 2, col: 29 },
        message: 'root=/dev/ram0 is an assignment of its own, to a variable named root, not part of DOMU_CMD[0] (an unquoted value ends at the first blank, as in bash, so DOMU_CMD[0] is "console=ttyAMA0"); write DOMU_CMD[0]="console=ttyAMA0 root=/dev/ram0"',
        hint: 'quote the whole value: DOMU_CMD[0]="console=ttyAMA0 root=/dev/ram0"',
      }]);
    });

    it('names every word lost, in one warning, after export too', () => {
      const raw = parseConfigRaw('export XEN_CMD=console=dtuart dom0_mem=512M  sched=null\n', 'c');
      expect(raw.diagnostics.map((d) => [d.code, d.where?.col, d.message])).to.deep.equal([[
        'CONFIG_SPLIT_VALUE', 31,
        'dom0_mem=512M sched=null are assignments of their own, to variables named dom0_mem, sched, not part of XEN_CMD (an unquoted value ends at the first blank, as in bash, so XEN_CMD is "console=dtuart"); write XEN_CMD="console=dtuart dom0_mem=512M sched=null"',
      ]]);
    });

    it('stays quiet for a quoted value, keys set on one line, and helper variables', () => {
      const raw = parseConfigRaw('DOMU_CMD[0]="console=ttyAMA0 root=/dev/ram0"\nMEMORY_START=0x40000000 MEMORY_END=0x80000000\nbase=images dir=x\nXEN_CMD=a\nroot=/dev/ram0\n', 'c');
      expect(raw.diagnostics).to.deep.equal([]);
    });
  });
});
