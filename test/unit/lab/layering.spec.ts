import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('lab layering: the package ships only what `uboot-gen qemu` needs', () => {
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));

  it('no module under src/ imports from scripts/ (CI code is not in the package)', () => {
    const bad = walk(path.join(REPO_ROOT, 'src')).filter((f) => /from '(\.\.\/)+scripts\//.test(fs.readFileSync(f, 'utf8')));
    expect(bad).to.deep.equal([]);
  });

  it('package.json "files" carries no build output of scripts/', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files.filter((f) => /^(dist\/)?scripts\b|^dist\/?$/.test(f))).to.deep.equal([]);
  });
});
