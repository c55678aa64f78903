-- Public holidays the chain trades around (imported with `import-dimensions --holidays`). Read by the
-- dim_date view (is_holiday, holiday_name) that every Power BI dashboard slices by. One row per day.
CREATE TABLE IF NOT EXISTS calendar_holidays
(
    date Date,
    holiday_name String
)
ENGINE = ReplacingMergeTree
ORDER BY date
