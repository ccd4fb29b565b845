/**
 * Single Logout through the broker, whatever protocol began it: end the SSO
 * session at once, tell every other party of it (back channel first, then
 * the fagsystemer reached through the browser in frames, then the upstream
 * IdPs at top level), and answer the party that began it with a summary the
 * person sees. Every wait is bounded; a party that does not answer is
 * recorded and the logout goes on.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { Interaction } from "../../model/interaction.js";
import type { SessionParticipant } from "../../model/session-participant.js";
import type { FoundSession, SsoSessionRepository } from "../sso-session.js";
import { newId } from "../login-state.js";
import { LogoutRuns, type LogoutRun, type LogoutStep, type StepResult } from "./logout-run.js";
import type { LogoutInitiator, LogoutPorts, PartyLogout } from "./logout-ports.js";
import { upstreamParticipant } from "./upstream-participant.js";

export interface ExpectedAnswer {
  run: LogoutRun;
  step: number;
  participant: SessionParticipant;
}

export class LogoutService {
  private readonly runs: LogoutRuns;

  constructor(
    private readonly broker: BrokerContext,
    private readonly sessions: SsoSessionRepository,
    private readonly ports: LogoutPorts,
  ) {
    this.runs = new LogoutRuns(broker.store);
  }

  /** Begins a logout of `found` (undefined: no live session; the initiator is still answered). */
  async begin(found: FoundSession | undefined, initiator: LogoutInitiator, initiatorName: string, correlationId: string): Promise<Interaction> {
    const run = await this.start(found, initiator, initiatorName, correlationId);
    const frames = run.steps.flatMap((s, i) => (s.channel === "frame" ? [i] : []));
    if (frames.length > 0) return { kind: "logout-frames", runId: run.id, steps: frames, waitSeconds: this.broker.config.timing.logoutFrontChannelSeconds };
    return this.advance(run);
  }

  /**
   * A logout with no browser (a LogoutRequest on the SOAP back channel): only
   * the parties reachable on the back channel are told; the others are
   * recorded as not logged out. Returns whether every party confirmed.
   */
  async beginBehind(found: FoundSession | undefined, initiator: LogoutInitiator, initiatorName: string, correlationId: string): Promise<boolean> {
    const run = await this.start(found, initiator, initiatorName, correlationId);
    for (const [index, step] of run.steps.entries()) {
      if (step.channel === "frame" || step.channel === "top") await this.record(run, index, "unreachable", "reachable only through the browser, and the logout came on the back channel");
    }
    const summary = await this.summary(run);
    return summary.kind === "logout-summary" && summary.complete;
  }

  private async start(found: FoundSession | undefined, initiator: LogoutInitiator, initiatorName: string, correlationId: string): Promise<LogoutRun> {
    if (found) await this.sessions.end(found.id);
    const participants = found ? [...(found.session.participants ?? []), ...found.session.upstreams.map(upstreamParticipant)] : [];
    const others = participants.filter((p) => !(p.frontend === initiator.frontend && p.partyId === initiator.partyId));
    const steps: LogoutStep[] = others.map((participant) => ({ participant, channel: this.port(participant)?.channel(participant) ?? "none" }));
    const now = this.broker.now();
    const run: LogoutRun = {
      id: newId("lo"),
      correlationId,
      initiator,
      initiatorName,
      steps,
      startedAt: now,
      framesDeadline: now + this.broker.config.timing.logoutFrontChannelSeconds * 1000,
    };
    await this.runs.save(run);
    this.broker.log.info(
      { correlationId, event: "logout_started", initiator: initiator.partyId, frontend: initiator.frontend, sessionFound: found !== undefined, parties: steps.map((s) => ({ party: s.participant.partyId, channel: s.channel })) },
      "single logout started",
    );
    await Promise.all(steps.map((step, index) => this.backChannel(run, step, index)));
    return run;
  }

  /** The message one frame carries to its fagsystem. */
  async frame(runId: string, step: number): Promise<Interaction | undefined> {
    const run = await this.runs.find(runId);
    const entry = run?.steps[step];
    if (!run || !entry || entry.channel !== "frame") return undefined;
    try {
      return await this.send(run, step, entry);
    } catch (error) {
      await this.record(run, step, "unreachable", `no message could be sent: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Whether the logout page can go on: every frame answered, or the wait is over. */
  async framesDone(runId: string): Promise<boolean> {
    const run = await this.runs.find(runId);
    if (!run) return true;
    if (this.broker.now() >= run.framesDeadline) return true;
    const results = await this.runs.results(run);
    return run.steps.every((s, i) => s.channel !== "frame" || results[i] !== undefined);
  }

  /** After the frames: the ones that did not answer are recorded, and the logout goes on. */
  async afterFrames(runId: string): Promise<Interaction | undefined> {
    const run = await this.runs.find(runId);
    if (!run) return undefined;
    const results = await this.runs.results(run);
    for (const [index, step] of run.steps.entries()) {
      if (step.channel === "frame" && results[index] === undefined) await this.record(run, index, "unreachable", "no answer before the logout page went on");
    }
    return this.advance(run);
  }

  /** Which run and party a LogoutResponse answers (taken once), so its sender's keys verify it. */
  async expectedAnswer(requestId: string): Promise<ExpectedAnswer | undefined> {
    const pending = await this.runs.takeExpected(requestId);
    const run = pending && (await this.runs.find(pending.runId));
    const step = pending && run?.steps[pending.step];
    return pending && run && step ? { run, step: pending.step, participant: step.participant } : undefined;
  }

  /** Records a party's verified answer. A frame gets nothing more; a top-level step goes on with the logout. */
  async recordAnswer(expected: ExpectedAnswer, loggedOut: boolean, detail: string): Promise<Interaction | undefined> {
    await this.record(expected.run, expected.step, loggedOut ? "ok" : "refused", detail);
    return expected.run.steps[expected.step]!.channel === "top" ? this.advance(expected.run) : undefined;
  }

  private port(participant: SessionParticipant): PartyLogout | undefined {
    return this.ports.parties[participant.frontend];
  }

  private async backChannel(run: LogoutRun, step: LogoutStep, index: number): Promise<void> {
    if (step.channel === "none") return this.record(run, index, "unreachable", "the party offers no logout endpoint");
    if (step.channel !== "back") return;
    const timeoutMs = this.broker.config.timing.logoutBackChannelSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const ok = await Promise.race([this.port(step.participant)!.logOutBehind(step.participant, run.correlationId, timeoutMs), timeout]);
      await this.record(run, index, ok ? "ok" : "refused", ok ? "confirmed on the back channel" : "the party answered with an error");
    } catch (error) {
      await this.record(run, index, "unreachable", (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next top-level step (an upstream IdP), or the summary when none is left. */
  private async advance(run: LogoutRun): Promise<Interaction> {
    const results = await this.runs.results(run);
    for (const [index, step] of run.steps.entries()) {
      if (step.channel !== "top" || results[index] !== undefined) continue;
      // Sent once: a browser that comes back without the party's answer (reload, back button) goes on without it.
      if (await this.runs.claimTopStep(run.id, index)) {
        try {
          return await this.send(run, index, step);
        } catch (error) {
          await this.record(run, index, "unreachable", `no message could be sent: ${(error as Error).message}`);
          continue;
        }
      }
      await this.record(run, index, "unreachable", "the browser came back without the party's answer");
    }
    return this.summary(run);
  }

  private async send(run: LogoutRun, index: number, step: LogoutStep): Promise<Interaction> {
    const { interaction, requestId } = await this.port(step.participant)!.request(step.participant, run.id);
    await this.runs.expectAnswer(requestId, { runId: run.id, step: index });
    return interaction;
  }

  private async summary(run: LogoutRun): Promise<Interaction> {
    const results = await this.runs.results(run);
    const entries = run.steps.map((step, i) => ({ name: this.port(step.participant)?.displayName(step.participant) ?? step.participant.partyId, loggedOut: results[i] === "ok" }));
    const complete = entries.every((e) => e.loggedOut);
    const next = this.ports.parties[run.initiator.frontend]?.answerInitiator(run.initiator, complete ? "success" : "partial");
    this.broker.log.info(
      {
        correlationId: run.correlationId,
        event: "logout_completed",
        initiator: run.initiator.partyId,
        complete,
        results: run.steps.map((s, i) => ({ party: s.participant.partyId, channel: s.channel, result: results[i] ?? "unreachable" })),
      },
      complete ? "single logout complete" : "single logout partial",
    );
    return { kind: "logout-summary", correlationId: run.correlationId, entries: [{ name: run.initiatorName, loggedOut: true }, ...entries], complete, next };
  }

  private async record(run: LogoutRun, index: number, result: StepResult, detail: string): Promise<void> {
    await this.runs.setResult(run.id, index, result);
    if (result !== "ok") {
      const step = run.steps[index]!;
      this.broker.log.warn({ correlationId: run.correlationId, event: "logout_party_failed", failure: `logout_${result}`, party: step.participant.partyId, channel: step.channel, detail }, "a party was not logged out");
    }
  }
}
