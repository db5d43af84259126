-- The cluster lists show live clusters (state <> 'DELETED') in creation order, by tenant (tenant users) or all
-- (admins). A page is looked up id first (Db.pageById): with these partial indexes the page's keys come from an
-- index-only scan in list order, so a deep page (offset 4,000) skips index entries instead of reading every skipped
-- row from the table, and the count of live rows the index holds is what it costs.
create index clusters_live_by_tenant on clusters (tenant, created_at, id) where state <> 'DELETED';
create index clusters_live on clusters (created_at, id) where state <> 'DELETED';
