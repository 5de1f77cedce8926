import { readFileSync } from 'node:fs';

/** The package's name and version, from package.json next to dist/ (or the Lambda bundle). */
function readPackage(): { name: string; version: string } {
  for (const candidate of ['../package.json', './package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name: string;
        version: string;
      };
    } catch {
      // try the next place
    }
  }
  return { name: 'chatbot-mcp-server', version: '0.0.0' };
}

const pkg = readPackage();
export const SERVER_NAME = pkg.name;
export const SERVER_VERSION = pkg.version;
