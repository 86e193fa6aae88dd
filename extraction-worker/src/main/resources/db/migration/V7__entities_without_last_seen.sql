-- An entity's row is no longer rewritten by every chunk that mentions it: that update locked the
-- row until the chunk committed, so every chunk of a mailbox waited for the one before it on the
-- owner's, the organisation's and the day's rows. last_seen_at was that update's only effect and
-- nothing reads it.
ALTER TABLE entities DROP COLUMN IF EXISTS last_seen_at;
