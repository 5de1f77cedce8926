import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, DataDirInUseError, UpstreamError } from '../../errors.js';

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
    const file = resolve(dir, `${name}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        held.add(file);
        return new DataDirLock(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') {
          rmSync(file, { force: true }); // an empty lock file from a write that failed
          throw new UpstreamError(
            code === 'ENOSPC'
              ? `cannot write the lock file ${file}: no space left on the device; free space there and retry`
              : `cannot write the lock file ${file} (${code ?? 'error'}); check the folder's permissions`,
            { cause: error },
          );
        }
        if (held.has(file)) {
          throw new ConfigError(
            `data directory ${dir} is already in use by this process; close the running store first, or give this one its own folder with --data-dir or CHATBOT_DATA_DIR`,
          );
        }
        const holder = Number(readFileSync(file, 'utf8'));
        if (holder !== process.pid && isAlive(holder)) throw inUse(dir, file, holder);
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

/** The pid in a data directory's lock file, if there is one. */
export function lockHolder(dir: string, name: string): number | undefined {
  try {
    const pid = Number(readFileSync(resolve(dir, `${name}.lock`), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lock's pid is alive. It may be a server on the folder, or, after a crash and a reboot or
 * in a container, an unrelated program that got the same pid: say which, when Linux tells.
 */
function inUse(dir: string, file: string, pid: number): ConfigError {
  const command = commandLine(pid);
  if (command !== undefined && !looksLikeServer(command)) {
    return new ConfigError(
      `lock file ${file} names pid ${pid}, which now runs another program (${command.slice(0, 80)}), not chatbot-mcp-server; the lock was left by a server that ended without cleaning up. If no chatbot-mcp-server uses ${dir}, delete ${file} and start again`,
    );
  }
  return new DataDirInUseError(dir, pid, file);
}

/** The process's command line from /proc (Linux); undefined where that cannot be read. */
export function commandLine(pid: number, proc = '/proc'): string | undefined {
  try {
    const raw = readFileSync(`${proc}/${pid}/cmdline`, 'utf8');
    return raw.length === 0 ? undefined : raw.split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** A Node process may run the server under any name (npx, a bundle, tests): give it the benefit. */
function looksLikeServer(command: string): boolean {
  return /chatbot-mcp|mcp-server|\bnode(\.exe)?\b|vitest|tsx/i.test(command);
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
