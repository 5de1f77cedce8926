import type { Logger } from 'chatbot-mcp-server/core';
import type { ToolCaller } from '../ports/tool-client.js';
import { ChatError, RateLimitedError } from '../errors.js';
import type { SessionBroadcastFrame } from '../protocol/frames.js';
import type { PendingApprovals } from './approvals.js';
import { toErrorFrame } from './error-frame.js';
import { keepClaim, runTurn, type TurnDeps } from './turn-runner.js';

interface SessionTurns {
  /** Client message id → its turn's controller (running or queued). */
  running: Map<string, AbortController>;
  queue: Promise<void>;
  queued: number;
}

/**
 * Turns in this process (the local server): one after another per session, each cancelled
 * through its AbortController, approvals settled in memory.
 */
export class LocalTurns {
  private readonly turns = new Map<string, SessionTurns>();
  private draining = false;

  constructor(
    private readonly deps: TurnDeps & { approvals: PendingApprovals },
    private readonly options: {
      logger: Logger;
      /** Turns queued behind the running one per session before RATE_LIMITED. */
      maxQueuedTurns: number;
      /** Sends a frame to the session's connections (numbered); rejects with ClientGoneError. */
      send: (sessionId: string, frame: SessionBroadcastFrame) => Promise<void>;
    },
  ) {}

  /** Turns running or queued, across sessions. */
  get active(): number {
    let n = 0;
    for (const t of this.turns.values()) n += t.running.size;
    return n;
  }

  start(
    sessionId: string,
    turn: { clientMessageId: string; content: string; takenOver?: boolean; caller: ToolCaller },
  ): Promise<void> {
    if (this.draining)
      throw new ChatError(
        'SHUTTING_DOWN',
        'The server is restarting; send the message again in a moment.',
        true,
      );
    const turns = this.turnsOf(sessionId);
    if (turns.queued >= this.options.maxQueuedTurns) {
      throw new RateLimitedError(
        'Too many messages waiting for an answer; wait for the current answers.',
      );
    }
    const { clientMessageId } = turn;
    const controller = new AbortController();
    // Known from now on, so a queued answer can be cancelled too.
    turns.running.set(clientMessageId, controller);
    turns.queued += 1;
    // The claim stays this turn's while it waits and runs; a process that dies loses it.
    const release = keepClaim(this.deps, sessionId, clientMessageId);
    const send = (frame: SessionBroadcastFrame): Promise<void> =>
      this.options.send(sessionId, frame);
    turns.queue = turns.queue.then(async () => {
      turns.queued -= 1;
      try {
        await runTurn(this.deps, {
          sessionId,
          clientMessageId,
          content: turn.content,
          signal: controller.signal,
          send,
          caller: turn.caller,
          ...(turn.takenOver && { takenOver: true }),
        });
      } catch (error) {
        await send(toErrorFrame(error, this.options.logger, clientMessageId)).catch(
          () => undefined,
        );
      } finally {
        release();
        turns.running.delete(clientMessageId);
        if (turns.running.size === 0 && turns.queued === 0) this.turns.delete(sessionId);
      }
    });
    return Promise.resolve();
  }

  isRunning(sessionId: string, clientMessageId: string): boolean {
    return this.turns.get(sessionId)?.running.has(clientMessageId) ?? false;
  }

  cancel(sessionId: string, clientMessageId: string, reason: unknown): boolean {
    const controller = this.turns.get(sessionId)?.running.get(clientMessageId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  /** Stops every turn of the session (running and queued). */
  cancelAll(sessionId: string, reason: unknown): void {
    for (const controller of this.turns.get(sessionId)?.running.values() ?? [])
      controller.abort(reason);
  }

  approve(sessionId: string, toolCallId: string, approve: boolean): boolean {
    return this.deps.approvals.settle(sessionId, toolCallId, approve);
  }

  /** Graceful shutdown: refuse new turns, wait for running ones up to the deadline, then cancel them. */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    const { now } = this.deps;
    const end = now() + deadlineMs;
    while (this.active > 0 && now() < end) await new Promise((r) => setTimeout(r, 25));
    const shutdown = new ChatError(
      'SHUTTING_DOWN',
      'The server restarted before this answer finished; send the message again.',
      true,
    );
    for (const t of this.turns.values()) for (const c of t.running.values()) c.abort(shutdown);
    const settle = now() + 2_000;
    while (this.active > 0 && now() < settle) await new Promise((r) => setTimeout(r, 25));
  }

  private turnsOf(sessionId: string): SessionTurns {
    let turns = this.turns.get(sessionId);
    if (!turns) {
      turns = { running: new Map(), queue: Promise.resolve(), queued: 0 };
      this.turns.set(sessionId, turns);
    }
    return turns;
  }
}
