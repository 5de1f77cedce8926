/**
 * The page as the CDK app hosts it, against the AWS path on loopback, for a browser suite: the
 * CloudFront stand-in serving the built page with a `config.json` naming the API Gateway
 * WebSocket EMULATOR's stage URL (`auth: "token"`), the Lambda handlers behind it, and Chromium.
 * `useHostedAwsPage` registers the suite's hooks; its fields are set once `beforeAll` ran.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startAwsPath, type AwsPath } from './apigw-aws-path.js';
import { buildWeb, launchChromium } from './browser.js';
import { startHostedSite, type HostedSite } from './hosted-site.js';

export interface HostedAwsPage {
  readonly browser: Browser;
  readonly site: HostedSite;
  readonly aws: AwsPath;
}

export function useHostedAwsPage(): HostedAwsPage {
  let browser: Browser | undefined;
  let site: HostedSite | undefined;
  let aws: AwsPath | undefined;
  beforeAll(async () => {
    buildWeb();
    site = await startHostedSite();
    // As the CDK app writes it: the stage URL, and "a token is needed".
    aws = await startAwsPath({ env: { CHAT_ALLOWED_ORIGINS: site.origin } });
    site.config = { webSocketUrl: aws.apigw.wsUrl, auth: 'token' };
    site.connectSrc = [new URL(aws.apigw.wsUrl).origin];
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await aws?.close();
    await site?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useHostedAwsPage: used before beforeAll ran');
    return value;
  };
  return {
    get browser() {
      return started(browser);
    },
    get site() {
      return started(site);
    },
    get aws() {
      return started(aws);
    },
  };
}
