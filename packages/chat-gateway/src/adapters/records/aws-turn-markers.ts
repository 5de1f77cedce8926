import {
  ConflictError,
  NotFoundError,
  type RecordStore,
  type TableSpec,
} from 'chatbot-mcp-server/core';
import { storeCall } from './aws-store-errors.js';
import { claimMarkerId } from './session-items.js';

/** The state of a destructive tool call's approval, as the waiting turn reads it. */
export type ApprovalState = 'waiting' | 'approved' | 'refused';

/**
 * Markers through which the API Gateway handlers talk to a turn running in another function:
 * the user's `confirm` and `cancel`. They live in the conversations table under the session's
 * own partition, so a marker is only ever seen by that session's turns (another session's
 * `confirm` cannot approve). Their sort keys start with `~`, which sorts after every real
 * message id (26 characters of [0-9A-Z]); the history listing stops before `~`, like the
 * store's `~claim#` items. Markers expire through the table's TTL.
 */
export class TurnMarkers {
  private readonly nowSeconds: () => number;
  private readonly ttlSeconds: number;

  constructor(
    private readonly store: RecordStore,
    private readonly conversations: TableSpec,
    options: { nowSeconds?: () => number; ttlSeconds?: number } = {},
  ) {
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.ttlSeconds = options.ttlSeconds ?? 24 * 3600;
  }

  /** The turn announces the call it waits for; a decision already there is kept. */
  async openApproval(sessionId: string, toolCallId: string): Promise<void> {
    await this.createOnce(this.key(sessionId, `~approval#${toolCallId}`), { state: 'waiting' });
  }

  /**
   * The user's decision. Only the first one counts: `decided` when it was recorded, `unknown`
   * when no call with this id waits in this session (also another session's call), `settled`
   * when the call was already decided.
   */
  async decide(
    sessionId: string,
    toolCallId: string,
    approve: boolean,
  ): Promise<'decided' | 'unknown' | 'settled'> {
    const key = this.key(sessionId, `~approval#${toolCallId}`);
    const current = await storeCall(() => this.store.get(this.conversations, key));
    if (!current) return 'unknown';
    if (current.state !== 'waiting') return 'settled';
    try {
      await storeCall(() =>
        this.store.update(
          this.conversations,
          key,
          { state: approve ? 'approved' : 'refused' },
          Number(current.version),
        ),
      );
      return 'decided';
    } catch (error) {
      if (error instanceof ConflictError) return 'settled';
      if (error instanceof NotFoundError) return 'unknown';
      throw error;
    }
  }

  async approvalState(sessionId: string, toolCallId: string): Promise<ApprovalState | undefined> {
    const item = await storeCall(() =>
      this.store.get(this.conversations, this.key(sessionId, `~approval#${toolCallId}`)),
    );
    const state = item?.state;
    return state === 'waiting' || state === 'approved' || state === 'refused' ? state : undefined;
  }

  /** Asks the turn answering `clientMessageId` to stop; repeating it is harmless. */
  async requestCancel(sessionId: string, clientMessageId: string): Promise<void> {
    await this.createOnce(this.key(sessionId, `~cancel#${clientMessageId}`), {});
  }

  /** True while the answer to `clientMessageId` is queued or running (its claim is not settled). */
  async isRunning(sessionId: string, clientMessageId: string): Promise<boolean> {
    const claim = await storeCall(() =>
      this.store.get(this.conversations, this.key(sessionId, claimMarkerId(clientMessageId))),
    );
    return claim?.state === 'running';
  }

  async isCancelled(sessionId: string, clientMessageId: string): Promise<boolean> {
    const item = await storeCall(() =>
      this.store.get(this.conversations, this.key(sessionId, `~cancel#${clientMessageId}`)),
    );
    return item !== undefined;
  }

  private key(sessionId: string, marker: string): Record<string, string> {
    const sortKey = this.conversations.sortKey;
    if (!sortKey)
      throw new Error(`table "${this.conversations.alias}" needs a sort key for turn markers`);
    return { [this.conversations.partitionKey.name]: sessionId, [sortKey.name]: marker };
  }

  private async createOnce(
    key: Record<string, string>,
    fields: Record<string, unknown>,
  ): Promise<void> {
    try {
      await storeCall(() =>
        this.store.create(this.conversations, {
          ...key,
          ...fields,
          version: 1,
          [this.conversations.ttlAttribute]: this.nowSeconds() + this.ttlSeconds,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
