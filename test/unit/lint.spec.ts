// eslint.config.js: the pipeline's import direction is enforced. Each case lints one line of
// source as if it were a file at the given place in src/ (nothing is written there); a bare
// `import 'x';` keeps the unused-name rule out of the way.
import { expect } from 'chai';
import { ESLint } from 'eslint';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

const RULE = 'import-x/no-restricted-paths';

describe('lint → import direction (eslint.config.js)', function () {
  // Loading eslint, typescript-eslint and the resolver takes a few seconds on a busy machine.
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: REPO_ROOT });

  async function lint(file: string, source: string): Promise<{ ruleId: string | null; message: string }[]> {
    const [result] = await eslint.lintText(`${source}\n`, { filePath: path.join(REPO_ROOT, file) });
    return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
  }

  const refused: [string, string, string][] = [
    ['src/sim/probe.ts', "import '../plan/plan.js';", 'src/sim may import only src/util, src/errors, src/fdt, src/images, src/xen-build'],
    ['src/sim/uboot/cmd/probe.ts', "import '../../../emit/render.js';", 'src/sim may import only'],
    ['src/plan/probe.ts', "import '../sim/uboot/hush/run.js';", 'src/plan may import only'],
    ['src/emit/probe.ts', "import '../sim/uboot/hush/run.js';", 'src/emit may import only'],
    ['src/config/probe.ts', "import '../fdt/sw.js';", 'src/config may import only src/util, src/errors and its own folder'],
    ['src/fdt/probe.ts', "import '../images/probe-file.js';", 'src/fdt may import only src/util, src/errors'],
    ['src/images/probe.ts', "import '../config/types.js';", 'src/images may import only src/util, src/errors'],
    ['src/cli/probe.ts', "import '../../test/helpers/temp.js';", 'src/ is what the package ships'],
  ];
  for (const [file, source, why] of refused) {
    it(`refuses in ${file}: ${source}`, async () => {
      const found = await lint(file, source);
      expect(found.map((m) => m.ruleId)).to.deep.equal([RULE]);
      expect(found[0]!.message).to.contain(why);
    });
  }

  const allowed: [string, string][] = [
    ['src/sim/probe.ts', "import '../fdt/errors.js';"],
    ['src/sim/uboot/probe.ts', "import './hush/lexer.js';"],
    ['src/emit/probe.ts', "import '../sim/uboot/hush/lexer.js';"],
    ['src/plan/probe.ts', "import '../fdt/errors.js';"],
    ['src/images/probe.ts', "import '../errors.js';"],
    ['src/cli/probe.ts', "import '../plan/plan.js';"],
    ['test/unit/probe.ts', "import '../../src/plan/plan.js';"],
  ];
  for (const [file, source] of allowed) {
    it(`allows in ${file}: ${source}`, async () => {
      expect(await lint(file, source)).to.deep.equal([]);
    });
  }

  it('an import that does not resolve is an error of its own (the direction rule could not see it)', async () => {
    const found = await lint('src/sim/probe.ts', "import '../plan/no-such-module.js';");
    expect(found.map((m) => m.ruleId)).to.deep.equal(['import-x/no-unresolved']);
  });
});
