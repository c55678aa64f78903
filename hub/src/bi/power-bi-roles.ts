// Power BI roles (row-level security in the model): DAX filters on dim_store keyed by the viewer's
// UPN through bi_user_access, and the SQL predicate each folds to in DirectQuery. The gateway's one
// ClickHouse account cannot tell viewers apart (a connector cannot pass the viewer's identity to
// the database), so per-viewer filtering lives here; ClickHouse row policies only bound what each
// service account can read (deploy/clickhouse/bi-access.sql).

export interface PowerBiRole {
  name: string;
  /** The table filter DAX expression on dim_store. */
  dax: string;
  /** The predicate on dim_store (alias s) it folds to; {upn:String} is USERPRINCIPALNAME(). */
  sql: string;
}

export const powerBiRoles: PowerBiRole[] = [
  {
    name: 'Store manager',
    dax: `dim_store[store_id] IN CALCULATETABLE ( VALUES ( bi_user_access[store_id] ),
    bi_user_access[upn] = USERPRINCIPALNAME (), bi_user_access[access_level] = "store" )`,
    sql: `s.store_id IN (SELECT store_id FROM bi_user_access WHERE upn = {upn:String} AND access_level = 'store')`,
  },
  {
    name: 'Regional manager',
    dax: `dim_store[region] IN CALCULATETABLE ( VALUES ( bi_user_access[region] ),
    bi_user_access[upn] = USERPRINCIPALNAME (), bi_user_access[access_level] = "region" )`,
    sql: `s.region IN (SELECT region FROM bi_user_access WHERE upn = {upn:String} AND access_level = 'region')`,
  },
  {
    name: 'Executive',
    dax: `NOT ISEMPTY ( CALCULATETABLE ( bi_user_access,
    bi_user_access[upn] = USERPRINCIPALNAME (), bi_user_access[access_level] = "all" ) )`,
    sql: `(SELECT count() FROM bi_user_access WHERE upn = {upn:String} AND access_level = 'all') > 0`,
  },
];
