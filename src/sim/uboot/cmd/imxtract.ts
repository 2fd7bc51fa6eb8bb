// Models U-Boot cmd/ximg.c do_imgextract() for FIT images (`imxtract ADDR NAME [DEST]`), as ImageBuilder's
// FIT scripts use it: find /images/NAME, verify it unless env `verify` says no, copy the uncompressed data
// to DEST ("   Loading part 0 ... OK"), then set fileaddr/filesize to the data INSIDE the FIT (not DEST).
// Legacy multi-file images (`imxtract ADDR PART`) are not modelled: that path says so.
import { CMD_RET, defineCommand } from '../command.js';
import { hexToUl } from '../env.js';
import { hexPad } from '../../../util/hex.js';
import { IH_MAGIC } from '../../../images/uimage.js';
import { fitImageCompression, fitImageData, fitImageNode, fitImageVerify, readFit } from '../boot/image-fit.js';

export default defineCommand({
  name: 'imxtract', maxArgs: 4, repeatable: true, source: 'cmd/ximg.c',
  usage: 'extract a part of a multi-image',
  help: 'addr part [dest]\n    - extract <part> from legacy image at <addr> and copy to <dest>\n'
    + 'addr uname [dest]\n    - extract <uname> subimage from FIT image at <addr> and copy to <dest>',
  run(m, argv) {
    const addr = argv.length > 1 ? hexToUl(argv[1]!).value : m.build.loadAddr;
    const uname = argv.length > 2 ? argv[2] : undefined;
    // The same argument is also read as a legacy part number, and that number is what "Loading part"
    // prints even for a FIT: hextoul("dom0_linux") = 0xd (13), hextoul("host_kernel") = 0 (seen on the real board).
    const part = uname !== undefined ? hexToUl(uname).value : 0;
    const dest = argv.length > 3 ? hexToUl(argv[3]!).value : 0;
    const head = m.ram.read(addr, 4);
    const magic = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    if (magic === IH_MAGIC) {
      m.console.line('## uboot-gen simulator: imxtract of a legacy multi-file image is not modelled');
      return CMD_RET.FAILURE;
    }
    if (magic !== 0xd00dfeed) { m.console.line('Invalid image type for imxtract'); return CMD_RET.FAILURE; }
    if (uname === undefined) { m.console.line('No FIT subimage unit name'); return CMD_RET.FAILURE; }
    m.console.line(`## Copying '${uname}' subimage from FIT image at ${hexPad(addr, 8)} ...`);
    const fit = readFit(m, addr);
    if (!fit) { m.console.line('Bad FIT image format'); return CMD_RET.FAILURE; }
    const node = fitImageNode(fit, uname);
    if (node < 0) { m.console.line(`Can't find '${uname}' FIT subimage`); return CMD_RET.FAILURE; }
    const comp = fitImageCompression(fit, node);
    if (comp !== 'none' && argv.length < 4) {
      m.console.line(`Must specify load address for ${argv[0]} command with compressed image`);
      return CMD_RET.FAILURE;
    }
    if (m.env.yesNo('verify') !== 0 && !fitImageVerify(m, fit, node)) { m.console.line('Bad Data Hash'); return CMD_RET.FAILURE; }
    const data = fitImageData(fit, node);
    if (!data) { m.console.line('Could not find script subimage data'); return CMD_RET.FAILURE; }
    if (argv.length > 3) {
      if (comp !== 'none') {
        m.console.line(`## uboot-gen simulator: imxtract of a ${comp} compressed FIT image is not modelled`);
        return CMD_RET.FAILURE;
      }
      m.console.puts(`   Loading part ${part} ... `);
      // The copy is a whole file of its own to whoever reads it next (Xen's model checks that a module
      // starts at the start of what was loaded), so it is stored as the image, not as bytes of the FIT.
      m.ram.write(dest, data.bytes, `FIT image ${uname}`);
      m.console.line('OK');
    }
    m.env.setHex('fileaddr', data.addr);
    m.env.setHex('filesize', data.len);
    return CMD_RET.SUCCESS;
  },
});
