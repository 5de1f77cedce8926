import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';

/**
 * Lock files this process holds. A lock file naming our own pid is stale (left by an earlier
 * process that had the same pid, common in containers) only if it is not one of these.
 */
const held = new Set<string>();

/**
 * An exclusive, per-process lock on a data folder. LevelDB allows one process per database and
 * crashes a second one on its first read, so a second server must be refused up front.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string, name: string): DataDirLock {
    mkdirSync(dir, { recursive: true });
    const file = resolve(dir, `${name}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        held.add(file);
        return new DataDirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (held.has(file)) {
          throw new ConfigError(
            `data directory ${dir} is already in use by this process; close the running store first, or give this one its own folder with --data-dir or CHATBOT_DATA_DIR`,
          );
        }
        const holder = Number(readFileSync(file, 'utf8'));
        if (holder !== process.pid && isAlive(holder)) {
          throw new ConfigError(
            `data directory ${dir} is in use by another chatbot-mcp-server (pid ${holder}); stop that process, or give this one its own folder with --data-dir or CHATBOT_DATA_DIR`,
          );
        }
        rmSync(file, { force: true }); // left behind by a process that is gone
      }
    }
    throw new ConfigError(`cannot lock data directory ${dir}; check its permissions`);
  }

  release(): void {
    held.delete(this.file);
    rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
