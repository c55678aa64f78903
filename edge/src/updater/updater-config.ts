import { clockTime, isTimeZone } from '@tillgate/shared';
import { z } from 'zod';
import { bundledKeysDir } from '../scoring/default-model.ts';

// The model updater's part of the agent config (edge/src/config.ts `updater`), defaults with units.

export const updaterDefaults = {
  enabled: true,
  // ms of live shadow scoring before a swap. Half an hour of a store's traffic is thousands of
  // scored rows; an assignment may shorten it (tests, an emergency fix).
  shadowMs: 30 * 60_000,
  shadow: {
    minRows: 50, // scored rows the shadow needs before it may pass; fewer = keep shadowing
    // Share of scored rows the candidate would alert on (score >= its raise level). Above this the
    // candidate "alerts every SKU" and is rejected: real stock-out rates are a few per cent.
    maxAlertRate: 0.5,
    // ... and at most this many times the active model's rate (+ maxAlertRateSlack), so a model that
    // triples the alert load is caught even when both rates are small.
    maxAlertRateRatio: 3,
    maxAlertRateSlack: 0.05,
    maxMeanShift: 0.5, // |mean(candidate) - mean(active)| of the scores
  },
  // ms after a swap during which errors, NaN or an alert-rate explosion roll back to the previous model.
  watchMs: 15 * 60_000,
  // Runs of the agent inside one post-swap watch (the one that swapped is the first) at which the new
  // model is blamed (it crashes the process, e.g. in onnxruntime) and rolled back before it is loaded.
  watchStarts: 3,
  download: {
    chunkTimeoutMs: 30_000, // ms without a byte before a download attempt is abandoned (black-holed WAN)
    retryInitialMs: 500, // ms before the first retry of a cut download
    retryMaxMs: 60_000, // ms ceiling of the retry delay
  },
} as const;

export const updaterConfig = z
  .strictObject({
    enabled: z.boolean().default(updaterDefaults.enabled),
    shadowMs: z.number().int().nonnegative().default(updaterDefaults.shadowMs),
    shadow: z
      .strictObject({
        minRows: z.number().int().min(1).default(updaterDefaults.shadow.minRows),
        maxAlertRate: z.number().min(0).max(1).default(updaterDefaults.shadow.maxAlertRate),
        maxAlertRateRatio: z.number().min(1).default(updaterDefaults.shadow.maxAlertRateRatio),
        maxAlertRateSlack: z.number().min(0).max(1).default(updaterDefaults.shadow.maxAlertRateSlack),
        maxMeanShift: z.number().min(0).max(1).default(updaterDefaults.shadow.maxMeanShift),
      })
      .default(updaterDefaults.shadow),
    watchMs: z.number().int().nonnegative().default(updaterDefaults.watchMs),
    watchStarts: z.number().int().min(1).max(100).default(updaterDefaults.watchStarts),
    /**
     * The store's swap window in its own time zone (a model is swapped only inside it unless the
     * rollout says "now"); from > to crosses midnight (22:00-06:00). null = any time.
     */
    swapWindow: z
      .strictObject({
        timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
        from: clockTime,
        to: clockTime,
      })
      .nullable()
      .default(null),
    /** Periods (ISO timestamps) in which no model is swapped, whatever the rollout says (peak days). */
    freezes: z
      .array(z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }))
      .default([]),
    download: z
      .strictObject({
        chunkTimeoutMs: z.number().int().min(100).default(updaterDefaults.download.chunkTimeoutMs),
        retryInitialMs: z.number().int().min(1).default(updaterDefaults.download.retryInitialMs),
        retryMaxMs: z.number().int().min(1).default(updaterDefaults.download.retryMaxMs),
        /** Object-store "host:port" -> local "host:port" to dial instead (the store's WAN path, as kafka.tunnels). */
        tunnels: z
          .record(z.string().regex(/^[^\s:]+:\d{1,5}$/), z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected "host:port"'))
          .default({}),
      })
      .default({ ...updaterDefaults.download, tunnels: {} }),
  })
  .default({
    ...updaterDefaults,
    swapWindow: null,
    freezes: [],
    download: { ...updaterDefaults.download, tunnels: {} },
  });

export type UpdaterConfig = z.infer<typeof updaterConfig>;

/** The signer of the model bundled with the agent (edge/models/default), pinned by default. */
export const bundledTrustedKeys = [
  { id: 'ed25519-d16ecfb86e00a300', file: `${bundledKeysDir}ed25519-d16ecfb86e00a300.pub.pem` },
  // The signer of the bundled spec-v2 stock-out model (edge/models/default, issue 16).
  { id: 'ed25519-55c1b553221f0780', file: `${bundledKeysDir}ed25519-55c1b553221f0780.pub.pem` },
  // The developer signing key of 2026-12-02 (the private half of 55c1b553221f0780 stayed on a machine
  // that is gone; its releases stay trusted): releases trained from then on.
  { id: 'ed25519-8f5befe2cc341718', file: `${bundledKeysDir}ed25519-8f5befe2cc341718.pub.pem` },
];
