using System.Globalization;
using GitMesh.Connectors.Discord.Rest;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.Discord.Messages;

/// <summary>
/// Turns Discord messages into signal envelopes. ExternalId is "{channelId}/{messageId}": deletes only carry those two
/// ids, and together they rebuild the message URL.
/// </summary>
public static class DiscordMessageMapper
{
    private const int DefaultMessageType = 0;
    private const int ReplyMessageType = 19;
    private const int CrosspostFlag = 1 << 1;

    public static string ExternalId(string channelId, string messageId) => $"{channelId}/{messageId}";

    public static string MessageUrl(string? guildId, string channelId, string messageId) =>
        $"https://discord.com/channels/{guildId ?? "@me"}/{channelId}/{messageId}";

    /// <summary>
    /// A created or edited message; null when there is nothing to ingest: system messages (joins, pins, boosts…),
    /// partial updates without content, and messages without text (content missing or the MESSAGE_CONTENT intent off).
    /// </summary>
    /// <param name="guildId">The guild the caller knows the channel belongs to; REST messages do not carry it.</param>
    /// <param name="threadParentId">When the message's channel is a thread: the channel the thread lives in.</param>
    public static SignalEnvelope? Map(DiscordMessage message, string? guildId, string? threadParentId)
    {
        if (message.Type is { } type && type is not (DefaultMessageType or ReplyMessageType)) return null;
        if (string.IsNullOrWhiteSpace(message.Content)) return null;

        var guild = message.GuildId ?? guildId;
        var metadata = BaseMetadata(guild, message.ChannelId, threadParentId);
        if (message.Author is { } author)
        {
            metadata["author_id"] = author.Id;
            if (author.Bot == true) metadata["author_is_bot"] = "true";
        }

        if (message.WebhookId is not null) metadata["webhook_id"] = message.WebhookId;
        if (message.Attachments is { Count: > 0 } attachments)
        {
            metadata["attachment_count"] = attachments.Count.ToString(CultureInfo.InvariantCulture);
        }

        string? parent = null;
        if (message.MessageReference is { MessageId: { } referencedId } reference)
        {
            var referencedChannel = reference.ChannelId ?? message.ChannelId;
            if (message.Type == ReplyMessageType)
            {
                parent = ExternalId(referencedChannel, referencedId);
            }
            else if (((message.Flags ?? 0) & CrosspostFlag) != 0)
            {
                metadata["crosspost_of"] = MessageUrl(reference.GuildId, referencedChannel, referencedId);
            }
        }

        return new SignalEnvelope
        {
            Source = SignalSources.Discord,
            Kind = SignalKinds.Message,
            ExternalId = ExternalId(message.ChannelId, message.Id),
            Url = MessageUrl(guild, message.ChannelId, message.Id),
            Body = message.Content,
            Author = message.Author is { } a ? Author(a, message.Member) : null,
            CreatedAt = message.Timestamp ?? DiscordSnowflake.ToTimestamp(message.Id),
            UpdatedAt = message.EditedTimestamp,
            ParentExternalId = parent,
            Metadata = metadata,
        };
    }

    public static SignalEnvelope MapDelete(string? guildId, string channelId, string messageId, string? threadParentId) => new()
    {
        Source = SignalSources.Discord,
        Kind = SignalKinds.Message,
        ExternalId = ExternalId(channelId, messageId),
        Url = MessageUrl(guildId, channelId, messageId),
        Deleted = true,
        Metadata = BaseMetadata(guildId, channelId, threadParentId),
    };

    private static SignalAuthor Author(DiscordUser user, DiscordGuildMember? member) =>
        new(user.Username ?? user.Id, member?.Nick ?? user.GlobalName, $"https://discord.com/users/{user.Id}");

    private static Dictionary<string, string> BaseMetadata(string? guildId, string channelId, string? threadParentId)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["channel_id"] = channelId };
        if (guildId is not null) metadata["guild_id"] = guildId;
        if (threadParentId is not null)
        {
            metadata["thread_id"] = channelId;
            metadata["parent_channel_id"] = threadParentId;
        }

        return metadata;
    }
}
