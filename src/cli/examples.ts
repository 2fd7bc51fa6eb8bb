// The "Examples:" block of each command's --help: realistic command lines and what they do.
// A test parses every line with the command's own options, so an example cannot name an option
// that does not exist.

/** Realistic uses of each command, shown in its --help: the command line, then what it does. */
export const EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  generate: [
    ['uboot-gen config', 'plan, write boot.source + boot.scr beside config, and verify them'],
    ['uboot-gen -c binaries/config -d binaries -t tftp -o xen_boot', 'ImageBuilder\'s own command line, as Xen CI runs it'],
    ['uboot-gen config --dry-run --map', 'print the plan and the memory map; write nothing'],
    ['uboot-gen config -q --report boot.html --install /srv/tftp', 'a verified script and its files into the TFTP root, and an HTML report'],
  ],
  simulate: [
    ['uboot-gen simulate boot.scr --root /srv/tftp', 'run a script as the board would fetch it from /srv/tftp'],
    ['uboot-gen simulate boot.scr --root build --board virt.dtb --xen-version 4.20', 'on another board DTB, modelling Xen 4.20'],
    ['uboot-gen simulate boot.fit --root build --script-addr 0x42c00000 --uboot-dtb u-boot.dtb', 'a signed FIT, checked against the keys in U-Boot\'s DTB'],
  ],
  qemu: [
    ['uboot-gen qemu --write-board-dtb virt.dtb', 'write the QEMU board\'s DTB, to use as DEVICE_TREE'],
    ['uboot-gen qemu config --keep-log serial.log', 'boot the config for real and keep the serial console'],
    ['uboot-gen qemu config --uboot u-boot.bin --timeout 600 --json', 'with another U-Boot build, a longer timeout, JSON out'],
  ],
  serve: [
    ['uboot-gen serve /srv/tftp --config /srv/tftp/config', 'serve on 127.0.0.1:6969 and check every fetch against the plan'],
    ['sudo uboot-gen serve /srv/tftp --host 0.0.0.0 --port 69', 'serve a board on the network on the standard TFTP port'],
    ['uboot-gen serve build --config build/config --until-fetched --timeout 300 --json', 'in CI: stop once the board fetched everything planned'],
  ],
  inspect: [
    ['uboot-gen inspect build/boot.scr', 'the header and CRCs, each load, the /chosen tree the script builds, findings'],
    ['uboot-gen inspect build/boot.scr --root build', 'size each load from the files the board will fetch, and check they exist'],
    ['uboot-gen inspect boot.source --json', 'the same as JSON (schema/inspect.schema.json); exit 6 when a finding is an error'],
  ],
  check: [
    ['uboot-gen check \'boards/**/config\'', 'generate and verify every config under boards/, in parallel, writing nothing'],
    ['uboot-gen check -j 1 a/config b/config --no-share', 'two configs one after the other, each binary loaded once per domain'],
    ['uboot-gen check \'boards/*/config\' --json --report check.html', 'JSON lines for CI, and one HTML page linking every config\'s report'],
  ],
  keys: [
    ['uboot-gen keys', 'every ImageBuilder key, its type and whether uboot-gen supports it'],
    ['uboot-gen keys \'DOMU_MEM[0]\'', 'one key in full: default, ImageBuilder and Xen versions, Kconfig, example'],
    ['uboot-gen keys --json', 'the same as JSON (schema/keys.schema.json)'],
  ],
};

/** The "Examples:" block of a command's --help. */
export function examplesHelp(command: string): string {
  const rows = EXAMPLES[command] ?? [];
  return ['', 'Examples:', ...rows.flatMap(([line, what]) => [`  ${line}`, `      ${what}`])].join('\n');
}
