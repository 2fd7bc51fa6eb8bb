// check --report: one self-contained file, a table linked to one boot report per config, rendered
// by headless Chromium.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRecord } from '../../../src/cli/check-record.js';
import { batchReportModel } from '../../../src/cli/check-report.js';
import { renderBatchReportHtml } from '../../../src/report/html.js';
import { boardTree } from '../../helpers/boards.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const ARTIFACTS = path.join(REPO_ROOT, 'artifacts', 'report');
const BIN = path.join(REPO_ROOT, 'bin', 'uboot-gen');
const BOARDS = { a: [], b: ['DOMU_MEM[1]=4096'], c: ['NUM_DOMUS=x'] };

describe('report → check batch', function () {
  this.timeout(120000);

  it('builds one row and one report per config, the failures marked, ids unique per section', async () => {
    const root = boardTree(BOARDS);
    const records = ['a', 'b', 'c'].map((b) => checkRecord(`boards/${b}/config`, {}, true, root));
    const model = batchReportModel(records, '3 configs: 1 passed, 2 failed (1.0 s)');
    expect(model.ok).to.equal(false);
    expect(model.configs.map((c) => [c.config, c.anchor, c.ok, c.exitCode, c.domains, c.report.ok])).to.deep.equal([
      ['boards/a/config', 'config-1', true, 0, '3/3', true],
      ['boards/b/config', 'config-2', false, 6, '0/3', false],
      ['boards/c/config', 'config-3', false, 3, '-', false],
    ]);
    expect(model.configs[2]!.report.summary).to.equal(`${path.join(root, 'boards/c/config')}:28:1: NUM_DOMUS must be a whole number of domUs, got "x"`);
    const html = await renderBatchReportHtml(model);
    expect(html).to.not.match(/<script|<link|src=/i);
    // Links only within the page.
    expect(html.match(/href="[^"]*"/g)!.every((h) => h.startsWith('href="#'))).to.equal(true);
    const ids = html.match(/ id="[^"]*"/g)!;
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.include.members([' id="config-1"', ' id="config-1-memory-map"', ' id="config-2-domains"', ' id="config-3-consoles"']);
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  (chromium ? it : it.skip)('loads in headless Chromium with no console error, every config section present and linked', async () => {
    const root = boardTree(BOARDS);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'check.html');
    const r = spawnSync(BIN, ['check', 'boards/**/config', '--report', file], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    expect(r.status, r.stderr).to.equal(6);
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({
      executablePath: chromium!, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push((e as Error).message));
      page.on('requestfailed', (q) => errors.push(`request failed: ${q.url()}`));
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      expect(errors).to.deep.equal([]);
      const seen = await page.evaluate(() => ({
        rows: [...document.querySelectorAll('#batch-summary tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
        links: [...document.querySelectorAll('#batch-summary tbody a')].map((a) => {
          const target = document.getElementById(a.getAttribute('href')!.slice(1));
          return [a.textContent, target?.getAttribute('data-config'), target?.querySelector('h1')?.textContent];
        }),
        cards: [...document.querySelectorAll('section.config')].map((s) => [s.getAttribute('data-config'), s.querySelectorAll('article.domain').length, s.querySelector('.summary')!.getAttribute('data-ok')]),
        visible: [...document.querySelectorAll('section.config')].every((s) => s.getBoundingClientRect().height > 0),
      }));
      expect(seen.rows).to.deep.equal([['boards/a/config', '3/3', '0'], ['boards/b/config', '0/3', '6'], ['boards/c/config', '-', '3']]);
      expect(seen.links).to.deep.equal(['a', 'b', 'c'].map((b) => [`boards/${b}/config`, `boards/${b}/config`, `boards/${b}/config`]));
      // Three domain cards for each config with a plan; none for the one that stopped at its config.
      expect(seen.cards).to.deep.equal([['boards/a/config', 3, 'true'], ['boards/b/config', 3, 'false'], ['boards/c/config', 0, 'false']]);
      expect(seen.visible).to.equal(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'check.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
