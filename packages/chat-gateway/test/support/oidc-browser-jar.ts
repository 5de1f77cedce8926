/**
 * A browser's side of the sign-in for tests that drive the gateway with `fetch` and `ws`: the
 * cookies it keeps per origin, and the redirects of an authorization-code sign-in followed from
 * `/auth/login` at the gateway through the test provider and back.
 */
import type { TestProvider } from './oidc-test-provider.js';

/** Cookies per origin, as a browser would keep them for each of the two loopback servers. */
export class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(url: string): string {
    const jar = this.byOrigin.get(new URL(url).origin);
    return [...(jar ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  store(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    this.byOrigin.set(origin, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) jar.delete(name);
      else jar.set(name, value);
    }
  }
  /** The value of the cookie `name` this browser keeps for `url`'s origin. */
  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin)?.get(name);
  }
}

/** A request from this browser: its cookies sent, the ones set kept, redirects not followed. */
export async function request(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header(url) },
  });
  jar.store(url, res);
  return res;
}

/**
 * Signs `user` in through the provider, in a fresh browser (its own cookie jar). Each redirect
 * followed is added to `hops` as `{status} {path}`.
 */
export async function signIn(
  idp: TestProvider,
  gatewayUrl: string,
  user: string,
  hops: string[] = [],
): Promise<Jar> {
  idp.nextUser = user;
  const jar = new Jar();
  let url = `${gatewayUrl}/auth/login`;
  for (let i = 0; i < 20; i += 1) {
    const res = await request(jar, url);
    hops.push(`${res.status} ${new URL(url).pathname}`);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`sign-in stopped at ${url}: ${res.status} ${await res.text()}`);
    }
    url = new URL(location, url).href;
    if (url === `${gatewayUrl}/`) return jar;
  }
  throw new Error(`too many redirects signing in ${user}: ${hops.join(', ')}`);
}

/** The headers of this browser's WebSocket upgrade to the gateway. */
export const upgradeHeaders = (jar: Jar, gatewayUrl: string): Record<string, string> => ({
  cookie: jar.header(gatewayUrl),
  origin: gatewayUrl,
});
