#!/usr/bin/env node
// The installed `chatbot-gateway` command: runs the built CLI. It is a committed file rather than
// dist/cli.js itself so that `pnpm install` on a fresh clone, which links bins before anything is
// built, finds it; until `pnpm build` has run it says so instead of failing on a missing file.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('chatbot-gateway: not built yet (no dist/cli.js). Run pnpm build first\n');
  process.exit(1);
}
await import(cli.href);
