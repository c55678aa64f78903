import type { UpdaterConfig } from './updater-config.ts';

export interface ShadowStats {
  rows: number;
  errors: number;
  nonFinite: number;
  activeMean: number;
  candidateMean: number;
  activeAlertRate: number;
  candidateAlertRate: number;
  firstError: string | null;
}

export type ShadowVerdict = { kind: 'pending'; why: string } | { kind: 'pass' } | { kind: 'fail'; why: string };

/**
 * The candidate scored next to the active model on the same live rows. It passes once it has scored
 * enough rows with no error and no NaN, a mean score close to the active one, and a would-be alert
 * rate (rows at or above its own raise level) that is neither absurd nor a multiple of the active one.
 */
export class ShadowRun {
  readonly #limits: UpdaterConfig['shadow'];
  readonly #activeRaise: number;
  readonly #candidateRaise: number;
  #rows = 0;
  #errors = 0;
  #nonFinite = 0;
  #activeSum = 0;
  #candidateSum = 0;
  #activeAlerts = 0;
  #candidateAlerts = 0;
  #firstError: string | null = null;

  constructor(limits: UpdaterConfig['shadow'], activeRaise: number, candidateRaise: number) {
    this.#limits = limits;
    this.#activeRaise = activeRaise;
    this.#candidateRaise = candidateRaise;
  }

  observe(active: Float32Array, candidate: Float32Array | Error): void {
    if (candidate instanceof Error || candidate.length !== active.length) {
      this.#errors++;
      this.#firstError ??=
        candidate instanceof Error
          ? candidate.message
          : `returned ${candidate.length} scores for ${active.length} rows`;
      return;
    }
    for (let index = 0; index < active.length; index++) {
      const a = active[index] as number;
      const c = candidate[index] as number;
      if (!Number.isFinite(c) || c < 0 || c > 1) {
        this.#nonFinite++;
        continue;
      }
      this.#rows++;
      this.#activeSum += a;
      this.#candidateSum += c;
      if (a >= this.#activeRaise) this.#activeAlerts++;
      if (c >= this.#candidateRaise) this.#candidateAlerts++;
    }
  }

  stats(): ShadowStats {
    const rows = Math.max(this.#rows, 1);
    return {
      rows: this.#rows,
      errors: this.#errors,
      nonFinite: this.#nonFinite,
      activeMean: this.#activeSum / rows,
      candidateMean: this.#candidateSum / rows,
      activeAlertRate: this.#activeAlerts / rows,
      candidateAlertRate: this.#candidateAlerts / rows,
      firstError: this.#firstError,
    };
  }

  verdict(): ShadowVerdict {
    const s = this.stats();
    const limits = this.#limits;
    if (s.errors > 0) return { kind: 'fail', why: `${s.errors} scoring error(s), first: ${s.firstError}` };
    if (s.nonFinite > 0) return { kind: 'fail', why: `${s.nonFinite} score(s) NaN or outside [0, 1]` };
    if (s.rows < limits.minRows) return { kind: 'pending', why: `${s.rows} of ${limits.minRows} rows scored` };
    if (s.candidateAlertRate > limits.maxAlertRate) {
      return {
        kind: 'fail',
        why: `would alert on ${pct(s.candidateAlertRate)} of scored rows (limit ${pct(limits.maxAlertRate)})`,
      };
    }
    const allowed = s.activeAlertRate * limits.maxAlertRateRatio + limits.maxAlertRateSlack;
    if (s.candidateAlertRate > allowed) {
      return {
        kind: 'fail',
        why: `would alert on ${pct(s.candidateAlertRate)} of rows, the active model on ${pct(s.activeAlertRate)} (limit ${pct(allowed)})`,
      };
    }
    if (Math.abs(s.candidateMean - s.activeMean) > limits.maxMeanShift) {
      return { kind: 'fail', why: `mean score ${s.candidateMean.toFixed(3)} vs active ${s.activeMean.toFixed(3)}` };
    }
    return { kind: 'pass' };
  }
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)} %`;
