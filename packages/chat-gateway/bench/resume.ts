/**
 * Drop-and-resume at scale: `turns` answers per path (local core; AWS handlers in-process over
 * the embedded store; AWS Lambda handlers through the local API Gateway WebSocket emulator with
 * real sockets, DynamoDB Local and a fake Bedrock streaming model), the client dropping its
 * socket at random points mid-answer and resuming with its last seq. Prints, per path, the
 * turns whose final text was exactly the model's and the time a resume took to catch up
 * (p50/p99). `--paths local,aws,apigw` picks paths.
 *
 *   pnpm --filter chatbot-gateway bench:resume [-- --turns 1000]
 */
import { apigwPath } from '../test/support/apigw-protocol-path.js';
import { lambdaPath, localPath } from '../test/support/protocol-paths.js';
import { appliedText, ResumingClient } from '../test/support/resuming-client.js';
import { answerTo } from '../test/support/slow-model.js';
import { percentile } from './ws-driver.js';
import { seqOf } from '../src/protocol/frames.js';

const arg = process.argv.indexOf('--turns');
const turns = Number(arg > 0 ? process.argv[arg + 1] : (process.env.RESUME_TURNS ?? 1000));

let seed = 17;
const rand = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0), seed / 2 ** 32);

const pathsArg = process.argv.indexOf('--paths');
const wanted = (pathsArg > 0 ? (process.argv[pathsArg + 1] ?? '') : 'local,aws,apigw').split(',');

const rows: string[] = [];
for (const [key, name, make] of [
  ['local', 'local core', localPath],
  ['aws', 'AWS handlers in-process', lambdaPath],
  ['apigw', 'AWS via API Gateway emulator', apigwPath],
] as const) {
  if (!wanted.includes(key)) continue;
  // Reset per path, so that a path's row does not depend on which paths ran before it.
  seed = 17;
  const path = await make({ tokenMs: 1 });
  const client = await ResumingClient.open(path);
  const started = performance.now();
  let exact = 0;
  for (let turn = 0; turn < turns; turn++) {
    const id = `t${turn}`;
    const content = `turn ${turn} #${4 + Math.floor(rand() * 12)}`;
    await client.send({ type: 'message', id, content });
    const done = (a: typeof client.applied): boolean =>
      a.some((f) => f.type === 'finish' && f.response.content === answerTo(content));
    for (let d = Math.floor(rand() * 3); d > 0; d--) {
      const after = client.applied.length + 1 + Math.floor(rand() * 6);
      await client.until((a) => a.length >= after || done(a));
      await client.reconnect();
    }
    await client.until(done);
    if (appliedText(client.applied, id) === answerTo(content)) exact += 1;
  }
  const seqs = client.applied.map((f) => seqOf(f) ?? 0).sort((a, b) => a - b);
  const gapless = seqs.every((s, i) => s === i + 1);
  const ms = [...client.catchUpMs].sort((a, b) => a - b);
  rows.push(
    `| ${name} | ${turns} | ${exact} | ${client.drops} | ${gapless ? 'yes' : 'NO'} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} | ${((performance.now() - started) / 1000).toFixed(1)} |`,
  );
  await path.close();
}
process.stdout.write(
  [
    '| path | turns | exact text | drops | seq gapless | resume catch-up p50 ms | p99 ms | run s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
