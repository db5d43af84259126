-- Exact list totals without counting the rows at every request: clusters by (tenant, state), hosts by
-- (host_class, state). Statement triggers append the change of each statement in its own transaction, as deltas
-- (rows are only inserted, so no writer waits on a shared counter); the hub folds them together now and then
-- (ListCounts). H2 keeps the same table with a Java row trigger (h2/V8__list_counts.sql).
create table list_counts (
  tbl varchar(20)  not null,
  k1  varchar(253) not null,
  k2  varchar(20)  not null,
  n   bigint       not null
);
create index list_counts_key on list_counts (tbl, k1, k2);

create function list_counts_clusters() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into list_counts (tbl, k1, k2, n) select 'clusters', tenant, state, count(*) from new_rows group by tenant, state;
  elsif tg_op = 'DELETE' then
    insert into list_counts (tbl, k1, k2, n) select 'clusters', tenant, state, -count(*) from old_rows group by tenant, state;
  elsif tg_op = 'UPDATE' then
    insert into list_counts (tbl, k1, k2, n)
    select 'clusters', k1, k2, sum(d) from (select tenant as k1, state as k2, -1 as d from old_rows
                                             union all select tenant, state, 1 from new_rows) x
    group by k1, k2 having sum(d) <> 0;
  else
    delete from list_counts where tbl = 'clusters';
  end if;
  return null;
end $$;

create function list_counts_hosts() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into list_counts (tbl, k1, k2, n) select 'hosts', host_class, state, count(*) from new_rows group by host_class, state;
  elsif tg_op = 'DELETE' then
    insert into list_counts (tbl, k1, k2, n) select 'hosts', host_class, state, -count(*) from old_rows group by host_class, state;
  elsif tg_op = 'UPDATE' then
    insert into list_counts (tbl, k1, k2, n)
    select 'hosts', k1, k2, sum(d) from (select host_class as k1, state as k2, -1 as d from old_rows
                                          union all select host_class, state, 1 from new_rows) x
    group by k1, k2 having sum(d) <> 0;
  else
    delete from list_counts where tbl = 'hosts';
  end if;
  return null;
end $$;

-- triggers first: they lock the tables against writes until this migration commits, so the counts taken below and
-- the deltas of later writes add up exactly
create trigger clusters_count_insert after insert on clusters referencing new table as new_rows
  for each statement execute function list_counts_clusters();
create trigger clusters_count_update after update on clusters referencing old table as old_rows new table as new_rows
  for each statement execute function list_counts_clusters();
create trigger clusters_count_delete after delete on clusters referencing old table as old_rows
  for each statement execute function list_counts_clusters();
create trigger clusters_count_truncate after truncate on clusters
  for each statement execute function list_counts_clusters();
create trigger hosts_count_insert after insert on hosts referencing new table as new_rows
  for each statement execute function list_counts_hosts();
create trigger hosts_count_update after update on hosts referencing old table as old_rows new table as new_rows
  for each statement execute function list_counts_hosts();
create trigger hosts_count_delete after delete on hosts referencing old table as old_rows
  for each statement execute function list_counts_hosts();
create trigger hosts_count_truncate after truncate on hosts
  for each statement execute function list_counts_hosts();

insert into list_counts (tbl, k1, k2, n) select 'clusters', tenant, state, count(*) from clusters group by tenant, state;
insert into list_counts (tbl, k1, k2, n) select 'hosts', host_class, state, count(*) from hosts group by host_class, state;
