-- Inventory: a mirror of the management hub's Agents (watch + periodic resync), with the hub's own states.
create table hosts (
  id            varchar(253) primary key,
  host_class    varchar(100) not null,
  state         varchar(20)  not null,
  cluster_id    varchar(40),
  node_set      varchar(60),
  hostname      varchar(253),
  bmc_address   varchar(500),
  bmh_name      varchar(253),
  reason        varchar(500),
  synced_at     timestamp with time zone not null,
  updated_at    timestamp with time zone not null
);
create index hosts_class_state on hosts (host_class, state);
create index hosts_cluster on hosts (cluster_id);
create index hosts_bmc on hosts (bmc_address);
create index hosts_hostname on hosts (hostname);

-- One row per host class: reservations of a class are serialised on its row lock (across replicas).
create table host_classes (
  name          varchar(100) primary key
);
