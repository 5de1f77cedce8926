import { GatewayConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

/*
 * The parsers every settings loader of the gateway uses (`config.ts` for the local server and
 * the chat core, `lambda-config.ts` and `upload-config.ts` for the Lambda functions), so that a
 * wrong value is reported the same way wherever it is read: the variable's name, what a right
 * value looks like, and the value given. Exported through `config.ts`.
 */

/** A separated list, trimmed, empty entries dropped. */
export function list(value: string | undefined, separator = ','): string[] {
  return (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A comma-separated list of origins (`scheme://host[:port]`), normalised; `name` is the variable read. */
export function origins(value: string | undefined, name: string): string[] {
  return list(value).map((o) => {
    try {
      const u = new URL(o);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
    } catch {
      // reported below
    }
    throw new GatewayConfigError(
      `${name}: ${JSON.stringify(o)} is not an origin; use scheme://host[:port]`,
    );
  });
}

/** What LAMBDA_ENDPOINT looks like (a local Lambda Invoke emulator), in every loader's message. */
export const LAMBDA_ENDPOINT_EXAMPLE = 'http://127.0.0.1:9001';

/** A URL, returned as given. */
export function url(name: string, value: string, example = 'http://127.0.0.1:3000'): string {
  try {
    new URL(value);
    return value;
  } catch {
    throw new GatewayConfigError(
      `${name}: must be a URL such as ${example}, not ${JSON.stringify(value)}`,
    );
  }
}

/** A URL paths are appended to (an AWS endpoint): normalised, without a trailing slash. */
export function baseUrl(name: string, value: string, example = 'https://example.com/prod'): string {
  return new URL(url(name, value, example)).toString().replace(/\/$/, '');
}

/**
 * A whole number in [min, max]; unset or empty: `fallback`. `shown` names the setting in the
 * message when it is not the variable alone (e.g. `--port / CHAT_PORT`).
 */
export function int(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  shown = name,
): number {
  return ranged(env, name, fallback, [min, max], shown, 'a whole number', Number.isInteger);
}

/** A number in [min, max]; unset or empty: `fallback`. */
export function num(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  shown = name,
): number {
  return ranged(env, name, fallback, [min, max], shown, 'a number', Number.isFinite);
}

function ranged(
  env: Env,
  name: string,
  fallback: number,
  [min, max]: [number, number],
  shown: string,
  kind: string,
  valid: (n: number) => boolean,
): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!valid(n) || n < min || n > max)
    throw new GatewayConfigError(
      `${shown}: must be ${kind} from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  return n;
}

/** true/false, 1/0, yes/no; unset or empty: `fallback`. */
export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new GatewayConfigError(`${name}: must be true or false, not ${JSON.stringify(value)}`);
}

/** LOG_LEVEL; unset: info. */
export function logLevel(value: string | undefined): 'debug' | 'info' | 'warn' | 'error' {
  const level = value ?? 'info';
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') return level;
  throw new GatewayConfigError(
    `LOG_LEVEL: must be debug, info, warn or error, not ${JSON.stringify(value)}`,
  );
}

/** The Lambda functions' region (AWS_REGION, which Lambda sets; AWS_DEFAULT_REGION elsewhere). */
export function awsRegion(env: Env): string {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new GatewayConfigError('AWS_REGION: required (Lambda sets it; e.g. us-east-1)');
  return region;
}
