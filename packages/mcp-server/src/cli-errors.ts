/**
 * How both command-line tools (`chatbot-mcp-server`, `chatbot-gateway`) report a failure: one
 * line on stderr, `<bin>: <what was wrong>. <what to do>`, exit code 2 for usage errors (flags,
 * commands, configuration) and 1 for runtime errors. JSON log lines are a running server's own
 * logging, not the way a command says why it could not start. Pure: imports nothing heavy, so
 * `--help` and a mistyped flag stay fast.
 */

import { DataDirInUseError } from './errors.js';

/** Exit code of a failure at run time (a busy port, a full disk, an unreachable service). */
export const EXIT_RUNTIME = 1;
/** Exit code of a usage error: an unknown flag or command, a bad value, a bad configuration. */
export const EXIT_USAGE = 2;

/** A mistake in how the command was called; its message says what was wrong and what to do. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Error codes of the packages' error hierarchies that a person fixes in the command line or configuration. */
const USAGE_CODES = new Set(['CONFIG', 'VALIDATION']);

/** The closest candidate within two edits of `word` (case-insensitive), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (
      distance <= Math.min(2, Math.floor(candidate.length / 2)) &&
      distance < (best?.distance ?? Infinity)
    )
      best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** Joins what was wrong and what to do into one sentence pair. */
export function sentence(what: string, todo: string): string {
  return `${what.replace(/[\s.]+$/, '')}. ${todo}`;
}

/**
 * Turns an error of `node:util` `parseArgs` into a usage error naming the flag, with a "did you
 * mean" when a known option is close. `options` are the option names without dashes.
 */
export function parseArgsUsageError(
  bin: string,
  error: unknown,
  options: readonly string[],
): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const help = `Run ${bin} --help for the options`;
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(message);
  if (unknown) {
    const flag = `${unknown[1]}${unknown[2]}`;
    const name = unknown[2]!.split('=')[0]!;
    const near = closest(name, options);
    return new UsageError(
      sentence(`unknown option ${flag}`, near ? `Did you mean --${near}? ${help}` : help),
    );
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return new UsageError(sentence(`${missing[1]} needs a value`, help));
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return new UsageError(sentence(`${noValue[1]} takes no value`, help));
  return new UsageError(sentence(message.split('. ')[0] ?? message, help));
}

/** An unknown command, with a "did you mean" among the known ones. */
export function unknownCommandError(
  bin: string,
  command: string,
  commands: readonly string[],
): UsageError {
  const near = closest(command, commands);
  return new UsageError(
    sentence(
      `unknown command ${command}`,
      `${near ? `Did you mean ${bin} ${near}? ` : ''}The commands are ${commands.join(', ')}; run ${bin} --help`,
    ),
  );
}

interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

function isSystemError(error: unknown): error is SystemError {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as Partial<SystemError>;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof syscall === 'string';
}

/** The first operating-system error (`ENOTDIR`, `EADDRINUSE`, ...) in an error's `cause` chain. */
function systemErrorIn(error: unknown): SystemError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    if (isSystemError(e)) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** What went wrong and what to do for the operating-system errors a person can fix. */
function describeSystemError(error: SystemError): string {
  const path = error.path ?? '';
  const where = error.address !== undefined ? `${error.address}:${error.port ?? ''}` : path;
  switch (error.code) {
    case 'EADDRINUSE':
      return sentence(
        `cannot listen on ${where}: the port is in use (another gateway or server still running?)`,
        'Stop that process, or pick another port with --port (0 picks a free one)',
      );
    case 'EADDRNOTAVAIL':
      return sentence(
        `cannot listen on ${where}: this machine has no such address`,
        'Use --host 127.0.0.1, or an address of this machine',
      );
    case 'EACCES':
    case 'EPERM':
      return error.syscall === 'listen' || error.syscall === 'bind'
        ? sentence(
            `no permission to listen on ${where}`,
            'Pick a port above 1023 with --port (0 picks a free one)',
          )
        : sentence(
            `no permission to ${error.syscall} ${path}`,
            'Fix its permissions, or point --data-dir (or CHATBOT_DATA_DIR) at a folder you own',
          );
    case 'ENOTDIR':
      return sentence(
        `cannot use ${path}: part of that path is a file, not a folder`,
        'Point --data-dir (or CHATBOT_DATA_DIR) at a folder, or move the file away',
      );
    case 'ENOSPC':
      return sentence(
        `the disk is full (writing ${path || 'data'})`,
        'Free some space and start again',
      );
    case 'EROFS':
      return sentence(
        `${path} is on a read-only file system`,
        'Point --data-dir (or CHATBOT_DATA_DIR) at a writable folder',
      );
    case 'ENOENT':
      return sentence(`${path || 'a file'} does not exist (${error.syscall})`, 'Check the path');
    default:
      return sentence(
        `${error.syscall} ${where} failed: ${error.code}`,
        'Check the path or address and try again',
      );
  }
}

/** The line a command `bin` prints for `error` (without the `bin: ` prefix) and its exit code. */
export function describeCliError(
  bin: string,
  error: unknown,
  options: { debug?: boolean } = {},
): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: error.message, exitCode: EXIT_USAGE };
  // A folder held by another running process is a condition of the moment, not a wrong command.
  if (error instanceof DataDirInUseError) return { message: error.message, exitCode: EXIT_RUNTIME };
  const system = systemErrorIn(error);
  if (system) return { message: describeSystemError(system), exitCode: EXIT_RUNTIME };
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (error instanceof Error && typeof code === 'string' && /^[A-Z][A-Z_]+$/.test(code)) {
    // A bad option value (`search --limit 50`) is refused by the service with its field name.
    if (code === 'VALIDATION')
      return {
        message: sentence(error.message, `Run ${bin} --help for the options`),
        exitCode: EXIT_USAGE,
      };
    return { message: error.message, exitCode: USAGE_CODES.has(code) ? EXIT_USAGE : EXIT_RUNTIME };
  }
  const text = error instanceof Error ? error.message : String(error);
  return {
    message: options.debug
      ? `${text}\n${error instanceof Error ? (error.stack ?? '') : ''}`
      : sentence(`unexpected error: ${text}`, 'Run again with LOG_LEVEL=debug for the details'),
    exitCode: EXIT_RUNTIME,
  };
}

/** Prints `<bin>: <message>` on stderr and returns the exit code for `error`. */
export function reportCliError(
  bin: string,
  error: unknown,
  options: { debug?: boolean; stderr?: NodeJS.WritableStream } = {},
): number {
  const { message, exitCode } = describeCliError(bin, error, options);
  (options.stderr ?? process.stderr).write(`${bin}: ${message}\n`);
  return exitCode;
}
