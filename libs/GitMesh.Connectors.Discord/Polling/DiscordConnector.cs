using System.Text.Json;
using GitMesh.Connectors.Discord.Listener;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Connectors.Discord.Rest;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.Discord.Polling;

/// <summary>
/// Polled, REST-only Discord source for workspaces that do not run a gateway listener (or to backfill history):
/// each page reads the next 100 messages of every configured channel and of their active threads. The cursor is
/// a JSON map of channel id → last message id.
/// </summary>
public sealed class DiscordConnector(DiscordRestClient rest) : ISourceConnector
{
    public const string ConnectorType = "discord";

    public string Type => ConnectorType;

    public async Task<ConnectorPage> FetchPageAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var bot = DiscordBotSettings.FromIntegration(request.IntegrationId.ToString(), request.WorkspaceId, request.IntegrationId, request.Settings, request.Credentials);
        var cursors = ParseCursor(request.Cursor);
        var floor = DiscordSnowflake.FromTimestamp(request.BackfillSince);
        var configured = new HashSet<string>(bot.ChannelIds, StringComparer.Ordinal);

        var targets = bot.ChannelIds.Select(id => (Id: id, ParentId: (string?)null)).ToList();
        var threads = await rest.ListActiveThreadsAsync(bot.Token, bot.GuildId, cancellationToken);
        targets.AddRange(threads
            .Where(t => t.ParentId is not null && configured.Contains(t.ParentId))
            .OrderBy(t => DiscordSnowflake.Parse(t.Id))
            .Select(t => (t.Id, t.ParentId)));

        var signals = new List<SignalEnvelope>();
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasMore = false;
        foreach (var (channelId, parentId) in targets)
        {
            var after = cursors.GetValueOrDefault(channelId)
                ?? (parentId is null ? floor : DiscordSnowflake.Max(DiscordSnowflake.Previous(channelId), floor)!);
            next[channelId] = after;
            IReadOnlyList<DiscordMessage> page;
            try
            {
                page = await rest.GetMessagesAfterAsync(bot.Token, channelId, after, DiscordRestClient.MaxPageSize, cancellationToken);
            }
            catch (DiscordApiException)
            {
                // One unreadable channel (missing access, deleted) must not block the others; its cursor stays put.
                continue;
            }

            signals.AddRange(page.Select(m => DiscordMessageMapper.Map(m, bot.GuildId, parentId)).OfType<SignalEnvelope>());
            if (page.Count > 0) next[channelId] = page[^1].Id;
            hasMore |= page.Count == DiscordRestClient.MaxPageSize;
        }

        return new ConnectorPage(signals, JsonSerializer.Serialize(next), hasMore);
    }

    public async Task<ConnectionTestResult> TestConnectionAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        DiscordBotSettings bot;
        try
        {
            bot = DiscordBotSettings.FromIntegration(request.IntegrationId.ToString(), request.WorkspaceId, request.IntegrationId, request.Settings, request.Credentials);
        }
        catch (ArgumentException ex)
        {
            return new ConnectionTestResult(false, ex.Message);
        }

        try
        {
            var user = await rest.GetCurrentUserAsync(bot.Token, cancellationToken);
            foreach (var channelId in bot.ChannelIds)
            {
                var channel = await rest.GetChannelAsync(bot.Token, channelId, cancellationToken);
                if (channel is null) return new ConnectionTestResult(false, $"The bot cannot see channel {channelId}.");
                if (channel.GuildId is not null && channel.GuildId != bot.GuildId)
                {
                    return new ConnectionTestResult(false, $"Channel {channelId} is not in guild {bot.GuildId}.");
                }
            }

            return new ConnectionTestResult(true, $"Connected as {user.Username ?? user.Id}; {bot.ChannelIds.Count} channel(s) readable.");
        }
        catch (ConnectorAuthException ex)
        {
            return new ConnectionTestResult(false, ex.ProviderMessage);
        }
    }

    private static Dictionary<string, string> ParseCursor(string? cursor)
    {
        if (string.IsNullOrWhiteSpace(cursor)) return new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var parsed = JsonSerializer.Deserialize<Dictionary<string, string>>(cursor) ?? [];
            return new Dictionary<string, string>(parsed.Where(kv => DiscordSnowflake.TryParse(kv.Value, out _)), StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // An unreadable cursor restarts from the backfill window: duplicates, not gaps.
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }
}
