-- Color picker: users, the colours they can pick, each user's favourite list and
-- who may view it. In production the same data lives in a document store
-- (snippets/documents/color_picker/); this is its relational model, which the tests
-- run and check the documents against.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,                 -- where a shared list's link is sent; unique through user_emails
    created_at  TIMESTAMP NOT NULL
);

-- Email -> user. The users collection is sharded by user ID, where MongoDB cannot enforce a
-- unique email (a unique index must start with the shard key) and a lookup by email would ask
-- every shard. This collection is sharded by email, its _id: sign-up inserts here first, so a
-- second account with the same address fails, and a share looks the address up on one shard.
-- The foreign key is checked at commit, so this model allows that order too. In MongoDB,
-- with no transaction across the two shards, a sign-up that dies between the inserts leaves
-- a claim with no user: its retry carries the same user ID and finds its own claim, and a
-- nightly job deletes claims a day old whose user never appeared.
CREATE TABLE user_emails (
    email    TEXT PRIMARY KEY,
    user_id  INTEGER NOT NULL UNIQUE REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE colors (
    id        INTEGER PRIMARY KEY,
    hex_code  TEXT NOT NULL UNIQUE
              CHECK (length(hex_code) = 7 AND hex_code GLOB '#[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
    name      TEXT                             -- 'Dodger blue'; NULL for a colour picked freely
);

-- The join table: one row per colour in a user's favourite list, so that users and
-- colors are many-to-many. One list per user: the owner's ID identifies the list.
CREATE TABLE favorite_list (
    user_id   INTEGER NOT NULL REFERENCES users (id),
    color_id  INTEGER NOT NULL REFERENCES colors (id),
    position  INTEGER NOT NULL,                -- the order the owner arranged
    added_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, color_id),
    UNIQUE (user_id, position)
);

-- The access control list: one row per (owner, viewer) pair. The owner always sees
-- their own list; anyone else needs a row here.
CREATE TABLE permissions (
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    viewer_id   INTEGER NOT NULL REFERENCES users (id),
    granted_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_id, viewer_id),         -- "who may view X's list?" reads this key
    CHECK (owner_id <> viewer_id)
);

CREATE INDEX permissions_by_viewer ON permissions (viewer_id);  -- "which lists were shared with me?"
