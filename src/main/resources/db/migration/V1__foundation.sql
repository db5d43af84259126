-- Foundation schema: catalog, clusters, idempotency, the transactional outbox and the work queue.
-- Written once for H2 (PostgreSQL mode) and PostgreSQL: keep to the SQL both understand.

create table cluster_templates (
  id              varchar(100) not null,
  version         integer      not null,
  title           varchar(300) not null,
  deprecated      boolean      not null default false,
  body            text         not null,
  origin          varchar(20)  not null,
  created_at      timestamp with time zone not null,
  updated_at      timestamp with time zone not null,
  primary key (id, version)
);

create table clusters (
  id               varchar(40)  primary key,
  tenant           varchar(100) not null,
  name             varchar(100) not null,
  template_id      varchar(100) not null,
  template_version integer      not null,
  state            varchar(20)  not null,
  reason           varchar(100),
  version          bigint       not null,
  spec             text         not null,
  status           text         not null,
  labels           text         not null,
  annotations      text         not null,
  order_source     varchar(20)  not null,
  order_reference  varchar(200),
  created_at       timestamp with time zone not null,
  updated_at       timestamp with time zone not null,
  deleted_at       timestamp with time zone,
  expires_at       timestamp with time zone
);
create index clusters_tenant_created on clusters (tenant, created_at, id);
create index clusters_created on clusters (created_at, id);
create index clusters_state on clusters (state);

create table idempotency_keys (
  tenant        varchar(100) not null,
  idem_key      varchar(255) not null,
  request_hash  varchar(64)  not null,
  cluster_id    varchar(40)  not null,
  created_at    timestamp with time zone not null,
  primary key (tenant, idem_key)
);

-- Sequence numbers handed out under a row lock held until commit: events become visible in cursor order.
create table counters (
  name          varchar(50) primary key,
  counter_value bigint      not null
);
insert into counters (name, counter_value) values ('events', 0);

create table events (
  seq           bigint       primary key,
  id            varchar(40)  not null unique,
  type          varchar(120) not null,
  tenant        varchar(100),
  subject       varchar(100) not null,
  source        varchar(200) not null,
  occurred_at   timestamp with time zone not null,
  data          text         not null
);
create index events_tenant_seq on events (tenant, seq);

-- Work shared by replicas: claimed with a lease by a conditional update, so two replicas never hold one item.
create table work_items (
  kind          varchar(40)  not null,
  item_key      varchar(200) not null,
  due_at        timestamp with time zone not null,
  attempts      integer      not null default 0,
  generation    bigint       not null default 0,
  lease_owner   varchar(100),
  lease_until   timestamp with time zone,
  last_error    varchar(2000),
  primary key (kind, item_key)
);
create index work_items_due on work_items (kind, due_at);
