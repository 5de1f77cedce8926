// Writes cdk.json with the feature flags the installed aws-cdk-lib recommends for new projects,
// so upgrading the library and running this script keeps them current (test/cdk-json.test.ts
// fails when they drift).
import { writeFileSync } from 'node:fs';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';

const cdkJson = {
  app: 'npx tsx bin/app.ts',
  watch: { include: ['bin/**', 'lib/**'], exclude: ['cdk.out', 'test/**', 'node_modules'] },
  context: { ...CURRENTLY_RECOMMENDED_FLAGS },
};
writeFileSync(new URL('../cdk.json', import.meta.url), `${JSON.stringify(cdkJson, null, 2)}\n`);
