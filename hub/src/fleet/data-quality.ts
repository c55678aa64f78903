import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';

/** A data-quality check that failed for a store in its latest run (dq_results, written by Airflow). */
export interface FailingCheck {
  check: string;
  checkHour: string;
  detail: string;
}

// Latest hour of each check, then that hour's failed rows: a store flagged last hour and fine this
// hour is no longer failing. The hour's rows are one DAG run's (replace keeps one run per hour).
const failingQuery = `
SELECT store_id, check_name, toString(check_hour) AS check_hour, detail
FROM dq_results
WHERE (check_name, check_hour) IN (SELECT check_name, max(check_hour) FROM dq_results GROUP BY check_name)
  AND status = 'failed'
ORDER BY store_id, check_name`;

/** Failing checks by store, from each check's latest run. */
export async function failingChecks(client: ClickHouseClient): Promise<Map<string, FailingCheck[]>> {
  let rows: { store_id: string; check_name: string; check_hour: string; detail: string }[];
  try {
    rows = await (await client.query({ query: failingQuery, format: 'JSONEachRow' })).json();
  } catch (error) {
    throw new HubError(hubErrorCodes.clickhouse, 'cannot read dq_results', { cause: error, canRetry: true });
  }
  const byStore = new Map<string, FailingCheck[]>();
  for (const row of rows) {
    const checks = byStore.get(row.store_id) ?? [];
    checks.push({ check: row.check_name, checkHour: `${row.check_hour.replace(' ', 'T')}Z`, detail: row.detail });
    byStore.set(row.store_id, checks);
  }
  return byStore;
}
