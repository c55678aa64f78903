import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { instantOption, integerOption, numberOption } from './cli-options.ts';
import { SimulatorOptionError } from './errors.ts';
import { LiveRun, type LiveStore } from './live.ts';
import { defaultScenario, type Scenario } from './scenario.ts';

interface LiveState {
  seed: number;
  skus: number;
  from: string;
  checkpoint: string;
}

/**
 * `live --agent-config <agent.json> [--agent-config ...] [--seed 42] [--skus 300] [--baskets 800]
 *   [--from now-8h] [--fast-until now-2h] [--speed 60] [--until ISO] [--ground-truth f.jsonl] [--state f.json]`
 * One simulated store per agent config (its storeId, MQTT port and terminal accounts). With --state,
 * a second run resumes: same start, and nothing before the last acknowledged instant is sent again.
 */
export async function runLiveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'agent-config': { type: 'string', multiple: true },
      seed: { type: 'string' },
      skus: { type: 'string' },
      baskets: { type: 'string' },
      'phantom-per-day': { type: 'string' },
      'missed-delivery-rate': { type: 'string' },
      from: { type: 'string' },
      'fast-until': { type: 'string' },
      speed: { type: 'string' },
      until: { type: 'string' },
      'ground-truth': { type: 'string' },
      state: { type: 'string' },
    },
  });
  const configs = values['agent-config'] ?? [];
  if (configs.length === 0)
    throw new SimulatorOptionError('--agent-config', 'name at least one edge agent config file');
  const stores = configs.map(storeFromAgentConfig);
  const scenario: Scenario = {
    ...defaultScenario,
    stores: stores.length,
    seed: integerOption('seed', values.seed, defaultScenario.seed, 0, 2 ** 31),
    skus: integerOption('skus', values.skus, defaultScenario.skus, 10, 50_000),
    basketsPerDay: integerOption('baskets', values.baskets, defaultScenario.basketsPerDay, 1, 30_000),
    phantomPerDay: numberOption('phantom-per-day', values['phantom-per-day'], defaultScenario.phantomPerDay, 0, 100),
    missedDeliveryRate: numberOption(
      'missed-delivery-rate',
      values['missed-delivery-rate'],
      defaultScenario.missedDeliveryRate,
      0,
      1,
    ),
  };
  const now = Date.now();
  const previous = values.state !== undefined && existsSync(values.state) ? readState(values.state) : null;
  const resumable = previous !== null && previous.seed === scenario.seed && previous.skus === scenario.skus;
  const from = resumable ? Date.parse(previous.from) : instantOption('from', values.from, now - 8 * 3_600_000, now);
  const resumeAfter = resumable ? Date.parse(previous.checkpoint) : null;
  const fastUntil = Math.max(
    from,
    resumeAfter ?? from,
    instantOption('fast-until', values['fast-until'], now - 2 * 3_600_000, now),
  );
  const run = await LiveRun.start({
    scenario,
    stores,
    from,
    fastUntil: Math.min(fastUntil, now),
    speed: numberOption('speed', values.speed, 60, 0.001, 1_000_000),
    until: values.until === undefined ? null : instantOption('until', values.until, now, now),
    resumeAfter,
    groundTruthFile: values['ground-truth'] ?? null,
    recordAcks: false,
    window: 100,
  });
  process.stdout.write(
    `${JSON.stringify({ started: true, stores: stores.map((s) => s.storeId), from: new Date(from).toISOString(), resumed: resumable })}\n`,
  );
  const save = () => {
    if (values.state === undefined) return;
    const state: LiveState = {
      seed: scenario.seed,
      skus: scenario.skus,
      from: new Date(from).toISOString(),
      checkpoint: new Date(run.checkpoint()).toISOString(),
    };
    writeFileSync(`${values.state}.tmp`, `${JSON.stringify(state)}\n`);
    renameSync(`${values.state}.tmp`, values.state);
  };
  const progress = setInterval(() => {
    save();
    process.stdout.write(`${JSON.stringify(run.stats())}\n`);
  }, 10_000);
  const stop = () => void run.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await run.done;
  await run.stop();
  clearInterval(progress);
  save();
  process.stdout.write(`${JSON.stringify(run.stats())}\n`);
}

function readState(file: string): LiveState {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LiveState;
  } catch (error) {
    throw new SimulatorOptionError(
      '--state',
      `${file} is not a simulator state file (${(error as Error).message}); delete it to start over`,
    );
  }
}

/**
 * The simulator's view of an edge agent config: store id and where its embedded broker listens; the
 * terminals' passwords come from `terminal-passwords.json` beside it (terminal id -> password), the
 * terminals' side of the logins: the agent's config holds only their hashes.
 */
export function storeFromAgentConfig(file: string): LiveStore {
  const config = readJson(file) as { storeId?: string; mqtt?: { mode?: string; host?: string; port?: number } };
  const mqtt = config.mqtt;
  if (
    typeof config.storeId !== 'string' ||
    mqtt?.mode !== 'embedded' ||
    typeof mqtt.port !== 'number' ||
    mqtt.port === 0
  ) {
    throw new SimulatorOptionError(
      '--agent-config',
      `${file} needs storeId and mqtt { mode: "embedded", port: <fixed port>, terminals } for the terminals to connect to`,
    );
  }
  const host = mqtt.host === undefined || mqtt.host === '0.0.0.0' ? '127.0.0.1' : mqtt.host;
  return {
    storeId: config.storeId,
    mqttUrl: `mqtt://${host}:${mqtt.port}`,
    passwords: readJson(join(dirname(file), 'terminal-passwords.json')) as Record<string, string>,
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SimulatorOptionError('--agent-config', `cannot read ${file}: ${(error as Error).message}`);
  }
}
