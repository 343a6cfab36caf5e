-- Outbox sequence numbers in commit order. The outbox id is the event sequence number clients resume from
-- (`GET .../events?since=N`) and the real-time relay tails. With concurrent writers an identity value is taken at
-- INSERT time but becomes visible at COMMIT time, so a transaction holding id 6 could commit after one holding id 7:
-- a reader that has seen 7 would then skip 6 for ever. This statement-level trigger takes a transaction-scoped
-- advisory lock before any outbox row of a statement gets its id, and the lock is held until commit, so ids are
-- handed out and become visible in the same order. Writers only serialise on the short tail of their transactions
-- from their outbox insert to their commit.
CREATE FUNCTION gitmesh_outbox_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7160398712520114881);
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_outbox_events_commit_order
    BEFORE INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION gitmesh_outbox_commit_order();
