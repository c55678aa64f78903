import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UpdateError, updateErrorCodes } from './errors.ts';

export interface TrustedKey {
  id: string;
  pem: string;
  key: KeyObject;
}

/** `ed25519-` + 16 hex of the sha256 of the raw 32-byte key: the same id tillgate_models.signing_key prints. */
export function keyIdOf(key: KeyObject): string {
  // An ed25519 SPKI DER is a fixed 12-byte header followed by the raw key.
  const raw = key.export({ format: 'der', type: 'spki' }).subarray(12);
  return `ed25519-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
}

/**
 * The operator's pinned keys (config model.trustedKeys), read once at start. A pin whose file holds
 * another key than its id names stops the agent: a swapped file must not widen the trust list.
 */
export function loadTrustedKeys(pins: readonly { id: string; file: string }[]): Map<string, TrustedKey> {
  const keys = new Map<string, TrustedKey>();
  for (const pin of pins) {
    let pem: string;
    let key: KeyObject;
    try {
      pem = readFileSync(pin.file, 'utf8');
      key = createPublicKey(pem);
    } catch (cause) {
      throw new UpdateError(
        updateErrorCodes.badTrustPin,
        `model.trustedKeys ${pin.id}: cannot read a public key from ${pin.file}`,
        {
          cause,
        },
      );
    }
    if (key.asymmetricKeyType !== 'ed25519' || keyIdOf(key) !== pin.id) {
      throw new UpdateError(
        updateErrorCodes.badTrustPin,
        `model.trustedKeys ${pin.id}: ${pin.file} holds ${key.asymmetricKeyType === 'ed25519' ? `key ${keyIdOf(key)}` : `a ${key.asymmetricKeyType} key`}, not ${pin.id}`,
      );
    }
    keys.set(pin.id, { id: pin.id, pem, key });
  }
  return keys;
}
