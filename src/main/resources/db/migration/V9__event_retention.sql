-- Events are forgotten after the retention period (EventRetention): finds them by age.
create index events_occurred on events (occurred_at);
