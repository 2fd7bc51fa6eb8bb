// The JSON contract: the envelope, errors and diagnostics as JSON, the plan section, and the
// shipped schema (which must accept what the CLI prints and refuse what it must not print).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ImageFormatError } from '../../../src/errors.js';
import { generate } from '../../../src/api/generate.js';
import { diagnosticToJson, envelope, errorEnvelope, errorToJson, JSON_COMMANDS, JSON_SCHEMA_FILE, planJson, summaryLine } from '../../../src/cli/json.js';
import { sampleCopy } from '../../helpers/images.js';
import { expectSchemaValid, schemaErrors, SCHEMA_DIR } from '../../helpers/json-schema.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('cli → json', () => {
  it('an error is a diagnostic of level "error": code, key, position, hint, the table\'s fix and its data', () => {
    const e = new ConfigError('CONFIG_UNSAFE', 'XEN runs a command', { reason: 'r' }, { file: 'c', line: 2, col: 6, key: 'XEN' }, 'write it literally');
    expect(errorToJson(e)).to.deep.equal({
      code: 'CONFIG_UNSAFE', level: 'error', message: 'XEN runs a command', key: 'XEN', where: { file: 'c', line: 2, col: 6 },
      hint: 'write it literally', fix: 'Write the value literally; compute it before writing the config.', data: { reason: 'r' },
    });
    // A place in a binary file: the file and the byte offset, no line.
    const bad = new ImageFormatError('IMAGE_BAD_MAGIC', 'not a DTB', {}, { file: 'x.dtb', offset: 0 });
    expect(errorToJson(bad)).to.deep.equal({
      code: 'IMAGE_BAD_MAGIC', level: 'error', message: 'not a DTB', where: { file: 'x.dtb', offset: 0 }, fix: 'Point the key at a file of the format the message names.',
    });
  });

  it('a value from the command line points at "<command line>" without a line or column', () => {
    const e = new ConfigError('CONFIG_UNSAFE_PATH', '-o a b is not a plain name', {}, { file: '<command line>', line: 0, col: 0, key: 'UBOOT_SOURCE' });
    expect(errorToJson(e).where).to.deep.equal({ file: '<command line>' });
    expect(diagnosticToJson({ level: 'warning', code: 'CONFIG_OCTAL', message: 'm', where: { file: '<command line>', line: 0, col: 0 } }).where).to.deep.equal({ file: '<command line>' });
  });

  it('anything else thrown is an INTERNAL error (exit 70) that keeps its stack for the report', () => {
    const boom = new TypeError('x is undefined');
    const e = errorEnvelope('simulate', boom);
    expect([e.ok, e.exitCode, e.diagnostics.length]).to.deep.equal([false, 70, 1]);
    const [d] = e.diagnostics;
    expect([d!.code, d!.level, d!.message]).to.deep.equal(['INTERNAL', 'error', 'uboot-gen bug: x is undefined (please report it with the --json output)']);
    expect(d!.data).to.deep.equal({ stack: boom.stack });
    expect(errorToJson('a string').message).to.equal('uboot-gen bug: a string (please report it with the --json output)');
    expectSchemaValid(e);
  });

  it('a diagnostic keeps its fields and gains the table\'s fix', () => {
    expect(diagnosticToJson({ level: 'warning', code: 'CONFIG_OCTAL', message: 'm', key: 'DOMU_MEM[0]', where: { file: 'c', line: 1, col: 1 } })).to.deep.equal({
      code: 'CONFIG_OCTAL', level: 'warning', message: 'm', key: 'DOMU_MEM[0]', where: { file: 'c', line: 1, col: 1 }, fix: 'Write 0x... for hex, or drop the leading 0.',
    });
  });

  it('the envelope: ok is exitCode 0; serve\'s summary line puts event after command', () => {
    expect(envelope('generate', 0, [], { plan: 1 })).to.deep.equal({ schemaVersion: 1, command: 'generate', ok: true, exitCode: 0, diagnostics: [], plan: 1 });
    expect(envelope('qemu', 6, [])).to.deep.equal({ schemaVersion: 1, command: 'qemu', ok: false, exitCode: 6, diagnostics: [] });
    expect(Object.keys(summaryLine(envelope('serve', 0, [], { findings: [] })))).to.deep.equal(['schemaVersion', 'command', 'event', 'ok', 'exitCode', 'diagnostics', 'findings']);
  });

  it('the plan section of config.example: loads by id with their domains, numbers plus hex for addresses, no machine objects', () => {
    const gen = generate(sampleCopy().config, { env: {}, write: false });
    const plan = planJson(gen.plan);
    expect(plan.loads[0]).to.deep.equal({
      id: 'dom0_linux', role: 'dom0-kernel', domains: ['dom0', 'domU0', 'domU1'], keys: ['DOM0_KERNEL', 'DOMU_KERNEL[0]', 'DOMU_KERNEL[1]'],
      file: 'samples/Image', loadCmd: 'tftpb', addr: 0x40400000, addrHex: '0x40400000', size: 262144, footprint: 33619968, regSize: 33619968,
      end: 0x42600000, format: 'arm64-image',
    });
    expect(plan.loads.map((l) => `${l.id} ${l.addrHex} ${l.file}`)).to.deep.equal([
      'dom0_linux 0x40400000 samples/Image', 'dom0_ramdisk 0x42600000 samples/initrd.cpio.gz', 'host_kernel 0x42800000 samples/xen', 'host_fdt 0x42A00000 samples/virt.dtb',
    ]);
    expect(plan.xen).to.deep.equal({ load: 'host_kernel', runAddr: 0x42800000, imageSize: 1269960 });
    expect(plan.dtb).to.deep.equal({ load: 'host_fdt', originalSize: 2081, growth: 1279, resizeExtra: 1279, resizedSize: 4096, bootPad: 12288, hasChosen: true });
    expect(plan.domains[1]).to.deep.equal({ name: 'domU0', kind: 'domU', index: 0, kernel: 'dom0_linux', ramdisk: 'dom0_ramdisk', memMB: 256, vcpus: 1, cmd: 'console=ttyAMA0 marker=domU0' });
    expect([plan.scriptAddr, plan.scriptAddrHex, plan.memory]).to.deep.equal([0x40200000, '0x40200000', { start: 0x40000000, end: 0xc0000000 }]);
    // Nothing of this machine's objects: no absolute paths of inputs, no bytes, no config.
    const text = JSON.stringify(plan);
    expect(text).not.to.match(/absPath|"bytes"|"config"/);
    expectSchemaValid(envelope('generate', 0, [], { plan }));
  });

  describe('the schema', () => {
    const good = () => envelope('simulate', 0, [], {});

    it('ships in the package, one file per command family, each with its $id', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
      expect(pkg.files).to.include('schema');
      expect(fs.existsSync(path.join(REPO_ROOT, JSON_SCHEMA_FILE))).to.equal(true);
      const files = fs.readdirSync(SCHEMA_DIR).sort();
      expect(files).to.deep.equal(['check.schema.json', 'inspect.schema.json', 'keys.schema.json', 'uboot-gen.schema.json']);
      for (const f of files) {
        const s = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as { $id: string; $schema: string };
        expect([s.$id, s.$schema]).to.deep.equal([f, 'https://json-schema.org/draft/2020-12/schema']);
      }
      const main = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'uboot-gen.schema.json'), 'utf8')) as { properties: { command: { enum: string[] } } };
      expect(main.properties.command.enum).to.deep.equal([...JSON_COMMANDS]);
    });

    it('accepts an envelope and refuses a missing field, an unknown one, a wrong version or ok against exitCode', () => {
      expect(schemaErrors(good())).to.deep.equal([]);
      const { diagnostics: _d, ...noDiagnostics } = good();
      expect(schemaErrors(noDiagnostics)).to.include('/ must have required property \'diagnostics\' {"missingProperty":"diagnostics"}');
      expect(schemaErrors({ ...good(), error: {} })).to.deep.equal(['/ must NOT have unevaluated properties {"unevaluatedProperty":"error"}']);
      expect(schemaErrors({ ...good(), schemaVersion: 2 })).to.include('/schemaVersion must be equal to constant {"allowedValue":1}');
      expect(schemaErrors({ ...good(), ok: false })).to.include('/ok must be equal to constant {"allowedValue":true}');
      expect(schemaErrors({ ...good(), command: 'simulat' })[0]).to.match(/^\/command must be equal to one of the allowed values/);
    });

    it('refuses a plan with an internal field and a diagnostic without a code', () => {
      const plan = planJson(generate(sampleCopy().config, { env: {}, write: false }).plan);
      const withAbs = { ...plan, loads: plan.loads.map((l) => ({ ...l, absPath: '/x' })) };
      expect(schemaErrors(envelope('generate', 0, [], { plan: withAbs }))).to.include('/plan/loads/0 must NOT have additional properties {"additionalProperty":"absPath"}');
      expect(schemaErrors(envelope('generate', 0, [{ level: 'warning', message: 'm' } as never]))).to.include('/diagnostics/0 must have required property \'code\' {"missingProperty":"code"}');
    });

    it('serve lines: listening and transfer need their fields; the summary is an envelope', () => {
      const line = { schemaVersion: 1, command: 'serve', event: 'listening', host: '127.0.0.1', port: 6969, root: '/srv' };
      expect(schemaErrors(line)).to.deep.equal([]);
      expect(schemaErrors({ ...line, event: 'summary' })).to.include('/ must have required property \'ok\' {"missingProperty":"ok"}');
      const { event: _e, ...noEvent } = line;
      expect(schemaErrors(noEvent)).to.include('/ must have required property \'event\' {"missingProperty":"event"}');
      expect(schemaErrors(summaryLine(envelope('serve', 6, [], { findings: [{ kind: 'not-fetched', file: 'x', message: 'm' }], transfers: 0 })))).to.deep.equal([]);
    });

    it('inspect and keys documents are handed to their own schema files', () => {
      // Each is judged by its command's file: a document without that command's sections breaks it.
      expect(schemaErrors(envelope('keys', 0, []))).to.include('/ must have required property \'keys\' {"missingProperty":"keys"}');
      expect(schemaErrors(envelope('keys', 0, [], { keys: [] }))).to.deep.equal([]);
      expect(schemaErrors(envelope('inspect', 0, []))).to.include('/ must have required property \'script\' {"missingProperty":"script"}');
      // The envelope still applies to them.
      expect(schemaErrors({ ...envelope('keys', 0, []), ok: false })).to.include('/ok must be equal to constant {"allowedValue":true}');
    });
  });
});
