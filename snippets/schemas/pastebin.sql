-- Pastebin: who owns which paste. The paste's text lives in object storage;
-- the database keeps only what is needed to find and expire it.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE pastes (
    id          TEXT PRIMARY KEY,               -- the short encoded key, e.g. 'aZ3x9Q'
    user_id     INTEGER REFERENCES users (id),  -- NULL for anonymous pastes
    object_key  TEXT NOT NULL,                  -- the text's key in the private bucket (here the paste ID);
                                                -- a key, not a URL: presigned URLs expire within minutes
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP                       -- NULL: keep forever
);

CREATE INDEX pastes_by_user ON pastes (user_id);
