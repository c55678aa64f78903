-- The newest result of each report and side, right before background merges too: what Power BI
-- (DirectQuery cannot say FINAL) and the dashboard read.
CREATE VIEW IF NOT EXISTS reconciliation_latest AS
SELECT * FROM reconciliation FINAL
