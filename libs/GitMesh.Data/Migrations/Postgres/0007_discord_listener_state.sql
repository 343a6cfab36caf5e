-- Discord gateway listener state shared by every DiscordListener instance: the per-bot lease (one gateway session
-- per bot), the resume state, and per-channel cursors (numeric snowflakes, so "keep the greater" is a number compare).

CREATE TABLE discord_bot_leases (
    bot_id character varying(100) NOT NULL,
    owner_id character varying(200) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    acquired_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_discord_bot_leases PRIMARY KEY (bot_id)
);

CREATE TABLE discord_bot_sessions (
    bot_id character varying(100) NOT NULL,
    session_id character varying(200),
    resume_gateway_url character varying(500),
    sequence bigint,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_discord_bot_sessions PRIMARY KEY (bot_id)
);

CREATE TABLE discord_channel_cursors (
    bot_id character varying(100) NOT NULL,
    channel_id character varying(32) NOT NULL,
    last_message_id bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_discord_channel_cursors PRIMARY KEY (bot_id, channel_id)
);
