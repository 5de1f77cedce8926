// A bare `ws` echo server: the baseline the gateway's overhead is compared with in the same run.
// It answers each message frame with one text-delta-shaped frame, then a finish-shaped frame.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  maxPayload: 128 * 1024,
});
wss.on('connection', (ws) => {
  ws.send(
    JSON.stringify({
      type: 'session',
      sessionId: 'echo',
      resumeToken: 'x'.repeat(43),
      resumed: false,
      model: null,
    }),
  );
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    ws.send(JSON.stringify({ type: 'text-delta', messageId: frame.id, delta: frame.content }));
    ws.send(
      JSON.stringify({
        type: 'finish',
        messageId: frame.id,
        finishReason: 'stop',
        response: { replyTo: frame.id },
      }),
    );
  });
});
wss.on('listening', () =>
  process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`),
);
process.on('SIGTERM', () => process.exit(0));
