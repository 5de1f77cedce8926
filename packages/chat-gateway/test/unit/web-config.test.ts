import { describe, expect, it } from 'vitest';
import {
  defaultWebConfig,
  type FetchConfig,
  loadWebConfig,
  parseWebConfig,
  socketUrl,
  WebConfigError,
} from '../../web/src/web-config.js';

const page = { protocol: 'https:', host: 'd111.cloudfront.net' };
const API = 'wss://abc123.execute-api.us-east-1.amazonaws.com/prod';

const respond =
  (status: number, body?: string): FetchConfig =>
  (url, init) => {
    expect([url, init.cache]).toEqual(['./config.json', 'no-store']);
    return Promise.resolve(new Response(body ?? null, { status }));
  };

describe('web config (config.json)', () => {
  it('absent (404): the page origin at /ws, ws: or wss: as the page, probe for refusals', async () => {
    expect(await loadWebConfig(page, respond(404))).toEqual({
      webSocketUrl: 'wss://d111.cloudfront.net/ws',
      auth: 'probe',
    });
    expect(defaultWebConfig({ protocol: 'http:', host: '127.0.0.1:8787' }).webSocketUrl).toBe(
      'ws://127.0.0.1:8787/ws',
    );
  });

  it("as the CDK app writes it: the API's URL, token auth, a title; unknown keys ignored", async () => {
    const body = JSON.stringify({ webSocketUrl: API, auth: 'token', title: ' Ops ', signIn: {} });
    expect(await loadWebConfig(page, respond(200, body))).toEqual({
      webSocketUrl: API,
      auth: 'token',
      title: 'Ops',
    });
  });

  it('the local gateway\'s {"auth":"probe"}: same as absent', () => {
    expect(parseWebConfig({ auth: 'probe' }, page)).toEqual(defaultWebConfig(page));
  });

  it.each([
    [{ webSocketUrl: 'https://x.example/ws' }, /ws:\/\/ or wss:\/\//],
    [{ webSocketUrl: `${API}?token=leak` }, /without query/],
    [{ webSocketUrl: 'not a url' }, /webSocketUrl/],
    [{ webSocketUrl: 'ws://x.example/ws' }, /https can only connect to a wss/],
    [{ auth: 'password' }, /auth must be/],
    [[], /JSON object/],
    [null, /JSON object/],
  ])('refuses %j', (body, message) => {
    expect(() => parseWebConfig(body, page)).toThrow(WebConfigError);
    expect(() => parseWebConfig(body, page)).toThrow(message);
  });

  it('a server error or invalid JSON fails with what was wrong (not a silent fallback)', async () => {
    await expect(loadWebConfig(page, respond(503))).rejects.toThrow(/HTTP 503/);
    await expect(loadWebConfig(page, respond(200, '{oops'))).rejects.toThrow(/not valid JSON/);
  });

  it('the token goes in the query string, encoded; none: the URL as configured', () => {
    const config = parseWebConfig({ webSocketUrl: API }, page);
    expect(socketUrl(config, undefined)).toBe(API);
    expect(socketUrl(config, 'a b&c')).toBe(`${API}?token=a+b%26c`);
  });
});
