import WebSocket from 'ws';

/** Opens `count` idle connections (each waits for its session frame), measures, closes them. */
export async function idleConnections(
  url: string,
  count: number,
  rss: () => number,
): Promise<{ before: number; during: number; after: number }> {
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1500));
  await settle();
  const before = rss();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const opening = Array.from(
      { length: Math.min(100, count - i) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.once('message', () => resolve(ws));
          ws.once('error', reject);
        }),
    );
    sockets.push(...(await Promise.all(opening)));
  }
  await settle();
  const during = rss();
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close();
        }),
    ),
  );
  await settle();
  return { before, during, after: rss() };
}
