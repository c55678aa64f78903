import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';

/** One parameterised SELECT as JSON rows; a ClickHouse failure becomes TG_HUB_CLICKHOUSE (retriable). */
export async function queryRows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  try {
    return await (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  } catch (error) {
    throw new HubError(hubErrorCodes.clickhouse, `dashboard query failed: ${(error as Error).message}`, {
      cause: error,
      canRetry: true,
    });
  }
}
