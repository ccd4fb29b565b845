/**
 * Where a completed login spent its time on the broker, step by step. One
 * record per login at the ACS, in the `login_succeeded` log line and, when
 * set, in the BrokerContext's `onLoginTimings` hook (metrics, benchmarks).
 * Clock reads only (performance.now), nothing allocated per step.
 */

import { LOGIN_PHASES, type LoginPhase, type PhaseTimer } from "../timing/phase-timer.js";

export { LOGIN_PHASES, UNTIMED, type LoginPhase, type PhaseTimer } from "../timing/phase-timer.js";

/** Milliseconds per phase, plus `total` from receiving the Response to having the answer for the fagsystem. */
export type LoginTimings = Record<LoginPhase | "total", number>;


export class LoginClock implements PhaseTimer {
  private readonly started = performance.now();
  private readonly spent: Record<LoginPhase, number> = { parse: 0, store: 0, decrypt: 0, verify: 0, map: 0, build: 0, sign: 0, encrypt: 0 };

  /** Runs `work`, adding its duration to `phase`; a promise is timed until it settles. */
  time<T>(phase: LoginPhase, work: () => T): T {
    const start = performance.now();
    let result: T;
    try {
      result = work();
    } catch (error) {
      this.spent[phase] += performance.now() - start;
      throw error;
    }
    if (result instanceof Promise) {
      return result.finally(() => {
        this.spent[phase] += performance.now() - start;
      }) as T;
    }
    this.spent[phase] += performance.now() - start;
    return result;
  }

  /** The record so far, rounded to microseconds. */
  timings(): LoginTimings {
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    const out = { total: round(performance.now() - this.started) } as LoginTimings;
    for (const phase of LOGIN_PHASES) out[phase] = round(this.spent[phase]);
    return out;
  }
}
