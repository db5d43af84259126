-- A delivery is inserted PENDING, leased (lease_owner, lease_until) and finished (state, next_attempt_at,
-- completed_at). Only pending deliveries are ever looked up by these two indexes (the claim walks the due ones in
-- order; the head-of-line check looks for an earlier pending delivery of the same subject), so they hold only
-- those: a finished delivery's row version then goes into the primary key and the unique (subscription, event)
-- index only, not into four. Free space on each page lets the lease, which changes no indexed column, be a HOT
-- update (no index entry at all).
drop index webhook_deliveries_next;
create index webhook_deliveries_next on webhook_deliveries (next_attempt_at, id) where next_attempt_at is not null;
drop index webhook_deliveries_order;
create index webhook_deliveries_pending on webhook_deliveries (subscription_id, subject, event_seq)
  where state = 'PENDING';
alter table webhook_deliveries set (fillfactor = 80);
