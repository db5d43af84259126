-- Exact list totals without counting the rows at every request (see pg/V8__list_counts.sql): on H2 a Java row
-- trigger (io.fulfillmenthub.store.ListCountsTrigger) appends the deltas in the writer's transaction.
create table list_counts (
  tbl varchar(20)  not null,
  k1  varchar(253) not null,
  k2  varchar(20)  not null,
  n   bigint       not null
);
create index list_counts_key on list_counts (tbl, k1, k2);

create trigger clusters_count after insert, update, delete on clusters for each row
  call "io.fulfillmenthub.store.ListCountsTrigger";
create trigger hosts_count after insert, update, delete on hosts for each row
  call "io.fulfillmenthub.store.ListCountsTrigger";

insert into list_counts (tbl, k1, k2, n) select 'clusters', tenant, state, count(*) from clusters group by tenant, state;
insert into list_counts (tbl, k1, k2, n) select 'hosts', host_class, state, count(*) from hosts group by host_class, state;
