import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,edge,hub,simulators,tools,test}/**/*.test.ts'],
    // chDB binds one data directory per process, so test files run in forked processes, not threads.
    pool: 'forks',
    // Two cores: integration tests against Kafka / S3 / MQTT share them with the services.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
