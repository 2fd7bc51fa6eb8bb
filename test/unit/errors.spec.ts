// The codes table against the source: every code raised somewhere in src/ is in the table,
// every code in the table is raised somewhere, and exitCodeFor() follows the table.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ERROR_CODES, EXIT_CODE, ConfigError, InternalError, PlanError, UbootGenError, exitCodeFor, type Code, type ErrorCode } from '../../src/errors.js';
import { FDT_ERR } from '../../src/fdt/errors.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** A string literal shaped like a code: a stage prefix, or USAGE / INTERNAL. */
const CODE_SHAPE = /^(?:(?:CONFIG|IMAGE|FDT_ERR|PLAN|EMIT|OUTPUT|SIM|INSPECT|LAB|SERVE)_[A-Z0-9_]*[A-Z0-9]|USAGE|INTERNAL)$/;

interface CodeUse { code: string; file: string; line: number; raised: boolean }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Every code-shaped string literal in src/, parsed with the TypeScript compiler (so comments
 * and message text do not count). A literal compared against (`===`, `case`) or used as a type
 * only reads a code; any other use (an error's or diagnostic's code argument or property) raises it.
 */
function scan(files: readonly { file: string; text: string }[]): { uses: CodeUse[]; libfdtRaisedDynamically: boolean } {
  const uses: CodeUse[] = [];
  let libfdtRaisedDynamically = false;
  for (const { file, text } of files) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) && CODE_SHAPE.test(node.text)) {
        const p = node.parent;
        const compared = (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(p.operatorToken.kind))
          || ts.isCaseClause(p) || ts.isLiteralTypeNode(p);
        uses.push({ code: node.text, file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, raised: !compared });
      }
      // `new XError(fdtStrerror(rc) as ...)`: the code is whichever libfdt error the call returned.
      if (ts.isNewExpression(node) && /Error$/.test(node.expression.getText(sf)) && node.arguments?.[0]?.getText(sf).startsWith('fdtStrerror(')) {
        libfdtRaisedDynamically = true;
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { uses, libfdtRaisedDynamically };
}

const scanSource = () => scan(sourceFiles(path.join(REPO_ROOT, 'src')).map((f) => ({ file: path.relative(REPO_ROOT, f), text: fs.readFileSync(f, 'utf8') })));

describe('errors → the codes table', () => {
  const { uses, libfdtRaisedDynamically } = scanSource();
  const table = new Set(Object.keys(ERROR_CODES));

  it('finds the raise sites it is meant to find (the scanner itself works)', () => {
    const at = (code: string, file: string) => uses.some((u) => u.code === code && u.file === file && u.raised);
    expect(at('CONFIG_UNSAFE', path.join('src', 'config', 'lexer.ts'))).to.equal(true);
    expect(at('CONFIG_CRLF', path.join('src', 'config', 'index.ts'))).to.equal(true);
    expect(at('PLAN_TOO_MANY_MODULES', path.join('src', 'plan', 'checks.ts'))).to.equal(true);
    expect(at('INTERNAL', path.join('src', 'errors.ts'))).to.equal(true);
    // A comparison reads a code, it does not raise it.
    expect(uses.filter((u) => u.code === 'IMAGE_TRUNCATED' && u.file === path.join('src', 'images', 'cpio.ts')).map((u) => u.raised)).to.deep.equal([false]);
    expect(libfdtRaisedDynamically).to.equal(true);
  });

  it('tells a raise from a comparison, a type or a comment', () => {
    const text = [
      "// CONFIG_IN_A_COMMENT is not code",
      "throw new ConfigError('CONFIG_TYPO', `message naming PLAN_IN_TEXT`);",
      "diags.push({ level: 'warning', code: 'PLAN_NEW_WARNING', message: 'm' });",
      "if (e.code === 'IMAGE_READ_ONLY') x();",
      "type T = 'FDT_ERR_IN_A_TYPE' | number;",
      "const k = 'DOMU_KERNEL';",
      "throw new FdtError(fdtStrerror(rc) as FdtErrName, 'm');",
    ].join('\n');
    const got = scan([{ file: 'x.ts', text }]);
    expect(got.uses.map((u) => `${u.line}:${u.code}:${u.raised ? 'raised' : 'read'}`)).to.deep.equal([
      '2:CONFIG_TYPO:raised', '3:PLAN_NEW_WARNING:raised', '4:IMAGE_READ_ONLY:read', '5:FDT_ERR_IN_A_TYPE:read',
    ]);
    expect(got.libfdtRaisedDynamically).to.equal(true);
    expect(scan([{ file: 'y.ts', text: "throw new FdtError('FDT_ERR_NOSPACE', 'm');" }]).libfdtRaisedDynamically).to.equal(false);
  });

  it('has every code raised in src/', () => {
    const unknown = uses.filter((u) => !table.has(u.code)).map((u) => `${u.file}:${u.line}: ${u.code}`);
    expect(unknown, 'codes used in src/ but missing from ERROR_CODES in src/errors.ts').to.deep.equal([]);
  });

  it('has no code that is never raised', () => {
    const raised = new Set(uses.filter((u) => u.raised).map((u) => u.code));
    const dynamic = (code: string) => libfdtRaisedDynamically && code.startsWith('FDT_ERR_');
    const dead = [...table].filter((c) => !raised.has(c) && !dynamic(c));
    expect(dead, 'codes in ERROR_CODES that nothing in src/ raises').to.deep.equal([]);
  });

  it('lists every libfdt error name, and the fallback for a number libfdt does not name', () => {
    const libfdt = [...table].filter((c) => c.startsWith('FDT_ERR_')).sort();
    expect(libfdt).to.deep.equal([...Object.keys(FDT_ERR).map((k) => `FDT_ERR_${k}`), 'FDT_ERR_UNKNOWN'].sort());
  });

  it('gives each entry a sentence of meaning and fix, and each error a non-zero exit status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(info.meaning, code).to.match(/^[A-Z`].*\.$/);
      expect(info.fix, code).to.match(/^[A-Z`].*\.$/);
      expect(info.label.length, code).to.be.within(2, 40);
      if (info.severity === 'error') expect(EXIT_CODE[info.exit], code).to.be.greaterThan(0);
      else expect(info.exit, code).to.equal('ok');
    }
  });
});

describe('errors → exitCodeFor', () => {
  it('returns the table\'s status for every error code', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      if (info.severity !== 'error') continue;
      expect(exitCodeFor(new UbootGenError(code as ErrorCode, 'x')), code).to.equal(EXIT_CODE[info.exit]);
    }
  });

  it('follows the meaning, not the prefix', () => {
    // A config naming a node the DTB lacks is a config error, though the planner finds it.
    expect(exitCodeFor(new PlanError('CONFIG_PASSTHROUGH_PATH', 'x'))).to.equal(3);
    // An already edited DTB is a bad input file, not a plan that does not fit, though its code says PLAN_.
    expect(exitCodeFor(new PlanError('PLAN_DTB_EDITED', 'x'))).to.equal(4);
    // libfdt names say nothing of meaning: a corrupt blob is input, a misused writer is a bug.
    expect(exitCodeFor(new PlanError('FDT_ERR_BADSTRUCTURE', 'x'))).to.equal(4);
    expect(exitCodeFor(new ConfigError('CONFIG_CONFLICT', 'x'))).to.equal(3);
    expect(exitCodeFor(new UbootGenError('FDT_ERR_TRUNCATED', 'x'))).to.equal(4);
    expect(exitCodeFor(new UbootGenError('FDT_ERR_BADSTATE', 'x'))).to.equal(70);
    expect(exitCodeFor(new UbootGenError('OUTPUT_WRITE', 'x'))).to.equal(1);
  });

  it('treats anything that is not ours, and a code outside the table, as a bug (70)', () => {
    expect(exitCodeFor(new Error('x'))).to.equal(70);
    expect(exitCodeFor('x')).to.equal(70);
    expect(exitCodeFor(new InternalError('x'))).to.equal(70);
    expect(exitCodeFor(new UbootGenError('<unknown error>' as Code as ErrorCode, 'x'))).to.equal(70);
  });

  it('InternalError says it is a bug and how to report it', () => {
    const e = new InternalError('no image format "x"', { id: 'x' });
    expect(e.code).to.equal('INTERNAL');
    expect(e.message).to.equal('uboot-gen bug: no image format "x" (please report it with the --json output)');
  });
});
