import WebSocket from 'ws';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Turns each connection sends, one after another (each waits for its finish). */
  turnsPerConnection: number;
  content: string;
  /** Stop sending new turns after this (the bench stays bounded in time). */
  deadlineMs?: number;
  /** Open connections in batches of this size. */
  connectBatch?: number;
  /**
   * Pause after each answer before the next message, as a person reading and typing would:
   * uniform in [0.5, 1.5] x this many ms (spread so connections do not send in lockstep).
   * 0 (default) sends the next message at once: a saturation test.
   */
  thinkMs?: number;
  /** A turn without its finish after this long counts as lost and ends that connection's run. Default 30 s. */
  turnTimeoutMs?: number;
}

export interface LoadResult {
  /** Milliseconds from send to the first text-delta of the answer. */
  firstDelta: number[];
  /** Milliseconds from send to its finish frame. */
  finish: number[];
  turnsSent: number;
  turnsAnswered: number;
  /** Answers that arrived twice, on another session, or for an id never sent. */
  duplicated: number;
  misrouted: number;
  errors: string[];
  sessions: string[];
  wallMs: number;
}

/**
 * Drives chat connections: each opens a socket, waits for its `session` frame, then sends
 * `turnsPerConnection` messages one at a time, timing the first delta and the finish of each.
 * It checks every answer is for an id that connection sent, and arrives exactly once.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = {
    firstDelta: [],
    finish: [],
    turnsSent: 0,
    turnsAnswered: 0,
    duplicated: 0,
    misrouted: 0,
    errors: [],
    sessions: [],
    wallMs: 0,
  };
  const started = performance.now();
  const deadline = started + (options.deadlineMs ?? 60_000);
  const batch = options.connectBatch ?? 50;
  const runs: Promise<void>[] = [];
  for (let i = 0; i < options.connections; i += batch) {
    const opening: Promise<WebSocket>[] = [];
    for (let j = i; j < Math.min(options.connections, i + batch); j++)
      opening.push(open(options.url));
    for (const socket of await Promise.all(opening))
      runs.push(drive(socket, options, result, deadline));
  }
  await Promise.all(runs);
  result.wallMs = performance.now() - started;
  return result;
}

/** Frames that arrived before `drive` took the socket over (the session frame comes at once). */
const early = new WeakMap<WebSocket, WebSocket.RawData[]>();

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const buffered: WebSocket.RawData[] = [];
    early.set(ws, buffered);
    ws.on('message', (data) => buffered.push(data));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function drive(
  ws: WebSocket,
  options: LoadOptions,
  result: LoadResult,
  deadline: number,
): Promise<void> {
  const sent = new Map<string, { at: number; firstDelta?: number }>();
  const answered = new Set<string>();
  const byServerId = new Map<string, string>();
  let sessionId = '';
  let waiting: (() => void) | undefined;
  const session = new Promise<void>((resolve) => (waiting = resolve));
  let turnDone: (() => void) | undefined;
  const onFrame = (data: WebSocket.RawData): void => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
    const now = performance.now();
    switch (frame.type) {
      case 'session':
        sessionId = String(frame.sessionId);
        result.sessions.push(sessionId);
        waiting?.();
        break;
      case 'start':
        byServerId.set(String(frame.messageId), String(frame.replyTo));
        break;
      case 'text-delta': {
        const id = byServerId.get(String(frame.messageId)) ?? String(frame.messageId);
        const turn = sent.get(id);
        if (turn && turn.firstDelta === undefined) turn.firstDelta = now - turn.at;
        break;
      }
      case 'finish': {
        const response = frame.response as Record<string, unknown>;
        const id =
          byServerId.get(String(frame.messageId)) ?? String(response.replyTo ?? frame.messageId);
        const turn = sent.get(id);
        if (!turn) result.misrouted += 1;
        else if (answered.has(id)) result.duplicated += 1;
        else if (
          response.sessionId !== undefined &&
          response.sessionId !== sessionId &&
          sessionId !== 'echo'
        )
          result.misrouted += 1;
        else {
          answered.add(id);
          result.turnsAnswered += 1;
          result.finish.push(now - turn.at);
          if (turn.firstDelta !== undefined) result.firstDelta.push(turn.firstDelta);
        }
        turnDone?.();
        break;
      }
      case 'error':
        result.errors.push(`${String(frame.code)}: ${String(frame.message)}`);
        turnDone?.();
        break;
    }
  };
  ws.removeAllListeners('message');
  for (const data of early.get(ws) ?? []) onFrame(data);
  ws.on('message', onFrame);
  await session;
  // Paced connections start at a random point of their first pause, not all at once.
  if ((options.thinkMs ?? 0) > 0)
    await new Promise((r) => setTimeout(r, Math.random() * options.thinkMs!));
  for (let t = 0; t < options.turnsPerConnection && performance.now() < deadline; t++) {
    const id = `${sessionId.slice(0, 8)}-${t}`;
    const done = new Promise<void>((resolve) => (turnDone = resolve));
    sent.set(id, { at: performance.now() });
    result.turnsSent += 1;
    ws.send(JSON.stringify({ type: 'message', id, content: options.content }));
    // A lost answer is counted (as unanswered, with an error) instead of hanging the run.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise<boolean>(
        (r) => (timer = setTimeout(() => r(true), options.turnTimeoutMs ?? 30_000)),
      ),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      result.errors.push(
        `TIMEOUT: no finish for ${id} within ${options.turnTimeoutMs ?? 30_000} ms`,
      );
      break;
    }
    const think = options.thinkMs ?? 0;
    if (think > 0) await new Promise((r) => setTimeout(r, think * (0.5 + Math.random())));
  }
  ws.close();
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
