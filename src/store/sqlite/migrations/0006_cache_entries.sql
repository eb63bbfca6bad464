-- The artifact cache's index (src/cache): one row per cached URL of one named cache. `key` is the
-- sha256 of the URL (credentials included, so two logins never share an entry); `url` is the
-- URL with credentials masked, for people; the file lives at <dir>/ab/cd/<content_hash>, shared
-- by every entry with the same content. An entry is in use (never cleaned up) while
-- pins > 0 AND pinned_until > now: the pin is a lease, so a crashed reader's pin expires.
CREATE TABLE cache_entries (
  cache TEXT NOT NULL,
  key TEXT NOT NULL,
  url TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  content_type TEXT,
  created_at INTEGER NOT NULL,
  last_access_at INTEGER NOT NULL,
  pins INTEGER NOT NULL DEFAULT 0 CHECK (pins >= 0),
  pinned_until INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (cache, key)
) STRICT;

-- Retention and least-recently-used eviction read entries oldest access first.
CREATE INDEX cache_entries_lru ON cache_entries (cache, last_access_at, key);
-- Whether a file is still referenced by another entry once one is deleted.
CREATE INDEX cache_entries_content ON cache_entries (cache, content_hash);
