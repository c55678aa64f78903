-- What each alert asked staff to do (issue 16): kind = hidden_empty | will_run_out, why = the evidence
-- in words, as the display showed it. Read by the ops dashboard's live alerts and by training, which
-- joins staff feedback to the alert it answers. Alerts from before this migration keep ''.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS kind LowCardinality(String) DEFAULT '' AFTER state,
    ADD COLUMN IF NOT EXISTS why String DEFAULT '' AFTER kind
