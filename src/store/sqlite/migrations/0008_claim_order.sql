-- Nothing to do on SQLite: its items_claim already yields rows tied on (priority, available_at)
-- in seq order, because every SQLite index ends with the rowid (seq). PostgreSQL's 0008 adds
-- seq to its items_claim to get the same order (see postgres/migrations/0008_claim_order.sql).
SELECT 1;
