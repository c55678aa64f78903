import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// Terminal and display passwords are stored as scrypt hashes in the PHC string format
// ($scrypt$ln=14,r=8,p=1$<salt>$<hash>, base64 without padding), so a copied config file does not
// hand out the store's MQTT logins. The cost is in the string: raising it later keeps old hashes valid.
// ln=14, r=8 (16 MiB, ~50 ms on a store PC core) is Node's own scrypt default: a terminal logs in once
// per connection, and 40 terminals reconnecting after a power cut cost ~2 s of one core.

const defaultCost = { ln: 14, r: 8, p: 1 } as const;
const saltBytes = 16;
const keyBytes = 32;
const phc = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

/** What `tillgate-edge hash-password` prints and a config's `passwordHash` holds. */
export const passwordHashPattern = phc;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, defaultCost);
  return `$scrypt$ln=${defaultCost.ln},r=${defaultCost.r},p=${defaultCost.p}$${b64(salt)}$${b64(key)}`;
}

/** True when `password` matches `hash` (constant-time compare). A malformed hash never matches. */
export async function verifyPassword(hash: string, password: Buffer | string): Promise<boolean> {
  const match = phc.exec(hash);
  if (match === null) return false;
  const [, ln, r, p, salt = '', expected = ''] = match;
  const wanted = Buffer.from(expected, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { ln: Number(ln), r: Number(r), p: Number(p) });
  return key.length === wanted.length && timingSafeEqual(key, wanted);
}

function derive(password: Buffer | string, salt: Buffer, cost: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // scrypt needs 128 * N * r bytes; allow that plus headroom (Node's default cap is 32 MiB).
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');
