import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'chatbot-mcp-server/core';
import type { ApprovalGate } from '../../core/approvals.js';
import type { TurnMarkers } from './aws-turn-markers.js';

export interface StoreApprovalGateOptions {
  markers: TurnMarkers;
  logger: Logger;
  /** An unanswered request is refused after this. */
  timeoutMs: number;
  /** How often the store is read while waiting (default 300 ms). */
  pollMs?: number;
}

/**
 * The approval gate of the AWS path: the `confirm` arrives at the WebSocket function, not at
 * the engine function that waits, so the decision goes through the store. The waiting call is
 * announced first (so a `confirm` can tell a waiting call from an unknown one), then read every
 * `pollMs` until decided, timed out or aborted.
 */
export class StoreApprovalGate implements ApprovalGate {
  constructor(private readonly options: StoreApprovalGateOptions) {}

  async wait(sessionId: string, toolCallId: string, signal: AbortSignal): Promise<boolean> {
    const { markers, timeoutMs, pollMs = 300 } = this.options;
    try {
      await markers.openApproval(sessionId, toolCallId);
      const deadline = Date.now() + timeoutMs;
      while (!signal.aborted && Date.now() < deadline) {
        const state = await markers.approvalState(sessionId, toolCallId);
        if (state === 'approved') return true;
        if (state === 'refused') return false;
        await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), undefined, {
          signal,
        }).catch(() => undefined);
      }
      return false;
    } catch (error) {
      // A store failure refuses the call: a destructive tool never runs unconfirmed.
      this.options.logger.warn('approval could not be read; the tool call is refused', {
        sessionId,
        toolCallId,
        message: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }
}
