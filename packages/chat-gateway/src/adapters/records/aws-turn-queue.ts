import {
  ConflictError,
  NotFoundError,
  type RecordStore,
  type TableSpec,
} from 'chatbot-mcp-server/core';
import { storeCall } from './aws-store-errors.js';

/** How long a ticket holds its place without being renewed (a crashed function lets go after it). */
const TICKET_LEASE_MS = 60_000;

/**
 * One turn at a time per session on AWS, in the order the messages arrived, although each turn
 * runs in its own engine invocation. The WebSocket function takes a ticket per message (an
 * atomic counter, `~queue` in the session's conversation) and writes `~ticket#<n>`; the engine
 * runs ticket n once ticket n-1 is done, or its lease ran out (its function died), or it never
 * existed. A waiting or running turn renews its lease.
 */
export class TurnQueue {
  private readonly now: () => number;

  constructor(
    private readonly store: RecordStore,
    private readonly conversations: TableSpec,
    options: { now?: () => number; ttlSeconds?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ttlSeconds = options.ttlSeconds ?? 24 * 3600;
  }

  private readonly ttlSeconds: number;

  /** The message's place in the session's queue. */
  async enqueue(sessionId: string): Promise<number> {
    const counter = this.key(sessionId, '~queue');
    let ticket: number;
    try {
      ticket = Number(
        (await storeCall(() => this.store.update(this.conversations, counter, {}))).version,
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      try {
        await storeCall(() =>
          this.store.create(this.conversations, { ...counter, ...this.expiry(), version: 1 }),
        );
        ticket = 1;
      } catch (raced) {
        if (!(raced instanceof ConflictError)) throw raced;
        ticket = Number(
          (await storeCall(() => this.store.update(this.conversations, counter, {}))).version,
        );
      }
    }
    await storeCall(() =>
      this.store.create(this.conversations, {
        ...this.key(sessionId, ticketId(ticket)),
        state: 'waiting',
        leaseUntil: this.now() + TICKET_LEASE_MS,
        ...this.expiry(),
        version: 1,
      }),
    );
    return ticket;
  }

  /** True once the turns before `ticket` are done (or dead): this one may run. */
  async mayRun(sessionId: string, ticket: number): Promise<boolean> {
    if (ticket <= 1) return true;
    const before = await storeCall(() =>
      this.store.get(this.conversations, this.key(sessionId, ticketId(ticket - 1))),
    );
    if (!before || before.state === 'done') return true;
    return typeof before.leaseUntil !== 'number' || before.leaseUntil <= this.now();
  }

  /** Keeps the ticket's place while its turn waits or runs. */
  async renew(sessionId: string, ticket: number): Promise<void> {
    await this.set(sessionId, ticket, { leaseUntil: this.now() + TICKET_LEASE_MS });
  }

  /** The turn ended (or never started): the next one may run. */
  async done(sessionId: string, ticket: number): Promise<void> {
    await this.set(sessionId, ticket, { state: 'done', leaseUntil: null });
  }

  private async set(sessionId: string, ticket: number, fields: Record<string, unknown>) {
    try {
      await storeCall(() =>
        this.store.update(this.conversations, this.key(sessionId, ticketId(ticket)), fields),
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  private expiry(): Record<string, number> {
    return {
      [this.conversations.ttlAttribute]: Math.floor(this.now() / 1000) + this.ttlSeconds,
    };
  }

  private key(sessionId: string, marker: string): Record<string, string> {
    const sortKey = this.conversations.sortKey;
    if (!sortKey)
      throw new Error(`table "${this.conversations.alias}" needs a sort key for the turn queue`);
    return { [this.conversations.partitionKey.name]: sessionId, [sortKey.name]: marker };
  }
}

function ticketId(ticket: number): string {
  return `~ticket#${String(ticket).padStart(10, '0')}`;
}
