// Modular exponentiation on BigInt (square and multiply): RSA arithmetic for the FIT signer's
// key parameters and for the simulated U-Boot's signature check. Node's crypto has no modPow.

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}
