import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    app: string;
    context: Record<string, unknown>;
  };

  it('runs bin/app.ts with tsx', () => {
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
  });

  it("carries the installed aws-cdk-lib's recommended feature flags (regenerate: scripts/write-cdk-json.ts)", () => {
    expect(cdkJson.context).toEqual(CURRENTLY_RECOMMENDED_FLAGS);
  });
});
