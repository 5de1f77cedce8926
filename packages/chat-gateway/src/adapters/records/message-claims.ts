import { randomBytes } from 'node:crypto';
import type { RecordItem, RecordStore, TableSpec } from 'chatbot-mcp-server/core';
import type { MessageClaim } from '../../ports/session-store.js';
import { claimMarkerId, toNewItem } from './session-items.js';
import { guarded, isConflict, isNotFound, toStorageError } from './storage-errors.js';

/** This process, as the owner written into the claims it makes (random per start). */
export const PROCESS_INSTANCE_ID = `${process.pid}-${Date.now().toString(36)}-${randomBytes(6).toString('base64url')}`;

/** How long a claim stays its turn's without being renewed (default). */
export const DEFAULT_CLAIM_LEASE_MS = 60_000;

export interface MessageClaimsOptions {
  store: RecordStore;
  conversations: TableSpec;
  /** Who claims: this process. */
  owner?: string;
  leaseMs?: number;
  /**
   * Only this process writes the store (the embedded store locks its data directory): a claim
   * held by another owner was made by a process that is gone, whatever its lease says.
   */
  exclusive?: boolean;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Epoch seconds at which a marker expires through the table's TTL. */
  expiresAt: () => number;
}

/**
 * Claims of client message ids, as markers `~claim#<id>` in the session's conversation. A claim
 * records its owner and a lease that the running turn renews; once the answer is stored the
 * claim is `answered` for good. A claim whose turn died (its process crashed: the lease ran
 * out, or on an exclusive store its owner is another, dead process) is taken over by the next
 * send of the same id, so a message never stays unanswerable. Markers written before leases
 * existed have neither: they count as answered, as they did then.
 */
export class MessageClaims {
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(private readonly options: MessageClaimsOptions) {
    this.owner = options.owner ?? PROCESS_INSTANCE_ID;
    this.leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
    this.now = options.now ?? Date.now;
  }

  async claim(sessionId: string, clientMessageId: string): Promise<MessageClaim> {
    const { store, conversations: table } = this.options;
    const key = this.key(sessionId, clientMessageId);
    try {
      await store.create(
        table,
        toNewItem({
          ...key,
          clientMessageId,
          owner: this.owner,
          state: 'running',
          leaseUntil: this.now() + this.leaseMs,
          [table.ttlAttribute]: this.options.expiresAt(),
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConflict(error)) throw toStorageError(error);
    }
    const current = await guarded(() => store.get(table, key));
    // Released in between: the next send claims it afresh.
    if (!current || !this.abandoned(current)) return { claimed: false };
    try {
      await store.update(
        table,
        key,
        { owner: this.owner, state: 'running', leaseUntil: this.now() + this.leaseMs },
        Number(current.version),
      );
      return { claimed: true, takenOver: true };
    } catch (error) {
      // Another send took it over first: that one runs.
      if (isConflict(error) || isNotFound(error)) return { claimed: false };
      throw toStorageError(error);
    }
  }

  /** Extends the lease of a claim this process holds for a running turn. */
  async renew(sessionId: string, clientMessageId: string): Promise<void> {
    const { store, conversations: table } = this.options;
    const key = this.key(sessionId, clientMessageId);
    const current = await guarded(() => store.get(table, key));
    if (current?.owner !== this.owner || current.state !== 'running') return;
    try {
      await store.update(
        table,
        key,
        { leaseUntil: this.now() + this.leaseMs },
        Number(current.version),
      );
    } catch (error) {
      if (!isConflict(error) && !isNotFound(error)) throw toStorageError(error);
    }
  }

  /** The answer is stored: the id is answered for good. */
  async complete(sessionId: string, clientMessageId: string): Promise<void> {
    const { store, conversations: table } = this.options;
    try {
      await store.update(table, this.key(sessionId, clientMessageId), {
        state: 'answered',
        leaseUntil: null,
      });
    } catch (error) {
      if (!isNotFound(error)) throw toStorageError(error);
    }
  }

  /** A claim whose turn is known dead: not answered, and its lease ran out or its owner is gone. */
  private abandoned(marker: RecordItem): boolean {
    if (marker.state !== 'running' || typeof marker.leaseUntil !== 'number') return false;
    if (this.options.exclusive && marker.owner !== this.owner) return true;
    return marker.leaseUntil <= this.now();
  }

  private key(sessionId: string, clientMessageId: string): Record<string, string> {
    return { sessionId, messageId: claimMarkerId(clientMessageId) };
  }
}
