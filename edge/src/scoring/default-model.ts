import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The model bundled with the agent, produced by models/ (`python -m tillgate_models.release`). */
export const defaultModelDir: string = fileURLToPath(new URL('../../models/default/', import.meta.url));

/** Where the public keys of trusted model signers are committed. */
export const bundledKeysDir: string = fileURLToPath(new URL('../../keys/', import.meta.url));

/** The PEM text of every *.pub.pem under edge/keys/, to pass to StockoutScorer.load. */
export function bundledPublicKeysPem(): string[] {
  return readdirSync(bundledKeysDir)
    .filter((file) => file.endsWith('.pub.pem'))
    .sort()
    .map((file) => readFileSync(`${bundledKeysDir}${file}`, 'utf8'));
}
