-- The rollout's own swap window (issue 10, hub/src/rollout/fleet-registry.ts) as JSON {from, to,
-- time_zone?}, or 'null' when each store's trading hours from the fleet registry apply. '' = a
-- rollout recorded before rollouts could name one.
ALTER TABLE rollouts ADD COLUMN IF NOT EXISTS swap_window String DEFAULT '' AFTER swap
