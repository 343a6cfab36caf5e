using System.Collections.Concurrent;
using GitMesh.Connectors.Discord.Gateway;
using GitMesh.Connectors.Discord.Messages;

namespace GitMesh.Connectors.Discord.Listener;

/// <param name="Session">Gateway resume state saved by the last owner of the bot, if any.</param>
/// <param name="ChannelCursors">Last message id delivered to the sink, per channel or thread id.</param>
public sealed record DiscordBotState(DiscordGatewaySession? Session, IReadOnlyDictionary<string, string> ChannelCursors);

/// <summary>
/// Durable per-bot listener state. Cursors only ever move forward: implementations keep the greater snowflake
/// (compare as unsigned 64-bit numbers, not strings) when a save races an older one.
/// </summary>
public interface IDiscordStateStore
{
    Task<DiscordBotState> LoadAsync(string botId, CancellationToken cancellationToken);

    /// <summary>Upsert the cursor of one channel or thread, keeping the greater of the stored and the given id.</summary>
    Task SaveChannelCursorAsync(string botId, string channelId, string lastMessageId, CancellationToken cancellationToken);

    /// <summary>Upsert (or clear with null) the gateway resume state.</summary>
    Task SaveSessionAsync(string botId, DiscordGatewaySession? session, CancellationToken cancellationToken);
}

/// <summary>Process-local state: fine for the embedded profile and tests; a restart loses cursors (only duplicates or a shorter backfill follow).</summary>
public sealed class InMemoryDiscordStateStore : IDiscordStateStore
{
    private readonly ConcurrentDictionary<string, BotEntry> _bots = new(StringComparer.Ordinal);

    public Task<DiscordBotState> LoadAsync(string botId, CancellationToken cancellationToken)
    {
        var entry = _bots.GetOrAdd(botId, _ => new BotEntry());
        lock (entry)
        {
            return Task.FromResult(new DiscordBotState(entry.Session, new Dictionary<string, string>(entry.Cursors, StringComparer.Ordinal)));
        }
    }

    public Task SaveChannelCursorAsync(string botId, string channelId, string lastMessageId, CancellationToken cancellationToken)
    {
        var entry = _bots.GetOrAdd(botId, _ => new BotEntry());
        lock (entry)
        {
            entry.Cursors[channelId] = DiscordSnowflake.Max(entry.Cursors.GetValueOrDefault(channelId), lastMessageId)!;
        }

        return Task.CompletedTask;
    }

    public Task SaveSessionAsync(string botId, DiscordGatewaySession? session, CancellationToken cancellationToken)
    {
        var entry = _bots.GetOrAdd(botId, _ => new BotEntry());
        lock (entry)
        {
            entry.Session = session;
        }

        return Task.CompletedTask;
    }

    private sealed class BotEntry
    {
        public DiscordGatewaySession? Session { get; set; }
        public Dictionary<string, string> Cursors { get; } = new(StringComparer.Ordinal);
    }
}
