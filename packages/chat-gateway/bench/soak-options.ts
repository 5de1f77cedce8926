import { parseArgs } from 'node:util';

export interface SoakOptions {
  connections: number;
  durationS: number;
  thinkMs: number;
  /** Idle sessions of each kind: connected then silent, and connected then disconnected. */
  idle: number;
  cleanupIntervalS: number;
  turnTimeoutMs: number;
  /** Active sessions whose resume is tried after the load (all idle ones are tried). */
  probeActive: number;
  maxRssMiB: number;
  /** The gateway's LOG_LEVEL; its log lines are counted and the first few printed. */
  gatewayLogLevel: string;
}

/** The gateway's SESSION_TIMEOUT_MINUTES in the soak (its minimum). */
export const SESSION_TIMEOUT_MINUTES = 1;

const SPEC = {
  connections: ['SOAK_CONNECTIONS', 1000],
  duration: ['SOAK_DURATION_S', 120],
  think: ['SOAK_THINK_MS', 20_000],
  idle: ['SOAK_IDLE', 25],
  'cleanup-interval': ['SOAK_CLEANUP_INTERVAL_S', 5],
  'turn-timeout': ['SOAK_TURN_TIMEOUT_MS', 60_000],
  'probe-active': ['SOAK_PROBE_ACTIVE', 100],
  'max-rss-mib': ['SOAK_MAX_RSS_MIB', 1024],
} as const;

/** Flags win over environment variables; prints nothing, throws naming the bad one. */
export function soakOptions(argv: string[], env = process.env): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(SPEC).map((k) => [k, { type: 'string' }])),
    strict: true,
  });
  const n = (flag: keyof typeof SPEC): number => {
    const [name, fallback] = SPEC[flag];
    const raw = values[flag] ?? env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`--${flag} / ${name}: a whole number ≥ 0, not ${JSON.stringify(raw)}`);
    return value;
  };
  const options: SoakOptions = {
    connections: n('connections'),
    durationS: n('duration'),
    thinkMs: n('think'),
    idle: n('idle'),
    cleanupIntervalS: Math.max(1, n('cleanup-interval')),
    turnTimeoutMs: n('turn-timeout'),
    probeActive: n('probe-active'),
    maxRssMiB: n('max-rss-mib'),
    gatewayLogLevel: env.SOAK_GATEWAY_LOG_LEVEL ?? 'warn',
  };
  // The idle sessions must pass the timeout, and a cleanup pass must follow, while load runs.
  const minimum = SESSION_TIMEOUT_MINUTES * 60 + 2 * options.cleanupIntervalS + 10;
  if (options.idle > 0 && options.durationS < minimum)
    throw new Error(
      `--duration / SOAK_DURATION_S: at least ${minimum} s with idle sessions (session timeout ${SESSION_TIMEOUT_MINUTES} min + two cleanup intervals + 10 s), or --idle 0`,
    );
  return options;
}

export function describeOptions(o: SoakOptions): string {
  return `${o.connections} connections for ${o.durationS} s, think ${o.thinkMs} ms (±50%), ${o.idle}+${o.idle} idle sessions (silent / disconnected), session timeout ${SESSION_TIMEOUT_MINUTES} min, cleanup every ${o.cleanupIntervalS} s, turn timeout ${o.turnTimeoutMs} ms`;
}
