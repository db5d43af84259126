-- Lists answer with an exact `total`. These let the counts (and filtered pages) be index scans instead of reading
-- half the table: a tenant's live clusters (state <> 'DELETED') and hosts by class and state, in id order.
create index clusters_tenant_state on clusters (tenant, state, created_at, id);
create index hosts_class_state_id on hosts (host_class, state, id);
