-- What each alert asked staff to do (issue 16's kind / why on alerts) in Power BI's alerts table: the
-- alerts dashboard lists them beside risk and state. Plain String (Power BI-safe); '' before it.
ALTER TABLE fact_alerts ADD COLUMN IF NOT EXISTS kind String DEFAULT '' AFTER is_raised,
    ADD COLUMN IF NOT EXISTS why String DEFAULT '' AFTER kind
