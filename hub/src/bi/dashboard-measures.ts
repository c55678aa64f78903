// The seed dashboards' measures: the DAX an analyst writes in the Power BI model and the ClickHouse
// SQL it folds to in DirectQuery (star joins, filters on dimensions, no FINAL). One list, read by the
// fixed-dataset test (hand-computed answers), the bi-directquery benchmark and the generator of
// docs/powerbi/measures.md, so the three never disagree. Parameters: {from:Int32} / {to:Int32} are the
// date_key range of the report's date slicer, {today:Int32} the report date, {store:String} the
// store-manager page's store. Days of cover use the 7 days ending at {today}: {weekStart:Int32}.

export interface DashboardMeasure {
  name: string;
  dashboard: 'executive' | 'store manager' | 'inventory analyst' | 'ML model performance' | 'alerts';
  dax: string;
  sql: string;
}

const salesInRange = `FROM fact_sales AS f
  INNER JOIN dim_date AS d ON f.date_key = d.date_key
  INNER JOIN dim_store AS s ON f.store_key = s.store_key
  WHERE d.date_key BETWEEN {from:Int32} AND {to:Int32}`;

/** Per store-SKU on {today}: on hand, lead time, units sold in the 7 days to {today}. */
const coverToday = `SELECT i.store_key AS store_key, i.product_key AS product_key, i.on_hand_units AS on_hand,
         p.lead_time_days AS lead_time, p.category AS category, p.supplier_id AS supplier_id,
         ifNull(w.units, 0) AS units_7d, if(units_7d > 0, i.on_hand_units / (units_7d / 7), inf) AS cover_days
  FROM fact_inventory AS i
  INNER JOIN dim_product AS p ON i.product_key = p.product_key
  INNER JOIN dim_store AS s ON i.store_key = s.store_key
  LEFT JOIN (SELECT store_key, product_key, sum(units_sold) AS units FROM fact_inventory
             WHERE date_key BETWEEN {weekStart:Int32} AND {today:Int32} GROUP BY store_key, product_key) AS w
    ON w.store_key = i.store_key AND w.product_key = i.product_key
  WHERE i.date_key = {today:Int32}`;

export const dashboardMeasures: DashboardMeasure[] = [
  {
    name: 'Net sales',
    dashboard: 'executive',
    dax: 'Net Sales = SUM ( fact_sales[net_amount] )',
    sql: `SELECT round(sum(f.net_amount), 2) AS value ${salesInRange}`,
  },
  {
    name: 'Net sales vs same day last week',
    dashboard: 'executive',
    dax: `Net Sales LW = CALCULATE ( [Net Sales], DATEADD ( dim_date[date], -7, DAY ) )
Net Sales vs LW % = DIVIDE ( [Net Sales] - [Net Sales LW], [Net Sales LW] )`,
    sql: `SELECT round(sumIf(f.net_amount, d.date_key = {today:Int32}), 2) AS this_week,
         round(sumIf(f.net_amount, d.date = toDate(toString({today:Int32})) - 7), 2) AS last_week,
         round(this_week / last_week - 1, 6) AS value
  FROM fact_sales AS f INNER JOIN dim_date AS d ON f.date_key = d.date_key
  INNER JOIN dim_store AS s ON f.store_key = s.store_key
  WHERE d.date IN (toDate(toString({today:Int32})), toDate(toString({today:Int32})) - 7)`,
  },
  {
    name: 'Stock value',
    dashboard: 'executive',
    dax: `Stock Value = CALCULATE ( SUM ( fact_inventory[stock_value] ), LASTDATE ( dim_date[date] ) )`,
    sql: `SELECT round(sum(i.stock_value), 2) AS value FROM fact_inventory AS i
  INNER JOIN dim_date AS d ON i.date_key = d.date_key INNER JOIN dim_store AS s ON i.store_key = s.store_key
  WHERE d.date_key = {today:Int32}`,
  },
  {
    name: 'Stock-outs today',
    dashboard: 'executive',
    dax: `Stock-outs Today = CALCULATE ( COUNTROWS ( fact_inventory ), fact_inventory[stockout_minutes] > 0,
    dim_date[date] = TODAY () )`,
    sql: `SELECT count() AS value FROM fact_inventory AS i
  INNER JOIN dim_date AS d ON i.date_key = d.date_key INNER JOIN dim_store AS s ON i.store_key = s.store_key
  WHERE d.date_key = {today:Int32} AND i.stockout_minutes > 0`,
  },
  {
    name: 'Inventory turnover',
    dashboard: 'executive',
    dax: `Inventory Turnover = DIVIDE ( [Net Sales],
    AVERAGEX ( VALUES ( dim_date[date_key] ), CALCULATE ( SUM ( fact_inventory[stock_value] ) ) ) )`,
    sql: `SELECT round((SELECT sum(f.net_amount) ${salesInRange})
       / (SELECT avg(v) FROM (SELECT d.date_key, sum(i.stock_value) AS v FROM fact_inventory AS i
          INNER JOIN dim_date AS d ON i.date_key = d.date_key INNER JOIN dim_store AS s ON i.store_key = s.store_key
          WHERE d.date_key BETWEEN {from:Int32} AND {to:Int32} GROUP BY d.date_key)), 6) AS value`,
  },
  {
    name: 'Inventory by category',
    dashboard: 'store manager',
    dax: `On Hand Units = CALCULATE ( SUM ( fact_inventory[on_hand_units] ), LASTDATE ( dim_date[date] ) )
-- visual: dim_product[category] x [On Hand Units], [Stock Value]`,
    sql: `SELECT p.category AS category, sum(i.on_hand_units) AS on_hand, round(sum(i.stock_value), 2) AS stock_value
  FROM fact_inventory AS i INNER JOIN dim_product AS p ON i.product_key = p.product_key
  INNER JOIN dim_store AS s ON i.store_key = s.store_key
  WHERE i.date_key = {today:Int32} AND s.store_id = {store:String}
  GROUP BY p.category ORDER BY p.category`,
  },
  {
    name: 'Low stock',
    dashboard: 'store manager',
    dax: `Units Sold 7d = CALCULATE ( SUM ( fact_inventory[units_sold] ), DATESINPERIOD ( dim_date[date], MAX ( dim_date[date] ), -7, DAY ) )
Days of Cover = DIVIDE ( [On Hand Units], [Units Sold 7d] / 7 )
Low Stock SKUs = COUNTROWS ( FILTER ( VALUES ( dim_product[product_key] ),
    [On Hand Units] <= 0 || [Days of Cover] < MAX ( dim_product[lead_time_days] ) ) )`,
    sql: `SELECT count() AS value FROM (${coverToday} AND s.store_id = {store:String})
  WHERE on_hand <= 0 OR cover_days < lead_time`,
  },
  {
    name: 'Sales vs target',
    dashboard: 'store manager',
    dax: `Sales Target = SUMX ( dim_store, dim_store[daily_sales_target] ) * COUNTROWS ( dim_date )
Sales vs Target % = DIVIDE ( [Net Sales], [Sales Target] )`,
    sql: `SELECT round((SELECT sum(f.net_amount) ${salesInRange} AND s.store_id = {store:String})
       / ((SELECT sum(daily_sales_target) FROM dim_store WHERE store_id = {store:String})
          * (SELECT count() FROM dim_date WHERE date_key BETWEEN {from:Int32} AND {to:Int32})), 6) AS value`,
  },
  {
    name: '7-day forecast with band',
    dashboard: 'store manager',
    dax: `Forecast Units = SUM ( fact_ml_predictions[predicted_units] )
Forecast Low = SUM ( fact_ml_predictions[predicted_low] )
Forecast High = SUM ( fact_ml_predictions[predicted_high] )
-- filter: fact_ml_predictions[forecast_date_key] = latest, dim_date[date] in the next 7 days`,
    sql: `SELECT d.date AS date, round(sum(m.predicted_units), 4) AS forecast, round(sum(m.predicted_low), 4) AS low,
         round(sum(m.predicted_high), 4) AS high
  FROM fact_ml_predictions AS m INNER JOIN dim_date AS d ON m.date_key = d.date_key
  INNER JOIN dim_store AS s ON m.store_key = s.store_key
  WHERE m.forecast_date_key = {today:Int32} AND d.date_key > {today:Int32} AND s.store_id = {store:String}
  GROUP BY d.date ORDER BY d.date`,
  },
  {
    name: 'Recommended reorders',
    dashboard: 'store manager',
    dax: `Recommended Order Units = CALCULATE ( SUM ( fact_inventory[recommended_order_units] ), LASTDATE ( dim_date[date] ) )`,
    sql: `SELECT sum(i.recommended_order_units) AS value FROM fact_inventory AS i
  INNER JOIN dim_store AS s ON i.store_key = s.store_key
  WHERE i.date_key = {today:Int32} AND s.store_id = {store:String}`,
  },
  {
    name: 'Risk traffic light',
    dashboard: 'store manager',
    dax: `Open Alerts = CALCULATE ( SUM ( fact_alerts[is_raised] ) - ( SUM ( fact_alerts[alert_count] ) - SUM ( fact_alerts[is_raised] ) ) )
Risk Light = SWITCH ( TRUE (), [On Hand Units] <= 0 || [Open Alerts] > 0, "red",
    [Days of Cover] < MAX ( dim_product[lead_time_days] ), "amber", "green" )`,
    sql: `SELECT countIf(light = 'red') AS red, countIf(light = 'amber') AS amber, countIf(light = 'green') AS green FROM (
  SELECT multiIf(c.on_hand <= 0 OR ifNull(a.open, 0) > 0, 'red', c.cover_days < c.lead_time, 'amber', 'green') AS light
  FROM (${coverToday} AND s.store_id = {store:String}) AS c
  LEFT JOIN (SELECT store_key, product_key, sum(is_raised) - (sum(alert_count) - sum(is_raised)) AS open
             FROM fact_alerts WHERE date_key <= {today:Int32} GROUP BY store_key, product_key) AS a
    ON a.store_key = c.store_key AND a.product_key = c.product_key)`,
  },
  {
    name: 'Aging (days since last sale)',
    dashboard: 'inventory analyst',
    dax: `Avg Days Since Last Sale = CALCULATE ( AVERAGE ( fact_inventory[days_since_last_sale] ), LASTDATE ( dim_date[date] ) )`,
    sql: `SELECT round(avg(i.days_since_last_sale), 6) AS value FROM fact_inventory AS i
  INNER JOIN dim_store AS s ON i.store_key = s.store_key
  WHERE i.date_key = {today:Int32} AND s.store_id = {store:String}`,
  },
  {
    name: 'Slow movers',
    dashboard: 'inventory analyst',
    dax: `Slow Movers = COUNTROWS ( FILTER ( CROSSJOIN ( VALUES ( dim_store[store_key] ), VALUES ( dim_product[product_key] ) ),
    [On Hand Units] > 0 && [Units Sold 7d] = 0 ) )`,
    sql: `SELECT count() AS value FROM (${coverToday}) WHERE on_hand > 0 AND units_7d = 0`,
  },
  {
    name: 'Overstock vs understock',
    dashboard: 'inventory analyst',
    dax: `Understock SKUs = COUNTROWS ( FILTER ( ..., [On Hand Units] <= 0 || [Days of Cover] < MAX ( dim_product[lead_time_days] ) ) )
Overstock SKUs = COUNTROWS ( FILTER ( ..., [On Hand Units] > 0 && ( [Units Sold 7d] = 0 || [Days of Cover] > 28 ) ) )`,
    sql: `SELECT countIf(on_hand <= 0 OR cover_days < lead_time) AS understock,
         countIf(on_hand > 0 AND cover_days > 28) AS overstock FROM (${coverToday})`,
  },
  {
    name: 'Supplier performance',
    dashboard: 'inventory analyst',
    dax: `Units Received = SUM ( fact_inventory[units_received] )
Stock-out Minutes = SUM ( fact_inventory[stockout_minutes] )
-- visual: dim_product[supplier_id] x [Units Received], [Stock-out Minutes]`,
    sql: `SELECT p.supplier_id AS supplier_id, sum(i.units_received) AS received, sum(i.stockout_minutes) AS stockout_minutes
  FROM fact_inventory AS i INNER JOIN dim_product AS p ON i.product_key = p.product_key
  INNER JOIN dim_date AS d ON i.date_key = d.date_key INNER JOIN dim_store AS s ON i.store_key = s.store_key
  WHERE d.date_key BETWEEN {from:Int32} AND {to:Int32}
  GROUP BY p.supplier_id ORDER BY p.supplier_id`,
  },
  {
    name: 'ABC classes',
    dashboard: 'inventory analyst',
    dax: `-- dim_product[abc_class] is a column (90-day net sales, refreshed by bi_prep); visual: class x [Net Sales]`,
    sql: `SELECT p.abc_class AS abc_class, count() AS skus FROM dim_product AS p GROUP BY p.abc_class ORDER BY p.abc_class`,
  },
  {
    name: 'Forecast accuracy (MAPE, WAPE, RMSE, bias)',
    dashboard: 'ML model performance',
    dax: `MAPE = AVERAGEX ( FILTER ( fact_ml_predictions, fact_ml_predictions[has_actual] = 1 && fact_ml_predictions[actual_units] > 0 ),
    fact_ml_predictions[abs_error_units] / fact_ml_predictions[actual_units] )
WAPE = DIVIDE ( CALCULATE ( SUM ( fact_ml_predictions[abs_error_units] ), fact_ml_predictions[has_actual] = 1 ),
    CALCULATE ( SUM ( fact_ml_predictions[actual_units] ), fact_ml_predictions[has_actual] = 1 ) )
RMSE = SQRT ( CALCULATE ( AVERAGE ( fact_ml_predictions[squared_error_units] ), fact_ml_predictions[has_actual] = 1 ) )
Bias = DIVIDE ( CALCULATE ( SUM ( fact_ml_predictions[error_units] ), fact_ml_predictions[has_actual] = 1 ),
    CALCULATE ( SUM ( fact_ml_predictions[actual_units] ), fact_ml_predictions[has_actual] = 1 ) )`,
    sql: `SELECT round(avgIf(m.abs_error_units / m.actual_units, m.actual_units > 0), 6) AS mape,
         round(sum(m.abs_error_units) / sum(m.actual_units), 6) AS wape,
         round(sqrt(avg(m.squared_error_units)), 6) AS rmse, round(sum(m.error_units) / sum(m.actual_units), 6) AS bias
  FROM fact_ml_predictions AS m INNER JOIN dim_date AS d ON m.date_key = d.date_key
  INNER JOIN dim_store AS s ON m.store_key = s.store_key
  WHERE m.has_actual = 1 AND d.date_key BETWEEN {from:Int32} AND {to:Int32}`,
  },
  {
    name: 'Predicted vs actual',
    dashboard: 'ML model performance',
    dax: `Predicted Units = CALCULATE ( SUM ( fact_ml_predictions[predicted_units] ), fact_ml_predictions[has_actual] = 1 )
Actual Units = CALCULATE ( SUM ( fact_ml_predictions[actual_units] ), fact_ml_predictions[has_actual] = 1 )`,
    sql: `SELECT round(sum(m.predicted_units), 4) AS predicted, round(sum(m.actual_units), 4) AS actual
  FROM fact_ml_predictions AS m INNER JOIN dim_date AS d ON m.date_key = d.date_key
  INNER JOIN dim_store AS s ON m.store_key = s.store_key
  WHERE m.has_actual = 1 AND d.date_key BETWEEN {from:Int32} AND {to:Int32}`,
  },
  {
    name: 'Prediction drift (week over week)',
    dashboard: 'ML model performance',
    dax: `Mean Prediction = AVERAGE ( fact_ml_predictions[predicted_units] )
Prediction Drift = DIVIDE ( [Mean Prediction],
    CALCULATE ( [Mean Prediction], fact_ml_predictions[forecast_date_key] <= MAX ( fact_ml_predictions[forecast_date_key] ) - 7 ) ) - 1
-- sliced by the forecast week (dim_date over forecast_date_key)`,
    sql: `SELECT round(avgIf(m.predicted_units, m.forecast_date_key > {weekStart:Int32})
       / avgIf(m.predicted_units, m.forecast_date_key <= {weekStart:Int32}) - 1, 6) AS value
  FROM fact_ml_predictions AS m INNER JOIN dim_store AS s ON m.store_key = s.store_key
  WHERE m.forecast_date_key BETWEEN {from:Int32} AND {to:Int32}`,
  },
  {
    name: 'Alerts table',
    dashboard: 'alerts',
    dax: `Alerts Raised = CALCULATE ( SUM ( fact_alerts[alert_count] ), fact_alerts[is_raised] = 1 )
-- table visual: fact_alerts[alerted_at], dim_store[store_name], dim_product[product_name], fact_alerts[state], fact_alerts[kind], fact_alerts[why], fact_alerts[risk]`,
    sql: `SELECT a.alerted_at AS alerted_at, s.store_name AS store_name, p.product_name AS product_name, a.state AS state,
         a.kind AS kind, a.why AS why, a.risk AS risk
  FROM fact_alerts AS a INNER JOIN dim_store AS s ON a.store_key = s.store_key
  INNER JOIN dim_product AS p ON a.product_key = p.product_key
  INNER JOIN dim_date AS d ON a.date_key = d.date_key
  WHERE d.date_key BETWEEN {from:Int32} AND {to:Int32}
  ORDER BY a.alerted_at DESC, a.alert_id LIMIT 1000`,
  },
];
