-- Power BI date dimension, 2020-01-01 to 2040-12-31, computed (a view over numbers(): nothing to
-- load or refresh). date_key = YYYYMMDD Int32, the key every fact carries; days are UTC days, like
-- every hub aggregate. Fiscal year starts on 1 February (the retail convention): fiscal_year is the
-- calendar year it starts in, fiscal_period 1-12 counts months from February. Weeks are ISO weeks
-- starting Monday. Read by every dashboard (revenue vs last week, today's stock-outs, trends).
-- Holidays come in as one Map by a scalar subquery, not a join: a LEFT JOIN here would turn
-- holiday_name Nullable under the BI profile's join_use_nulls = 1.
CREATE VIEW IF NOT EXISTS dim_date AS
WITH (SELECT CAST(groupArray((date, holiday_name)), 'Map(Date, String)') FROM calendar_holidays) AS holidays
SELECT
    toInt32(toYYYYMMDD(d)) AS date_key,
    d AS date,
    toInt32(toYear(d)) AS year,
    toInt32(toMonth(d)) AS month,
    formatDateTime(d, '%Y-%m') AS year_month,
    toInt32(toISOYear(d)) AS iso_year,
    toInt32(toISOWeek(d)) AS iso_week,
    toMonday(d) AS week_start,
    toInt32(toDayOfWeek(d)) AS weekday_number,
    dateName('weekday', d) AS weekday_name,
    toInt8(toDayOfWeek(d) >= 6) AS is_weekend,
    toInt32(if(toMonth(d) >= 2, toYear(d), toYear(d) - 1)) AS fiscal_year,
    toInt32(if(toMonth(d) >= 2, toMonth(d) - 1, 12)) AS fiscal_period,
    toInt8(mapContains(holidays, d)) AS is_holiday,
    holidays[d] AS holiday_name
FROM (SELECT toDate('2020-01-01') + toIntervalDay(number) AS d FROM numbers(7671))
