/**
 * ISO 8601 with any offset → ClickHouse DateTime64(3, 'UTC') text. JSONEachRow parses this form the
 * same on chDB and on a server whatever their date_time_input_format; the contract guarantees an offset.
 */
export function toClickHouseTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
