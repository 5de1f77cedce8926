import { newTally, SoakClient, type SoakTally, type TurnOutcome } from './soak-client.js';

export interface LoadPlan {
  url: string;
  /** performance.now() after which no connection starts a new turn. */
  until: number;
  /** Pause between an answer and the next message (uniform 0.5x to 1.5x, so turns spread out). */
  thinkMs: number;
  turnTimeoutMs: number;
  content: string;
  /** Every n-th connection, once done, reconnects and resumes its session (0: none). */
  resumeEvery: number;
}

export interface LoadRun {
  clients: SoakClient[];
  outcomes: Map<TurnOutcome, number>;
  /** Resumes of finished sessions: 'resumed' or the error code → how many. */
  resumes: Map<string, number>;
  /** When the last connection finished its last turn and closed. */
  endedAt: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Opens `count` connections, `batch` at a time, each once its session frame has arrived. */
export async function connectAll(
  url: string,
  count: number,
  tally: SoakTally,
  batch = 50,
): Promise<SoakClient[]> {
  const clients: SoakClient[] = [];
  for (let i = 0; i < count; i += batch) {
    const opening = Array.from({ length: Math.min(batch, count - i) }, () =>
      SoakClient.open(url, tally),
    );
    clients.push(...(await Promise.all(opening)));
  }
  return clients;
}

/**
 * Every client sends messages one after another (waiting for the answer, then thinking) until
 * `until`, then closes. Message ids name the connection and the turn (`c12-t3`), so an answer
 * delivered to the wrong connection cannot pass for its own.
 */
export async function driveAll(clients: SoakClient[], plan: LoadPlan): Promise<LoadRun> {
  const outcomes = new Map<TurnOutcome, number>();
  const resumes = new Map<string, number>();
  const drive = async (client: SoakClient, index: number): Promise<void> => {
    // Stagger the first messages over one think time, as real users would.
    await sleep(Math.random() * plan.thinkMs);
    for (let t = 0; performance.now() < plan.until && !client.closedByServer; t++) {
      const outcome = await client.turn(`c${index}-t${t}`, plan.content, plan.turnTimeoutMs);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (outcome === 'closed') break;
      const think = plan.thinkMs * (0.5 + Math.random());
      await sleep(Math.max(0, Math.min(think, plan.until - performance.now())));
    }
    await client.close();
    if (plan.resumeEvery > 0 && index % plan.resumeEvery === 0 && !client.closedByServer) {
      // A session that was in use a moment ago must have survived every cleanup pass.
      const again = await SoakClient.open(plan.url, newTally());
      const result = await again.resume(client.sessionId, client.resumeToken);
      resumes.set(result, (resumes.get(result) ?? 0) + 1);
      await again.close();
    }
  };
  await Promise.all(clients.map(drive));
  return { clients, outcomes, resumes, endedAt: performance.now() };
}
