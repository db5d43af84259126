-- The webhook relay claims due deliveries in (next_attempt_at, id) order, in batches. Only a PENDING delivery keeps
-- a next_attempt_at (a delivered or failed one has none), so this index is in effect the list of due deliveries.
-- It replaces (state, next_attempt_at): with that one, a planner that thought few rows were PENDING (statistics
-- taken when the table was nearly empty) answered the claim's "nothing earlier pending for this subject" check by
-- walking every pending row for every candidate, quadratic in the backlog (30 s stalls at 10,000 pending).
-- Now that check can only use webhook_deliveries_order (subscription_id, subject, state, event_seq).
update webhook_deliveries set next_attempt_at = null where state <> 'PENDING';
drop index webhook_deliveries_due;
create index webhook_deliveries_next on webhook_deliveries (next_attempt_at, id);
