import { expect } from 'chai';
import { describeWord, lexConfig } from '../../../src/config/lexer.js';
import { expectConfigError } from './helpers.js';

describe('config/lexer', () => {
  it('lexes assignments with positions of the key and of the value', () => {
    const st = lexConfig('# comment\n\n  XEN="xen"  # trailing\nA=1 B=2\n', 'c.cfg');
    expect(st).to.have.length(2);
    const first = st[0];
    if (first?.kind !== 'assign') throw new Error('expected an assignment');
    expect(first.assignments[0]?.name).to.equal('XEN');
    expect(first.assignments[0]?.where).to.deep.equal({ file: 'c.cfg', line: 3, col: 3 });
    expect(first.assignments[0]?.valueWhere).to.deep.equal({ file: 'c.cfg', line: 3, col: 7 });
    const second = st[1];
    if (second?.kind !== 'assign') throw new Error('expected an assignment');
    expect(second.assignments.map((a) => a.name)).to.deep.equal(['A', 'B']);
    expect(second.assignments[1]?.where.col).to.equal(5);
  });

  it('keeps # inside a word and treats it as a comment only at word start', () => {
    const st = lexConfig('X=a#b #c\n', 'c');
    const s = st[0];
    if (s?.kind !== 'assign') throw new Error('expected an assignment');
    const v = s.assignments[0]?.value;
    if (!v || 'kind' in v) throw new Error('expected a word');
    expect(describeWord(v)).to.equal('a#b');
  });

  it('accepts export and declare -A / -a, and records subscripts and +=', () => {
    const st = lexConfig('export LOAD_CMD=tftpb\ndeclare -A AFF\ndeclare -a LIST\nX[1]+=y\n', 'c');
    expect(st.map((s) => s.kind)).to.deep.equal(['assign', 'declare', 'declare', 'assign']);
    const d = st[1];
    if (d?.kind !== 'declare') throw new Error('expected declare');
    expect(d.flags).to.equal('A');
    expect(d.names).to.deep.equal(['AFF']);
    const x = st[3];
    if (x?.kind !== 'assign') throw new Error('expected an assignment');
    expect(x.assignments[0]?.append).to.equal(true);
    expect(x.assignments[0]?.subscript && describeWord(x.assignments[0].subscript)).to.equal('1');
  });

  it('positions lines correctly after a multi-line double-quoted value', () => {
    const st = lexConfig('A="one\ntwo\nthree"\nB=4\n', 'c');
    const b = st[1];
    if (b?.kind !== 'assign') throw new Error('expected an assignment');
    expect(b.assignments[0]?.where).to.deep.equal({ file: 'c', line: 4, col: 1 });
  });

  describe('rejects anything that would execute (CONFIG_UNSAFE with position)', () => {
    const cases: Array<[string, number, number, string]> = [
      ['XEN=$(rm -rf /)\n', 1, 5, '"$(...)" is command substitution and would run a command'],
      ['XEN="$(id)"\n', 1, 6, '"$(...)" is command substitution and would run a command'],
      ['XEN=`reboot`\n', 1, 5, 'backticks `...` are command substitution and would run a command'],
      ['XEN="a`reboot`"\n', 1, 7, 'backticks `...` are command substitution and would run a command'],
      ['XEN=xen; reboot\n', 1, 8, '";" separates shell commands; only one KEY=value per statement, as data, is allowed'],
      ['a && b\n', 1, 3, '"&&" chains shell commands; the config is read as data'],
      ['X=1 || reboot\n', 1, 5, '"||" chains shell commands; the config is read as data'],
      ['X=1 | tee f\n', 1, 5, '"|" is a pipeline; the config is read as data'],
      ['sleep 10 &\n', 1, 10, '"&" runs a command in the background; the config is read as data'],
      ['X=1 > /etc/passwd\n', 1, 5, '">" is a redirection (or process substitution) and would touch files; quote it if it is part of a value'],
      ['X=<(cat /etc/shadow)\n', 1, 3, '"<" is a redirection (or process substitution) and would touch files; quote it if it is part of a value'],
      ['if true; then X=1; fi\n', 1, 1, '"if" starts a shell compound command or function; the config is read as data, so only KEY=value assignments are allowed'],
      ['for i in 1 2; do X=$i; done\n', 1, 1, '"for" starts a shell compound command or function; the config is read as data, so only KEY=value assignments are allowed'],
      ['while :; do :; done\n', 1, 1, '"while" starts a shell compound command or function; the config is read as data, so only KEY=value assignments are allowed'],
      ['case x in *) ;; esac\n', 1, 1, '"case" starts a shell compound command or function; the config is read as data, so only KEY=value assignments are allowed'],
      ['function f { :; }\n', 1, 1, '"function" starts a shell compound command or function; the config is read as data, so only KEY=value assignments are allowed'],
      ['f() { reboot; }\n', 1, 1, '"f()" defines a shell function; the config is read as data, so only KEY=value assignments are allowed'],
      ['source other.cfg\n', 1, 1, '"source" would read and run another file; inline its assignments instead'],
      ['. ./other.cfg\n', 1, 1, '"." would read and run another file; inline its assignments instead'],
      ['X=1\n  reboot\n', 2, 3, '"reboot" is a command, not an assignment; the config is read as data, so only KEY=value assignments are allowed'],
      ['X=1 reboot\n', 1, 5, '"reboot" would run as a command (with the assignments before it as its environment); only KEY=value assignments are allowed'],
      ['X=(a; b)\n', 1, 5, '";" separates shell commands; only one KEY=value per statement, as data, is allowed'],
      ['(X=1)\n', 1, 1, '"(" starts a subshell or function definition; quote it if it is part of a value'],
      ['X=${Y:-$(id)}\n', 1, 8, '"$(...)" is command substitution and would run a command'],
      ['X=$((1 + $(id)))\n', 1, 10, '"$(...)" is command substitution and would run a command'],
    ];
    for (const [src, line, col, message] of cases) {
      it(JSON.stringify(src.trimEnd()), () => {
        const err = expectConfigError(() => lexConfig(src, 'evil.cfg'), { code: 'CONFIG_UNSAFE', message, line, col, file: 'evil.cfg' });
        expect(err.describe().split('\n')[0]).to.equal(`evil.cfg:${line}:${col}: ${message}`);
      });
    }
  });

  describe('reports syntax errors with position (CONFIG_SYNTAX)', () => {
    const cases: Array<[string, number, number, string]> = [
      ['X="abc\n', 1, 3, 'missing closing " for the string opened at line 1, column 3 (the string runs on to the end of the file)'],
      ["\nX='abc\n", 2, 3, "missing closing ' for the string opened at line 2, column 3 (the string runs on to the end of the file)"],
      ['X=${Y\n', 1, 3, 'unterminated "${": missing "}"'],
      ['X=$((1 + 2\n', 1, 3, 'unterminated "$((": missing "))"'],
      ['X=${#Y}\n', 1, 3, '"${#Y}" is not a supported parameter expansion; use ${NAME}, ${NAME[n]} or ${NAME:-default}'],
      ['X=${Y%.source}\n', 1, 3, '"${Y%.source}" is not a supported parameter expansion; use ${NAME}, ${NAME[n]}, ${NAME:-default}, ${NAME-default}, ${NAME:+alt} or ${NAME+alt}'],
      ['X=$1\n', 1, 3, 'special parameter "$1" is not supported in a config (it has no meaning when ImageBuilder sources the file)'],
      ["X=$'a\\tb'\n", 1, 3, "$'...' (ANSI-C quoting) is not supported; use '...' or \"...\" instead"],
      ['declare -i X=1\n', 1, 9, '"declare -i" is not supported; only "declare -A NAME" and "declare -a NAME" are accepted'],
      ['X=(a b\n', 1, 3, 'unterminated array assignment: "(" is never closed by ")"'],
    ];
    for (const [src, line, col, message] of cases) {
      it(JSON.stringify(src.trimEnd()), () => {
        expectConfigError(() => lexConfig(src, 'bad.cfg'), { code: 'CONFIG_SYNTAX', message, line, col });
      });
    }
  });
});
