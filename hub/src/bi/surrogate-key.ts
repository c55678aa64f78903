/**
 * The star schema's surrogate key for a natural key (store_id, sku): the 63-bit cityHash64, as Int64.
 * Facts compute it in their materialized views without looking anything up, dimensions compute it
 * on load, and Power BI joins on Int64 equality (it reads UInt64 as Binary, so no unsigned keys).
 * The same expression is written out in sql/0042, 0043 and 0047; test/hub/bi-star-schema.test.ts
 * checks that every fact key finds its dimension row.
 */
export const surrogateKey = (naturalKeyColumn: string): string =>
  `toInt64(bitAnd(cityHash64(${naturalKeyColumn}), 9223372036854775807))`;
