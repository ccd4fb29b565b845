/**
 * One logout in progress, in the state store (any instance can continue it):
 * the parties to tell, each with its channel, and where the run stands. Each
 * party's result is its own key, so answers arriving at once (frames, two
 * instances) never overwrite each other.
 */
import type { StateStore } from "../../store/state-store.js";
import type { SessionParticipant } from "../../model/session-participant.js";
import type { LogoutChannel, LogoutInitiator } from "./logout-ports.js";

export interface LogoutStep {
  participant: SessionParticipant;
  channel: LogoutChannel;
}

export interface LogoutRun {
  id: string;
  correlationId: string;
  initiator: LogoutInitiator;
  /** The initiator's display name, for the summary. */
  initiatorName: string;
  steps: LogoutStep[];
  startedAt: number;
  /** Until when the logout page waits for the frames (ms). */
  framesDeadline: number;
}

/** ok: the party confirmed; refused: it answered with an error; unreachable: no answer in time or no way to reach it. */
export type StepResult = "ok" | "refused" | "unreachable";

export interface PendingAnswer {
  runId: string;
  step: number;
}

const TTL_SECONDS = 15 * 60;

export class LogoutRuns {
  constructor(private readonly store: StateStore) {}

  async save(run: LogoutRun): Promise<void> {
    await this.store.put(`logout:${run.id}`, JSON.stringify(run), TTL_SECONDS);
  }

  async find(runId: string): Promise<LogoutRun | undefined> {
    if (!/^[A-Za-z0-9_-]{10,80}$/.test(runId)) return undefined;
    const raw = await this.store.get(`logout:${runId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as LogoutRun);
  }

  /** A result is written once: a late or repeated answer does not change it. */
  async setResult(runId: string, step: number, result: StepResult): Promise<void> {
    const key = `logout:${runId}:step:${step}`;
    if (await this.store.get(key)) return;
    await this.store.put(key, result, TTL_SECONDS);
  }

  async results(run: LogoutRun): Promise<Array<StepResult | undefined>> {
    return Promise.all(run.steps.map(async (_s, i) => (await this.store.get(`logout:${run.id}:step:${i}`)) as StepResult | undefined));
  }

  /** Remembers which step a front-channel LogoutRequest belongs to, by its ID. */
  async expectAnswer(requestId: string, pending: PendingAnswer): Promise<void> {
    await this.store.put(`logout-request:${requestId}`, JSON.stringify(pending), TTL_SECONDS);
  }

  /** Taken once: an answer can be recorded only one time. */
  async takeExpected(requestId: string): Promise<PendingAnswer | undefined> {
    const raw = await this.store.take(`logout-request:${requestId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as PendingAnswer);
  }

  /** Marks the top-level step under way (so a reload does not send the browser there twice). */
  async claimTopStep(runId: string, step: number): Promise<boolean> {
    return !(await this.store.seenBefore(`logout:${runId}:top:${step}`, TTL_SECONDS));
  }
}
