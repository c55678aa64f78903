import { generateKeyPairSync, sign } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyFeatureState, featureSpecHash, stockoutFeatureNames, stockoutFeatures } from '@tillgate/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledPublicKeysPem, defaultModelDir, modelErrorCodes, StockoutScorer } from './index.ts';

const trusted = bundledPublicKeysPem();
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A writable copy of the bundled model, to tamper with. */
async function copyOfDefaultModel(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-model-'));
  dirs.push(dir);
  await cp(defaultModelDir, dir, { recursive: true });
  return dir;
}

/** Re-signs a manifest edit with a fresh key; returns that key's public PEM. */
async function resign(dir: string, edit: (manifest: Record<string, unknown>) => void): Promise<string> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  edit(manifest);
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'manifest.json'), bytes);
  await writeFile(join(dir, 'manifest.sig'), `${sign(null, bytes, privateKey).toString('base64')}\n`);
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

async function loadError(dir: string, keys: string[]): Promise<{ code: string; canRetry: boolean }> {
  try {
    const scorer = await StockoutScorer.load(dir, keys);
    await scorer.close();
  } catch (error) {
    return error as { code: string; canRetry: boolean };
  }
  throw new Error('expected StockoutScorer.load to refuse the model');
}

describe('StockoutScorer', () => {
  it('loads the bundled default model and scores a batch in row order', async () => {
    const scorer = await StockoutScorer.load(defaultModelDir, trusted);
    try {
      expect(scorer.name).toBe('stockout-risk');
      const at = new Date('2026-03-04T10:00:00Z');
      const store = { soldUnits: 100, dailyUnits: { '2026-03-04': 100 }, lastSaleAt: '2026-03-04T09:59:00Z' };
      const empty = stockoutFeatures(emptyFeatureState(), store, at);
      const stocked = stockoutFeatures(
        {
          ...emptyFeatureState(),
          onHand: 500,
          dailyUnits: { '2026-03-04': 1 },
          // Sold a minute ago (spec v2 measures silence from the store's units at the last sale).
          lastSaleAt: '2026-03-04T09:59:00Z',
          storeSoldAtLastSale: 100,
        },
        store,
        at,
      );
      const scores = await scorer.scoreBatch([empty, stocked, empty]);
      expect(scores).toHaveLength(3);
      for (const score of scores) expect(score).toBeGreaterThanOrEqual(0);
      for (const score of scores) expect(score).toBeLessThanOrEqual(1);
      expect(scores[0]).toBe(scores[2]);
      // Nothing on hand is riskier than 500 days of stock.
      expect(scores[0]).toBeGreaterThan(scores[1] as number);
      expect(await scorer.scoreBatch([])).toHaveLength(0);
    } finally {
      await scorer.close();
    }
  });

  it('rejects a row with the wrong number of features', async () => {
    const scorer = await StockoutScorer.load(defaultModelDir, trusted);
    try {
      await expect(scorer.scoreBatch([new Float32Array(stockoutFeatureNames.length - 1)])).rejects.toMatchObject({
        code: modelErrorCodes.badRow,
      });
    } finally {
      await scorer.close();
    }
  });

  it('refuses a model whose manifest was edited after signing', async () => {
    const dir = await copyOfDefaultModel();
    const manifest = await readFile(join(dir, 'manifest.json'), 'utf8');
    await writeFile(join(dir, 'manifest.json'), manifest.replace('"version": "', '"version": "9'));
    expect(await loadError(dir, trusted)).toMatchObject({ code: modelErrorCodes.badSignature, canRetry: false });
  });

  it('refuses an unsigned model', async () => {
    const dir = await copyOfDefaultModel();
    await unlink(join(dir, 'manifest.sig'));
    expect(await loadError(dir, trusted)).toMatchObject({ code: modelErrorCodes.missingFile });
  });

  it('refuses a model signed by a key it does not trust', async () => {
    const dir = await copyOfDefaultModel();
    await resign(dir, () => {});
    expect(await loadError(dir, trusted)).toMatchObject({ code: modelErrorCodes.badSignature });
  });

  it('refuses ONNX bytes that do not match the signed sha256', async () => {
    const dir = await copyOfDefaultModel();
    const model = await readFile(join(dir, 'model.onnx'));
    await writeFile(join(dir, 'model.onnx'), Buffer.concat([model, Buffer.from([0])]));
    expect(await loadError(dir, trusted)).toMatchObject({ code: modelErrorCodes.hashMismatch });
  });

  it('refuses a model trained on another feature spec', async () => {
    const dir = await copyOfDefaultModel();
    const key = await resign(dir, (manifest) => {
      manifest.feature_spec_hash = featureSpecHash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    });
    expect(await loadError(dir, [key])).toMatchObject({ code: modelErrorCodes.featureSpecMismatch });
  });

  it('refuses a model whose features are in another order', async () => {
    const dir = await copyOfDefaultModel();
    const key = await resign(dir, (manifest) => {
      manifest.features = [...stockoutFeatureNames].reverse();
    });
    expect(await loadError(dir, [key])).toMatchObject({ code: modelErrorCodes.featureSpecMismatch });
  });

  it('refuses a manifest for another task', async () => {
    const dir = await copyOfDefaultModel();
    const key = await resign(dir, (manifest) => {
      manifest.task = 'demand-forecast';
    });
    expect(await loadError(dir, [key])).toMatchObject({ code: modelErrorCodes.invalidManifest });
  });

  it('names a trusted key that is not ed25519', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await loadError(defaultModelDir, [pem])).toMatchObject({ code: modelErrorCodes.badTrustedKey });
    expect(await loadError(defaultModelDir, [])).toMatchObject({ code: modelErrorCodes.badTrustedKey });
  });

  it('refuses to score after close', async () => {
    const scorer = await StockoutScorer.load(defaultModelDir, trusted);
    await scorer.close();
    await expect(scorer.scoreBatch([new Float32Array(stockoutFeatureNames.length)])).rejects.toMatchObject({
      code: modelErrorCodes.closed,
    });
  });
});
