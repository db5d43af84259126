-- A delivery's lease (lease_owner, lease_until) changes no indexed column, so it can be a HOT update (no index entry)
-- when its page has room for the new row version. With V11's fillfactor 80 a page freshly filled by the fan-out had
-- room for about one lease in four (S5R: 6,400 HOT of 40,000 updates); the other three went to another page and into
-- all four indexes. Half of each page is kept free for them now (new pages only; existing ones as they are rewritten).
alter table webhook_deliveries set (fillfactor = 50);
