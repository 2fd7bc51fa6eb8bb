import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/api/generate.js';
import { verifyGenerated } from '../../../src/api/verify.js';
import { verifySummary } from '../../../src/cli/verify-report.js';
import { buildReportModel, type ReportModel } from '../../../src/report/model.js';
import { renderReportHtml } from '../../../src/report/html.js';
import { planRegions, zoomWindow } from '../../../src/report/memory-map.js';
import { formatMemoryMap, wrapList } from '../../../src/cli/map.js';
import { sampleCopy } from '../../helpers/images.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/** Screenshots land here; CI keeps the folder as an artifact. */
const ARTIFACTS = path.join(REPO_ROOT, 'artifacts', 'report');

function sampleReport(extra: string[] = []): { model: ReportModel; dir: string; config: string } {
  const { dir, config } = sampleCopy(extra);
  const gen = generate(config, { dir, write: false });
  const verification = verifyGenerated(gen);
  return { model: buildReportModel({ title: 'config', plan: gen.plan, verification, summary: verifySummary(verification), configFile: config }), dir, config };
}

/** dom0 and 32 domUs sharing the sample kernel and initramfs, 40 MiB each (39 is the least the 32.1 MiB kernel leaves room for). */
const DOMUS_32 = ['NUM_DOMUS=32', ...Array.from({ length: 32 }, (_, i) => [`DOMU_KERNEL[${i}]="samples/Image"`, `DOMU_RAMDISK[${i}]="samples/initrd.cpio.gz"`, `DOMU_MEM[${i}]=40`, `DOMU_CMD[${i}]="console=ttyAMA0"`]).flat()];
/** A domU asking for more memory than the board has: Xen panics building it. */
const FAILING = ['DOMU_MEM[1]=4096'];

describe('report → memory map, model and HTML', function () {
  this.timeout(60000);

  it('lists every region of the sample plan in address order, free gaps included', () => {
    const { dir, config } = sampleCopy();
    const plan = generate(config, { dir, write: false }).plan;
    const regions = planRegions(plan);
    expect(regions.map((r) => [r.kind, r.start.toString(16), r.end.toString(16), r.id ?? r.label])).to.deep.equal([
      ['free', '40000000', '40200000', 'free'],
      ['script', '40200000', '40400000', 'boot.scr slot'],
      ['load', '40400000', '42410000', 'dom0_linux'],
      ['free', '42410000', '42600000', 'free'],
      ['load', '42600000', '42600127', 'dom0_ramdisk'],
      ['free', '42600127', '42800000', 'free'],
      ['load', '42800000', '429360c8', 'host_kernel'],
      ['xen-run', '42800000', '429360c8', 'Xen running (booti)'],
      ['free', '429360c8', '42a00000', 'free'],
      ['load', '42a00000', '42a04d70', 'host_fdt'],
      ['dtb-growth', '42a00821', '42a04000', 'DTB growth (fdt resize 0x4FF + 12288 pad)'],
      ['free', '42a04d70', 'bdc00000', 'free'],
      ['uboot', 'bdc00000', 'c0000000', 'U-Boot (relocated code, stack, heap)'],
    ]);
    expect(zoomWindow(regions)).to.deep.equal({ start: 0x40200000, end: 0x42b00000 });
  });

  it('spreads the zoomed view\'s labels at least 15 px apart, in address order', () => {
    const zoom = sampleReport(DOMUS_32).model.map!.zoom!;
    const ys = zoom.labels.map((l) => l.y2);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).to.be.at.least(15 - 1e-9);
    expect(zoom.labels.filter((l) => l.kind === 'load').map((l) => l.id)).to.have.members(['dom0_linux', 'dom0_ramdisk', 'host_kernel', 'host_fdt']);
  });

  it('draws the terminal map: one bar per bank, the binaries\' window, and a wrapped table', () => {
    const { dir, config } = sampleCopy();
    const plan = generate(config, { dir, write: false }).plan;
    const text = formatMemoryMap(plan, { colour: false, width: 100 }).split('\n');
    expect(text[0]).to.equal('RAM bank 0  0x40000000..0xC0000000 (2 GiB), low addresses on the left');
    expect(text[1]).to.equal(`  |#X${'.'.repeat(72)}UU|`);
    expect(text[2]).to.equal('Binaries  0x40200000..0x42B00000 (41 MiB)');
    expect(text[3]!.length).to.equal(2 + 76 + 2);
    expect(text).to.include('0x40400000..0x42410000  32.1 MiB  binary       samples/Image (DOM0_KERNEL, DOMU_KERNEL[0],');
    expect(text).to.include(`${' '.repeat(47)}DOMU_KERNEL[1])`);
    expect(wrapList('a, bb, ccc, dddd', 8)).to.deep.equal(['a, bb,', 'ccc,', 'dddd']);
  });

  it('gives one card per domain with its verdict, console and config lines', () => {
    const { model, config } = sampleReport(FAILING);
    expect(model.ok).to.equal(false);
    expect(model.domains.map((d) => [d.name, d.verdict])).to.deep.equal([['dom0', 'not started'], ['domU1', 'xen panic'], ['domU0', 'not started']]);
    const domU1 = model.domains.find((d) => d.name === 'domU1')!;
    expect(domU1.configLines.map((l) => l.text)).to.deep.equal([
      'DOMU_KERNEL[1]="samples/Image"', 'DOMU_RAMDISK[1]="samples/initrd.cpio.gz"', 'DOMU_CMD[1]="console=ttyAMA0 marker=domU1"', 'DOMU_MEM[1]=256', 'DOMU_VCPUS[1]=2', 'DOMU_MEM[1]=4096',
    ]);
    expect(domU1.configLines[5]!.file).to.equal(config);
  });

  it('renders self-contained HTML: no script, no external reference, data escaped', async () => {
    const { model } = sampleReport(['DOMU_CMD[0]="console=ttyAMA0 <b>x</b>"']);
    const html = await renderReportHtml(model);
    expect(html).to.not.match(/<script|<link|src=|href=/i);
    expect(html).to.contain('&lt;b&gt;x&lt;/b&gt;');
    expect(html.match(/<article class="domain/g)).to.have.length(3);
    for (const id of ['dom0_linux', 'dom0_ramdisk', 'host_kernel', 'host_fdt']) expect(html).to.contain(`data-id="${id}"`);
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  (chromium ? describe : describe.skip)('in a real browser (headless Chromium)', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let browser: any;
    before(async () => {
      const { default: puppeteer } = await import('puppeteer-core');
      browser = await puppeteer.launch({
        executablePath: chromium!, headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
    });
    after(async () => { await browser?.close(); });

    const cases: Array<[string, string[], number]> = [['sample', [], 3], ['32-domus', DOMUS_32, 33], ['failing', FAILING, 3]];
    for (const [name, extra, cards] of cases) {
      it(`loads the ${name} report with no console error, every card and every load labelled`, async () => {
        const { model } = sampleReport(extra);
        const file = path.join(ARTIFACTS, `${name}.html`);
        fs.writeFileSync(file, await renderReportHtml(model));
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('console', (m: { type(): string; text(): string }) => { if (m.type() === 'error') errors.push(m.text()); });
        page.on('pageerror', (e: Error) => errors.push(e.message));
        page.on('requestfailed', (r: { url(): string }) => errors.push(`request failed: ${r.url()}`));
        await page.setViewport({ width: 1280, height: 900 });
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        expect(errors).to.deep.equal([]);
        const seen = await page.evaluate(() => ({
          cards: [...document.querySelectorAll('article.domain')].map((a) => [a.getAttribute('data-domain'), a.getAttribute('data-verdict')]),
          loads: [...document.querySelectorAll('figure.map:last-of-type g.region.load')].map((g) => {
            const r = g.querySelector('rect.area')!.getBoundingClientRect();
            return { id: g.getAttribute('data-id'), height: r.height, width: r.width };
          }),
          labels: [...document.querySelectorAll('figure.map:last-of-type g.label.load')].map((g) => [g.getAttribute('data-for'), g.querySelector('tspan.name')!.textContent]),
        }));
        expect(seen.cards).to.have.length(cards);
        expect(seen.cards.map((c: string[]) => c[0])).to.deep.equal(model.domains.map((d) => d.name));
        expect(seen.cards.map((c: string[]) => c[1])).to.deep.equal(model.domains.map((d) => d.verdict));
        const loads = model.map!.zoom!.shapes.filter((s) => s.kind === 'load');
        expect(seen.loads.map((l: { id: string }) => l.id)).to.deep.equal(loads.map((l) => l.id));
        for (const l of seen.loads) expect(l.height, `${l.id} is visible`).to.be.greaterThan(0);
        // Labels run top to bottom, and addresses grow upwards: the highest load is labelled first.
        expect(seen.labels).to.deep.equal([...loads].reverse().map((l) => [l.id, l.text]));
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
        // Dark mode renders too (the colours come from prefers-color-scheme).
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}-dark.png`), fullPage: false });
        await page.close();
      });
    }
  });
});
