-- Chat service: users, friendships, groups, messages and presence.
-- The logical schema. Users, friends and groups live in the SQL database (PostgreSQL);
-- messages and receipts live in the wide-column chat store (Cassandra), partitioned by
-- conversation_id and clustered by seq; presence lives in Redis (who is online now)
-- with each user's last-seen time written behind to a key-value store.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL UNIQUE,
    avatar_url  TEXT,                 -- an object storage URL, served through the CDN
    created_at  TIMESTAMP NOT NULL
);

-- One row per friendship, stored once with the smaller id first: a friendship is
-- symmetric, so it cannot be half there. Users many-to-many users, through friends.
CREATE TABLE friends (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    friend_id   INTEGER NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, friend_id),
    CHECK (user_id < friend_id)
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    avatar_url  TEXT,
    created_at  TIMESTAMP NOT NULL
);

-- Groups many-to-many users, through group_members.
CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES groups (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    joined_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

-- A conversation is 'u:<low id>:<high id>' for two users, or 'g:<group id>' for a group.
-- seq numbers the messages of one conversation 1, 2, 3 ... in the order the chat
-- server stored them: that, not a wall clock, is the order every member sees.
CREATE TABLE messages (
    conversation_id  TEXT NOT NULL,
    seq              INTEGER NOT NULL CHECK (seq >= 1),
    id               BIGINT NOT NULL UNIQUE,         -- time-ordered (Snowflake) ID
    client_msg_id    TEXT NOT NULL,                  -- chosen by the sender's app: a retry is not a second message
    sender_id        INTEGER NOT NULL REFERENCES users (id),
    group_id         INTEGER REFERENCES groups (id), -- NULL for a one-to-one message
    body             BYTEA,                          -- end-to-end encrypted; the server cannot read it
    media_url        TEXT,                           -- an encrypted file in object storage, or NULL
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (sender_id, client_msg_id)
);

-- Sent, delivered and read are not stored per message: each member of a conversation
-- has two watermarks, "delivered up to seq n" and "read up to seq m".
CREATE TABLE receipts (
    conversation_id  TEXT NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    delivered_seq    INTEGER NOT NULL DEFAULT 0,
    read_seq         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id),
    CHECK (read_seq <= delivered_seq)
);

-- One row per user (1-to-1): the last time a heartbeat was seen. "Online" is not a
-- column: it is the presence key in Redis, which expires when the heartbeats stop.
CREATE TABLE presence (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id),
    last_seen_at  TIMESTAMP
);

CREATE INDEX friends_by_friend ON friends (friend_id, user_id);     -- "friends of X" reads both columns
CREATE INDEX group_members_by_user ON group_members (user_id);      -- "X's groups", at sign-in
