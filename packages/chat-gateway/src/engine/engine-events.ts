/**
 * The analytics the engine emits. Implementations must never throw into the chat path (an
 * analytics outage drops events, it does not fail turns).
 */
export interface EngineEvents {
  query(
    sessionId: string,
    details: {
      route: string;
      reason: string;
      routeMs: number;
      latencyMs: number;
      model: string | null;
      finishReason: string;
      /** Tokens the model reported for the turn, when it did. */
      inputTokens?: number;
      outputTokens?: number;
    },
  ): void;
  toolUsage(
    sessionId: string,
    details: { tool: string; isError: boolean; ms: number; approved?: boolean },
  ): void;
}
