-- The trail in sixteen chains (core::audit, CHAINS): every entry gets its chain and its place in
-- it; the entries so far are chain 1 at their own numbers, their hashes unchanged. Each chain has
-- its head row, so writers to different chains do not wait for each other; an empty chain's head
-- is place 0 (its hash is the chain's genesis, computed by the code). The head's hash follows
-- the entry at the head's place only: rows copied in number order (onewindow copy) need not
-- come in place order, since a chain's next writer may have drawn its number earlier.
-- Checkpoints bind all heads at an instant into one Merkle root that can be published.
DROP TRIGGER audit_log_head_follows;
DROP TRIGGER audit_log_no_update;
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN link INTEGER NOT NULL DEFAULT 0;
UPDATE audit_log SET link = seq;
CREATE UNIQUE INDEX audit_log_chain_link ON audit_log(chain, link);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE audit_heads (
    chain INTEGER PRIMARY KEY CHECK (chain BETWEEN 1 AND 16),
    link  INTEGER NOT NULL,
    hash  TEXT    NOT NULL
);
INSERT INTO audit_heads (chain, link, hash) SELECT 1, seq, hash FROM audit_head WHERE id = 1;
INSERT INTO audit_heads (chain, link, hash) VALUES
    (2, 0, ''),
    (3, 0, ''),
    (4, 0, ''),
    (5, 0, ''),
    (6, 0, ''),
    (7, 0, ''),
    (8, 0, ''),
    (9, 0, ''),
    (10, 0, ''),
    (11, 0, ''),
    (12, 0, ''),
    (13, 0, ''),
    (14, 0, ''),
    (15, 0, ''),
    (16, 0, '');
DROP TABLE audit_head;

CREATE TRIGGER audit_log_head_follows AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_heads SET hash = NEW.hash WHERE chain = NEW.chain AND link = NEW.link;
END;

CREATE TABLE audit_checkpoints (
    id    INTEGER PRIMARY KEY,
    at    TEXT NOT NULL,
    root  TEXT NOT NULL,
    -- JSON: [{"chain", "link", "hash"}, …] in chain order
    heads TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_at ON audit_checkpoints(at);
