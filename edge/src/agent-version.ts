import { readFileSync } from 'node:fs';

/** The agent's version as released (edge/package.json), reported in heartbeats and /status. */
export const agentVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
