// Lint: eslint's and typescript-eslint's recommended rules, and the pipeline's import direction.
// `npm run lint` (part of `npm test`). test/unit/lint.spec.ts shows a wrong import failing.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/**
 * What each stage of src/ may import besides its own folder: data flows one way, config → images
 * and fdt → plan → emit, and the simulator checks the result from the bytes alone. A name stands
 * for src/NAME.ts and src/NAME/**; a path ending in .ts for that one file.
 */
export const LAYERS = [
  { stage: 'util', may: ['errors'], why: 'util holds small helpers every stage uses; it depends on no stage.' },
  { stage: 'config', may: ['util', 'errors'], why: 'the config reader turns text into typed values and knows no binary, plan or output.' },
  { stage: 'fdt', may: ['util', 'errors'], why: 'the libfdt port works on DTB bytes alone; every stage that edits a DTB uses it.' },
  { stage: 'boards', may: ['util', 'errors', 'fdt'], why: 'board profiles are facts about real boards and their DTBs; the planner and the simulator both read them.' },
  { stage: 'images', may: ['util', 'errors', 'fdt'], why: 'binary format readers see bytes only (a DTB is checked whole with the libfdt port); the planner and the simulator both use them.' },
  { stage: 'fit', may: ['util', 'errors', 'fdt', 'config', 'plan'], why: 'the FIT writer packs a plan\'s files and script into mkimage\'s bytes; the simulator reads FITs with its own code, so a writer bug cannot hide itself.' },
  { stage: 'xen-build', may: ['util', 'errors', 'images'], why: 'facts of a Xen build are shared by the planner and the simulator, so they depend on neither.' },
  {
    stage: 'sim', may: ['util', 'errors', 'fdt', 'images', 'xen-build', 'boards'],
    why: 'the simulator sees only the bytes a board would get: importing the planner or the emitter would let it agree with them instead of checking them.',
  },
  { stage: 'plan', may: ['util', 'errors', 'config', 'fdt', 'images', 'xen-build', 'boards'], why: 'the planner comes before the emitter, and the simulator that checks its result must not shape it.' },
  {
    stage: 'emit', may: ['util', 'errors', 'config', 'fdt', 'images', 'xen-build', 'plan', 'sim/uboot/hush/lexer.ts', 'sim/uboot/hush/commands.ts'],
    why: 'the emitter renders the plan; of the simulator it uses only the hush lexer, to quote words exactly as U-Boot will read them.',
  },
  {
    stage: 'inspect', may: ['util', 'errors', 'fdt', 'images', 'plan', 'emit/measure.ts', 'sim/uboot/hush/lexer.ts', 'sim/uboot/hush/commands.ts'],
    why: 'inspect reads a script as the board would get it, with the planner\'s checks, the emitter\'s DTB replay and the simulator\'s hush lexer; it never runs the simulator.',
  },
  {
    stage: 'api', may: ['util', 'errors', 'config', 'fdt', 'images', 'xen-build', 'boards', 'plan', 'emit', 'fit', 'output', 'sim', 'inspect'],
    why: 'the library calls run the pipeline and return data; the words and the JSON around them are shaped in src/cli.',
  },
  {
    stage: 'report', may: ['util', 'errors', 'fdt', 'plan', 'sim', 'emit/templates.ts', 'api'],
    why: 'the boot report presents what the planner and the simulator already decided; it decides nothing itself.',
  },
  {
    stage: 'output', may: ['util', 'errors', 'config', 'plan', 'emit'],
    why: 'committing outputs comes after rendering and verifying them; it reads their plan and bytes and decides nothing about them.',
  },
  { stage: 'serve', may: ['util', 'errors', 'api'], why: 'the TFTP server only serves files, and learns what to expect from the generator\'s public call.' },
];

const glob = (name) => path.join(ROOT, 'src', name.endsWith('.ts') ? `${name.slice(0, -3)}.{ts,js}` : `${name}{.ts,.js,/**}`);

/** import-x/no-restricted-paths zones: for each stage, all of src/ except itself and what it may import. */
const zones = [
  ...LAYERS.map(({ stage, may, why }) => ({
    target: `./src/${stage}`,
    from: path.join(ROOT, 'src', '**'),
    except: [stage, ...may].map(glob),
    message: `src/${stage} may import only ${may.map((m) => `src/${m}`).join(', ')} and its own folder: ${why}`,
  })),
  {
    target: './src',
    from: ['./scripts', './test'],
    message: 'src/ is what the package ships: it never imports build scripts, dev tools or test helpers.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.lab/', 'test/fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      // NodeNext: `./x.js` in a .ts file names ./x.ts.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      // Every import must resolve, or the direction rule below could not see where it leads.
      'import-x/no-unresolved': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones }],
      // Unused names are tsc's job (noUnusedLocals); `_name` marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['bin/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
