import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Alert, createLogger, type Heartbeat, type Logger, mqttTopics } from '@tillgate/shared';
import { agentVersion } from './agent-version.ts';
import { AlertEngine, type RiskScorer } from './alerts/alert-engine.ts';
import { alertLevels } from './alerts/alert-levels.ts';
import { FeedbackSteering } from './alerts/feedback-steering.ts';
import { defaults, type EdgeConfig, kafkaConnection } from './config.ts';
import { Forwarder } from './forwarder/forwarder.ts';
import { startHeartbeats } from './forwarder/heartbeat.ts';
import { KafkaLink } from './forwarder/kafka-link.ts';
import { DiskBudget } from './intake/disk-budget.ts';
import { startEmbeddedBroker } from './intake/embedded-broker.ts';
import { startExternalBroker } from './intake/external-broker.ts';
import { FeedbackIntake } from './intake/feedback-intake.ts';
import { GroupCommit } from './intake/group-commit.ts';
import type { MqttIntake } from './intake/mqtt-intake.ts';
import { PosIntake, type ReplySink } from './intake/pos-intake.ts';
import { ZReportIntake } from './intake/z-report-intake.ts';
import { defaultModelDir } from './scoring/index.ts';
import type { AgentStatus } from './status/agent-status.ts';
import { startStatusServer } from './status/status-server.ts';
import type { TerminalEpoch } from './store/edge-store.ts';
import { openSqliteStore } from './store/sqlite-store.ts';
import { type RunningUpdater, startModelUpdater } from './updater/start-updater.ts';

export interface RunningAgent {
  /** The MQTT port actually bound (embedded mode; useful with port 0), else null. */
  readonly mqttPort: number | null;
  /** The mqtts port actually bound (embedded mode with mqtt.tls), else null. */
  readonly mqttTlsPort: number | null;
  readonly statusPort: number;
  status(): AgentStatus;
  /** Resolves when every committed change has been scored (tests and benchmarks). */
  alertsIdle(): Promise<void>;
  stop(): Promise<void>;
}

export interface AgentOptions {
  logger?: Logger;
  /** A scorer other than the configured model (benchmarks); the agent does not close it. */
  scorer?: RiskScorer;
}

/** Unsent events older than this make the agent report `degraded` (the hub is not taking them). */
const degradedAfterMs = 60_000;
const recentCount = 20;

export async function startAgent(config: EdgeConfig, options: AgentOptions = {}): Promise<RunningAgent> {
  const root = options.logger ?? createLogger({ name: 'tillgate-edge', level: config.logLevel });
  const log = root.child({ store: config.storeId });
  const startedAt = new Date().toISOString();
  const budget = new DiskBudget(config.disk.capBytes);
  const store = openSqliteStore(join(config.dataDir, 'edge.db'), {
    maxRejects: config.disk.maxRejects,
    walBytes: budget.walBytes,
    backgroundCheckpoints: true,
  });
  // The updater owns the active model (updater.db) and swaps what is behind its scorer (src/updater).
  const updater: RunningUpdater | null =
    options.scorer === undefined ? await startModelUpdater(config, log.child({ component: 'updater' })) : null;
  const scorer: RiskScorer = updater?.scorer ?? (options.scorer as RiskScorer);
  store.recordInstalledModel(
    { name: scorer.name, version: scorer.version, dir: config.model.dir ?? defaultModelDir },
    new Date(),
  );
  const fixedLevels = alertLevels(config.alerts, {
    alertThreshold: scorer.alertThreshold ?? null,
    hiddenEmptyThreshold: scorer.hiddenEmptyThreshold ?? null,
  });
  const steering = new FeedbackSteering(store, config.alerts.feedback, log.child({ component: 'steering' }));
  // A level set in the config is the operator's, not the staff's to move.
  const steered = config.alerts.raiseAbove === undefined && config.alerts.raiseHiddenEmptyAbove === undefined;
  // Read on every decision: a swapped-in model brings its own operating threshold.
  const levels = {
    get raiseAbove() {
      return updater?.scorer.active.raiseAbove ?? fixedLevels.raiseAbove;
    },
    get raiseHiddenEmptyAbove() {
      const release = updater?.scorer.active.raiseHiddenEmptyAbove ?? fixedLevels.raiseHiddenEmptyAbove;
      return steered ? steering.level(release, levels.clearBelow) : release;
    },
    get clearBelow() {
      return updater?.scorer.active.clearBelow ?? fixedLevels.clearBelow;
    },
  };
  log.info({ model: scorer.name, version: scorer.version, ...fixedLevels }, 'stock-out model loaded');

  const link = new KafkaLink(kafkaConnection(config.kafka, config.storeId), config.kafka.topicPrefix);
  const forwarder = new Forwarder(store, link, config.kafka, log.child({ component: 'forwarder' }));
  let publishAlert: (topic: string, payload: string) => Promise<void> = async () => undefined;
  const alerts = new AlertEngine(
    store,
    scorer,
    {
      storeId: config.storeId,
      get raiseAbove() {
        return levels.raiseAbove;
      },
      get raiseHiddenEmptyAbove() {
        return levels.raiseHiddenEmptyAbove;
      },
      get clearBelow() {
        return levels.clearBelow;
      },
      coolDownMs: config.alerts.coolDownMs,
      warmUpMs: config.alerts.warmUpDays * 86_400_000,
      sweepEveryMs: config.alerts.sweepEveryMs,
    },
    (topic, payload) => publishAlert(topic, payload),
    (alert: Alert) => log.info({ sku: alert.sku, state: alert.state, risk: alert.risk }, 'stock-out alert'),
    log.child({ component: 'alerts' }),
  );
  const commit = new GroupCommit(store, {
    lingerMs: config.intake.lingerMs,
    maxBatch: config.intake.maxBatch,
    budget,
    // At the cap, forwarded rows go first (oldest first), whatever their retention.
    makeRoom: () => store.pruneSent(new Date(), 10_000),
    onCommitted: (result) => alerts.enqueue(result.touched),
  });
  const rules = {
    storeId: config.storeId,
    limits: {
      maxBytes: config.intake.maxPayloadBytes,
      futureToleranceMs: config.intake.futureToleranceMs,
      maxAgeMs: config.intake.maxAgeMs,
    },
    catalog: config.intake.catalogFile === null ? null : readCatalog(config.intake.catalogFile),
  };
  const intakeLog = log.child({ component: 'intake' });
  const feedback = new FeedbackIntake(store, config.storeId, log.child({ component: 'feedback' }), steering);
  const makeIntake = (reply: ReplySink) => new PosIntake(rules, commit, reply, intakeLog);
  const zReports = new ZReportIntake(commit, config.storeId, rules.limits, log.child({ component: 'z-reports' }));
  const embedded =
    config.mqtt.mode === 'embedded'
      ? await startEmbeddedBroker(
          { storeId: config.storeId, ...config.mqtt },
          makeIntake,
          feedback,
          zReports,
          intakeLog,
        )
      : null;
  const broker: MqttIntake =
    embedded ??
    (await startExternalBroker(
      externalBrokerOptions(config.storeId, config.mqtt as Extract<EdgeConfig['mqtt'], { mode: 'external' }>),
      makeIntake,
      feedback,
      zReports,
      intakeLog,
    ));
  publishAlert = (topic, payload) => broker.publishAlert(topic, payload);
  // The embedded broker keeps retained messages in memory: after a restart, displays must still see
  // every open alert.
  for (const open of store.currentOpenAlerts()) {
    await publishAlert(mqttTopics.alert(config.storeId, open.sku), JSON.stringify(open));
  }
  forwarder.start();

  const status = (): AgentStatus => {
    const backlog = store.backlog();
    const oldestMs = backlog.oldestReceivedAt === null ? null : Date.parse(backlog.oldestReceivedAt);
    return {
      store_id: config.storeId,
      agent_version: agentVersion,
      started_at: startedAt,
      health: oldestMs !== null && Date.now() - oldestMs > degradedAfterMs ? 'degraded' : 'ok',
      backlog: { events: backlog.events, oldest_unsent_at: backlog.oldestReceivedAt, oldest_seq: backlog.oldestSeq },
      last_forward_at: store.lastForwardAt(),
      model: { name: scorer.name, version: scorer.version },
      intake: {
        ...broker.intake.counters,
        commits: commit.commits,
        terminal_faults: { ...broker.intake.terminalFaults },
      },
      dedupe: dedupeStatus(),
      sequence_gaps: sequenceGaps(),
      z_reports: { ...zReports.counters, recent: store.recentZReports(recentCount) },
      terminals: latestEpochs(store.terminalEpochs()),
      disk: diskStatus(),
      memory: { rss_bytes: process.memoryUsage.rss(), heap_used_bytes: process.memoryUsage().heapUsed },
      model_update: updater?.status() ?? null,
      alert_levels: {
        raise_above: levels.raiseAbove,
        raise_hidden_empty_above: levels.raiseHiddenEmptyAbove,
        clear_below: levels.clearBelow,
        hidden_empty_steering: steered ? store.levelSteering() : null,
      },
      alerts_open: store.openAlerts(),
      recent_alerts: store.recentAlerts(recentCount),
      rejects_total: store.rejectsTotal(),
      recent_rejects: store.recentRejects(recentCount).map(({ payload: _payload, ...row }) => row),
    };
  };
  const heartbeats = startHeartbeats(
    link,
    config.heartbeat.intervalMs,
    (): Heartbeat => {
      const current = status();
      return {
        schema: 1,
        store_id: config.storeId,
        agent_version: agentVersion,
        sent_at: new Date().toISOString(),
        started_at: startedAt,
        backlog_events: current.backlog.events,
        oldest_unsent_at: current.backlog.oldest_unsent_at,
        last_forward_at: current.last_forward_at,
        model_name: scorer.name,
        model_version: scorer.version,
        disk_used_bytes: current.disk.used_bytes,
        rejects_total: current.rejects_total,
        alerts_open: current.alerts_open,
        sequence_gaps: gapSummary(current.sequence_gaps),
        ...(current.model_update === null ? {} : { model_update: current.model_update }),
      };
    },
    log.child({ component: 'heartbeat' }),
  );
  // Gap detection walks every remembered identity of each terminal's epoch: at most every status.gapRefreshMs.
  let gapsCache: { at: number; gaps: AgentStatus['sequence_gaps'] } = { at: 0, gaps: [] };
  const sequenceGaps = (): AgentStatus['sequence_gaps'] => {
    if (Date.now() - gapsCache.at >= config.status.gapRefreshMs) {
      const gaps = store.sequenceGaps().map((gap) => ({
        terminal_id: gap.terminalId,
        epoch: gap.epoch,
        from_seq: gap.fromSeq,
        to_seq: gap.toSeq,
        open_since: gap.openSince,
      }));
      gapsCache = { at: Date.now(), gaps };
    }
    return gapsCache.gaps;
  };
  const diskStatus = (): AgentStatus['disk'] => {
    const usage = store.diskUsage();
    const dropped = store.dropped();
    return {
      used_bytes: DiskBudget.used(usage),
      cap_bytes: config.disk.capBytes,
      db_bytes: usage.dbBytes,
      wal_bytes: usage.walBytes,
      live_bytes: usage.liveBytes,
      rejects_dropped: dropped.rejects,
      alerts_dropped: dropped.alerts,
    };
  };
  let identitiesEvicted = 0;
  let identityBytes: number | null = null;
  const dedupeStatus = (): AgentStatus['dedupe'] => {
    const identities = store.identities();
    return {
      identities: identities.count,
      bytes: identityBytes,
      max_bytes: config.dedupe.maxBytes,
      retention_days: config.dedupe.retentionDays,
      oldest_received_at: identities.oldestReceivedAt,
      evicted: identitiesEvicted,
    };
  };
  const pruner = setInterval(() => {
    const pruned = store.pruneSent(new Date(Date.now() - config.disk.sentRetentionMs), 10_000);
    if (pruned > 0) log.debug({ pruned }, 'pruned forwarded rows past retention');
    const identityCutoff = new Date(Date.now() - config.dedupe.retentionDays * 86_400_000);
    const { expired, evicted, bytes } = store.pruneIdentities(identityCutoff, config.dedupe.maxBytes, 100_000);
    identitiesEvicted += evicted;
    identityBytes = bytes;
    const alertsPruned = store.pruneAlerts(config.disk.maxAlerts);
    if (alertsPruned > 0) log.info({ alertsPruned, maxAlerts: config.disk.maxAlerts }, 'pruned the oldest alerts');
    if (evicted > 0) {
      log.warn(
        { evicted, maxBytes: config.dedupe.maxBytes },
        'dedupe memory over dedupe.maxBytes: forgot the oldest event identities before dedupe.retentionDays; raise dedupe.maxBytes',
      );
    } else if (expired > 0) log.debug({ expired }, 'forgot event identities past dedupe.retentionDays');
  }, config.disk.pruneIntervalMs);
  pruner.unref();
  const statusServer: Server = await startStatusServer(config.status.host, config.status.port, status);
  const address = statusServer.address();
  log.info({ status: address, mqttMode: config.mqtt.mode }, 'edge agent started');

  return {
    mqttPort: embedded?.port ?? null,
    mqttTlsPort: embedded?.tlsPort ?? null,
    statusPort: typeof address === 'object' && address !== null ? address.port : config.status.port,
    status,
    alertsIdle: () => alerts.idle(),
    async stop() {
      clearInterval(pruner);
      heartbeats.stop();
      await new Promise<void>((resolve) => statusServer.close(() => resolve()));
      await broker.close();
      commit.stop();
      await alerts.idle();
      await forwarder.stop();
      await updater?.stop();
      store.close();
      log.info('edge agent stopped');
      root.flush();
    },
  };
}

/** The heartbeat's summary of the open sequence gaps (the ranges themselves are in GET /status). */
function gapSummary(gaps: AgentStatus['sequence_gaps']): NonNullable<Heartbeat['sequence_gaps']> {
  const since = gaps.map((gap) => gap.open_since).sort();
  return {
    open: gaps.length,
    missing_events: gaps.reduce((sum, gap) => sum + gap.to_seq - gap.from_seq + 1, 0),
    oldest_open_since: since[0] ?? null,
  };
}

function externalBrokerOptions(storeId: string, mqtt: Extract<EdgeConfig['mqtt'], { mode: 'external' }>) {
  return { storeId, ...mqtt, clientId: mqtt.clientId ?? `${defaults.mqtt.clientIdPrefix}-${storeId}` };
}

/** The numbering run each terminal is in now (the full history is EdgeStore.terminalEpochs). */
function latestEpochs(epochs: readonly TerminalEpoch[]): AgentStatus['terminals'] {
  const latest = new Map<string, TerminalEpoch>();
  for (const epoch of epochs) latest.set(epoch.terminalId, epoch);
  return [...latest.values()].map((epoch) => ({
    terminal_id: epoch.terminalId,
    epoch: epoch.epoch,
    first_seq: epoch.firstSeq,
    high_seq: epoch.highSeq,
    events: epoch.events,
    opened_by: epoch.openedBy,
    last_seen_at: epoch.lastSeenAt,
  }));
}

function readCatalog(file: string): Set<string> {
  const skus = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  return new Set(skus);
}
