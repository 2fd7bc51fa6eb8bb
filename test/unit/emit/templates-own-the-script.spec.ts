// Every U-Boot command of boot.source comes from templates/: no TypeScript outside the simulator
// (src/sim, which must understand the commands it runs) composes one. The test reads the string
// and template literals of every src/ file with TypeScript's own scanner, so comments are ignored
// (a comment may name a command), and fails on a command word followed by an argument, the way a
// script line is composed (`tftpb 0x…`, `booti ${…}`, `fdt set /…`). Prose in messages that names a
// command ("booti moves it to …", "BOOT_CMD=booti"), and the config values themselves ('booti', the
// `tftp` alias 'tftpb') are allowed: they compose no command.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../helpers/paths.js';

const COMMAND = /\b(?:tftpb|booti|bootm|fdt set|fdt mknod)(?:\s+$|\s+(?:0x|[0-9$/\\<"-]))/m;

/** Files allowed to compose U-Boot commands outside templates/ while they move (none: the CI lab cases live in scripts/lab). */
const PENDING_MOVES: string[] = [];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Text of every string literal and template-literal piece in a file (comments skipped by the scanner). */
export function literals(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: string[] = [];
  const braces: number[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.OpenBraceToken) braces.push(0);
    if (k === ts.SyntaxKind.TemplateHead) braces.push(1);
    if (k === ts.SyntaxKind.CloseBraceToken && braces.pop() === 1) k = scanner.reScanTemplateToken(false);
    if (k === ts.SyntaxKind.SlashToken || k === ts.SyntaxKind.SlashEqualsToken) k = scanner.reScanSlashToken();
    if (k === ts.SyntaxKind.StringLiteral || k === ts.SyntaxKind.NoSubstitutionTemplateLiteral
      || k === ts.SyntaxKind.TemplateHead || k === ts.SyntaxKind.TemplateMiddle || k === ts.SyntaxKind.TemplateTail) {
      if (k === ts.SyntaxKind.TemplateMiddle || k === ts.SyntaxKind.TemplateHead) braces.push(1);
      if (k === ts.SyntaxKind.TemplateMiddle) braces.splice(braces.length - 2, 1);
      out.push(scanner.getTokenValue());
    }
  }
  return out;
}

describe('emit → templates own the script', () => {
  it('finds a composed command in a literal, and none in a comment or in prose', () => {
    const sample = [
      '// tftpb 0x40200000 boot.scr in a comment',
      '/* fdt set /chosen x <1> */',
      'const a = `tftpb ${addr} ${file}`;',
      'const b = \'BOOT_CMD=booti\' + "booti moves it";',
      'const c = `${x} fdt mknod ${p}`;',
      'const d = /fdt set \\/x/;',
    ].join('\n');
    expect(literals(sample).filter((l) => COMMAND.test(l))).to.deep.equal(['tftpb ', ' fdt mknod ']);
  });

  it('no file of src/ outside the simulator composes a U-Boot command', () => {
    const offenders: string[] = [];
    for (const file of sources(path.join(REPO_ROOT, 'src'))) {
      const rel = path.relative(REPO_ROOT, file).split(path.sep).join('/');
      if (rel.startsWith('src/sim/') || PENDING_MOVES.includes(rel)) continue;
      for (const l of literals(fs.readFileSync(file, 'utf8'))) if (COMMAND.test(l)) offenders.push(`${rel}: ${JSON.stringify(l)}`);
    }
    expect(offenders).to.deep.equal([]);
  });

  it('the exceptions still exist (remove one from PENDING_MOVES once its file has moved)', () => {
    for (const rel of PENDING_MOVES) expect(fs.existsSync(path.join(REPO_ROOT, rel)), rel).to.equal(true);
  });
});
