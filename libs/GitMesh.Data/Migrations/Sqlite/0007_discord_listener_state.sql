-- Discord gateway listener state shared by every DiscordListener instance: the per-bot lease (one gateway session
-- per bot), the resume state, and per-channel cursors (numeric snowflakes, so "keep the greater" is a number compare).

CREATE TABLE "discord_bot_leases" (
    "bot_id" TEXT NOT NULL CONSTRAINT "pk_discord_bot_leases" PRIMARY KEY,
    "owner_id" TEXT NOT NULL,
    "expires_at" TEXT NOT NULL,
    "acquired_at" TEXT NOT NULL
);

CREATE TABLE "discord_bot_sessions" (
    "bot_id" TEXT NOT NULL CONSTRAINT "pk_discord_bot_sessions" PRIMARY KEY,
    "session_id" TEXT NULL,
    "resume_gateway_url" TEXT NULL,
    "sequence" INTEGER NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE "discord_channel_cursors" (
    "bot_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "last_message_id" INTEGER NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "pk_discord_channel_cursors" PRIMARY KEY ("bot_id", "channel_id")
);
