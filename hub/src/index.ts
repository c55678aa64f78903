// The hub's public surface for the local stack, tests and benchmarks.
export { type ApiDeps, buildApi } from './api/app.ts';
export { authOptionsFrom } from './auth/auth-options.ts';
export { type AuthOptions, sessionCookieName } from './auth/auth-routes.ts';
export { hashPassword } from './auth/password-hash.ts';
export type { DashboardRole, DashboardUser } from './auth/roles.ts';
export { UserFile } from './auth/user-file.ts';
export { biAccessStatements, rowFilter } from './bi/bi-access-sql.ts';
export { type BiRefreshResult, defaultBiRefresh, refreshBi } from './bi/bi-refresh.ts';
export { dashboardMeasures } from './bi/dashboard-measures.ts';
export { importDimensions } from './bi/dimension-import.ts';
export { powerBiRoles } from './bi/power-bi-roles.ts';
export { type ClickHouseClient, createClickHouse } from './clickhouse.ts';
export { type HubConfig, type HubConfigInput, hubConfigSchema, loadHubConfig } from './config.ts';
export { consumerLag, type GroupLag } from './fleet/consumer-lag.ts';
export { allHubParts, type HubParts, type RunningHub, startHub } from './hub.ts';
export { ensureHubTopics } from './hub-topics-setup.ts';
export { clickhouseTopics, lakeTopics, TopicNames } from './ingest/hub-topics.ts';
export { migrate } from './migrate.ts';
