using System.Text.Json;
using System.Threading.Channels;
using GitMesh.Connectors.Discord.Gateway;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Connectors.Discord.Rest;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord.Listener;

public enum DiscordListenerExitReason
{
    /// <summary>The caller cancelled (shutdown). Run again later; the session and cursors are saved.</summary>
    Stopped,
    /// <summary>Another instance owns the bot. Retry after a while (standby).</summary>
    LeaseUnavailable,
    /// <summary>The lease could not be renewed; another instance may own the bot now.</summary>
    LeaseLost,
    /// <summary>Discord refused the token (close 4004 or REST 401): mark the integration as needing a new token; do not restart.</summary>
    AuthenticationFailed,
    /// <summary>Discord closed with 4010–4014 (e.g. MESSAGE_CONTENT intent not enabled): configuration must change; do not restart.</summary>
    GatewayClosed,
}

public sealed record DiscordListenerResult(DiscordListenerExitReason Reason, string? Message = null);

/// <summary>
/// Runs one bot: holds its lease, keeps a gateway session, turns message events of the configured channels (and
/// their threads) into signals, and after every (re)connect backfills each channel over REST from its last
/// delivered message id. A channel's cursor only advances from live events once its backfill has caught up, so a
/// crash at any point re-reads (duplicates are harmless downstream) but never skips a message.
/// </summary>
public sealed partial class DiscordBotListener(
    DiscordBotSettings settings,
    string ownerId,
    DiscordRestClient rest,
    IDiscordStateStore stateStore,
    IDiscordBotLease lease,
    ISignalSink sink,
    IOptions<DiscordOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<DiscordBotListener>();
    private readonly Lock _lock = new();
    private readonly HashSet<string> _configured = new(settings.ChannelIds, StringComparer.Ordinal);
    // Every channel id seen, mapped to its thread parent (null: not a thread), so unrelated channels cost no REST call.
    private readonly Dictionary<string, string?> _channelParents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackedChannel> _tracked = new(StringComparer.Ordinal);
    private readonly Channel<bool> _backfillRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private IReadOnlyDictionary<string, string> _storedCursors = new Dictionary<string, string>();
    private DiscordGatewayClient? _gateway;
    private DateTimeOffset _lastSessionSave = DateTimeOffset.MinValue;

    public string BotId => settings.BotId;

    public async Task<DiscordListenerResult> RunAsync(CancellationToken cancellationToken)
    {
        var config = options.Value;
        if (!await lease.TryAcquireAsync(settings.BotId, ownerId, config.LeaseDuration, cancellationToken))
        {
            LogLeaseUnavailable(_logger, settings.BotId);
            return new DiscordListenerResult(DiscordListenerExitReason.LeaseUnavailable, "Another listener owns this bot.");
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var leaseState = new LeaseState();
        var renewal = RenewLeaseLoopAsync(leaseState, run);
        var backfill = Task.CompletedTask;
        try
        {
            var state = await stateStore.LoadAsync(settings.BotId, run.Token);
            Initialise(state.ChannelCursors);
            var gatewayUrl = config.GatewayUrl ?? await ResolveGatewayUrlAsync(run.Token);
            _gateway = new DiscordGatewayClient(
                DiscordGatewayClientOptions.From(config, gatewayUrl, settings.Token, state.Session),
                OnDispatchAsync,
                timeProvider,
                loggerFactory.CreateLogger<DiscordGatewayClient>());
            backfill = BackfillLoopAsync(run.Token);
            LogStarting(_logger, settings.BotId, _configured.Count, state.Session is not null);
            await _gateway.RunAsync(run.Token);
            return Exit(leaseState);
        }
        catch (ConnectorAuthException ex)
        {
            LogAuthFailed(_logger, settings.BotId, ex.ProviderMessage);
            return new DiscordListenerResult(DiscordListenerExitReason.AuthenticationFailed, ex.ProviderMessage);
        }
        catch (DiscordGatewayClosedException ex)
        {
            LogGatewayClosed(_logger, settings.BotId, ex.CloseCode, ex.Reason);
            return new DiscordListenerResult(DiscordListenerExitReason.GatewayClosed, ex.Message);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            return Exit(leaseState);
        }
        finally
        {
            await run.CancelAsync();
            await renewal;
            await backfill;
            await ShutdownAsync();
        }
    }

    private DiscordListenerResult Exit(LeaseState leaseState) => leaseState.Lost
        ? new DiscordListenerResult(DiscordListenerExitReason.LeaseLost, "The bot lease could not be renewed.")
        : new DiscordListenerResult(DiscordListenerExitReason.Stopped);

    private async Task ShutdownAsync()
    {
        try
        {
            if (_gateway?.Session is { } session)
            {
                await stateStore.SaveSessionAsync(settings.BotId, session, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogStateSaveFailed(_logger, ex, settings.BotId);
        }

        try
        {
            await lease.ReleaseAsync(settings.BotId, ownerId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogLeaseReleaseFailed(_logger, ex, settings.BotId);
        }
    }

    private async Task<Uri> ResolveGatewayUrlAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.ReconnectBaseDelay;
        while (true)
        {
            try
            {
                return new Uri((await rest.GetGatewayBotAsync(settings.Token, cancellationToken)).Url);
            }
            catch (Exception ex) when (ex is TransientConnectorException or RateLimitedException)
            {
                LogGatewayLookupFailed(_logger, ex, settings.BotId);
                var wait = ex is RateLimitedException limited ? limited.RetryAt - timeProvider.GetUtcNow() : delay;
                await Task.Delay(wait > TimeSpan.Zero ? wait : delay, timeProvider, cancellationToken);
                delay = Min(delay * 2, options.Value.ReconnectMaxDelay);
            }
        }
    }

    private async Task RenewLeaseLoopAsync(LeaseState leaseState, CancellationTokenSource run)
    {
        var config = options.Value;
        var validUntil = timeProvider.GetUtcNow() + config.LeaseDuration;
        try
        {
            while (true)
            {
                await Task.Delay(config.LeaseRenewInterval, timeProvider, run.Token);
                bool renewed;
                try
                {
                    renewed = await lease.RenewAsync(settings.BotId, ownerId, config.LeaseDuration, run.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A store hiccup is not a lost lease yet: keep running while the lease we hold is still valid.
                    LogLeaseRenewFailed(_logger, ex, settings.BotId);
                    renewed = false;
                    if (timeProvider.GetUtcNow() + config.LeaseRenewInterval < validUntil) continue;
                }

                if (!renewed)
                {
                    LogLeaseLost(_logger, settings.BotId);
                    leaseState.Lost = true;
                    await run.CancelAsync();
                    return;
                }

                validUntil = timeProvider.GetUtcNow() + config.LeaseDuration;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Initialise(IReadOnlyDictionary<string, string> storedCursors)
    {
        lock (_lock)
        {
            _storedCursors = storedCursors;
            foreach (var channelId in _configured)
            {
                _channelParents[channelId] = null;
                _tracked[channelId] = new TrackedChannel(channelId, ParentId: null) { Cursor = storedCursors.GetValueOrDefault(channelId) };
            }
        }
    }

    private async Task OnDispatchAsync(DiscordGatewayDispatch dispatch, CancellationToken cancellationToken)
    {
        switch (dispatch.EventName)
        {
            case "READY":
            case "RESUMED":
                await SaveSessionAsync(force: true, cancellationToken);
                MarkAllDirty();
                RequestBackfill();
                return;
            case "GUILD_CREATE":
                if (dispatch.Data.TryGetProperty("id", out var guildId) && guildId.GetString() == settings.GuildId
                    && dispatch.Data.TryGetProperty("threads", out var threads))
                {
                    RegisterThreads(threads.Deserialize<List<DiscordChannel>>(DiscordJson.Options) ?? [], dirtyIfNew: true);
                }

                break;
            case "THREAD_LIST_SYNC":
                if (IsOurGuild(dispatch.Data))
                {
                    var list = dispatch.Data.Deserialize<DiscordThreadList>(DiscordJson.Options);
                    RegisterThreads(list?.Threads ?? [], dirtyIfNew: true);
                }

                break;
            case "THREAD_CREATE":
            case "THREAD_UPDATE":
                if (IsOurGuild(dispatch.Data) && dispatch.Data.Deserialize<DiscordChannel>(DiscordJson.Options) is { } thread)
                {
                    RegisterThreads([thread], dirtyIfNew: false);
                }

                break;
            case "THREAD_DELETE":
                if (dispatch.Data.TryGetProperty("id", out var deletedThread) && deletedThread.GetString() is { } deletedId)
                {
                    lock (_lock)
                    {
                        _tracked.Remove(deletedId);
                    }
                }

                break;
            case "MESSAGE_CREATE":
                await OnMessageCreateAsync(dispatch.Data, cancellationToken);
                break;
            case "MESSAGE_UPDATE":
                await OnMessageUpdateAsync(dispatch.Data, cancellationToken);
                break;
            case "MESSAGE_DELETE":
                if (dispatch.Data.Deserialize<DiscordMessageDelete>(DiscordJson.Options) is { } deleted)
                {
                    await OnDeleteAsync(deleted.GuildId, deleted.ChannelId, [deleted.Id], cancellationToken);
                }

                break;
            case "MESSAGE_DELETE_BULK":
                if (dispatch.Data.Deserialize<DiscordMessageDeleteBulk>(DiscordJson.Options) is { } bulk)
                {
                    await OnDeleteAsync(bulk.GuildId, bulk.ChannelId, bulk.Ids, cancellationToken);
                }

                break;
        }

        await SaveSessionAsync(force: false, cancellationToken);
    }

    private async Task OnMessageCreateAsync(JsonElement data, CancellationToken cancellationToken)
    {
        var message = data.Deserialize<DiscordMessage>(DiscordJson.Options);
        if (message is null || (message.GuildId is not null && message.GuildId != settings.GuildId)) return;
        var (tracked, parentId) = await ResolveChannelAsync(message.ChannelId, message.ChannelType, cancellationToken);
        if (!tracked) return;

        if (DiscordMessageMapper.Map(message, settings.GuildId, parentId) is { } envelope)
        {
            try
            {
                await sink.EnqueueAsync(settings.WorkspaceId, settings.IntegrationId, [envelope], cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The cursor has not moved past this message: a backfill from it re-reads the message later.
                LogLiveEnqueueFailed(_logger, ex, settings.BotId, message.ChannelId);
                MarkDirty(message.ChannelId);
                RequestBackfill();
                return;
            }
        }

        await AdvanceLiveCursorAsync(message.ChannelId, message.Id, cancellationToken);
    }

    private async Task OnMessageUpdateAsync(JsonElement data, CancellationToken cancellationToken)
    {
        var message = data.Deserialize<DiscordMessage>(DiscordJson.Options);
        if (message?.Content is null || (message.GuildId is not null && message.GuildId != settings.GuildId)) return;
        var (tracked, parentId) = await ResolveChannelAsync(message.ChannelId, message.ChannelType, cancellationToken);
        if (!tracked || DiscordMessageMapper.Map(message, settings.GuildId, parentId) is not { } envelope) return;
        await EnqueueBestEffortAsync([envelope], message.ChannelId, cancellationToken);
    }

    private async Task OnDeleteAsync(string? guildId, string channelId, IReadOnlyList<string> messageIds, CancellationToken cancellationToken)
    {
        if (guildId is not null && guildId != settings.GuildId) return;
        var (tracked, parentId) = await ResolveChannelAsync(channelId, channelTypeHint: null, cancellationToken);
        if (!tracked) return;
        var envelopes = messageIds.Select(id => DiscordMessageMapper.MapDelete(settings.GuildId, channelId, id, parentId)).ToList();
        await EnqueueBestEffortAsync(envelopes, channelId, cancellationToken);
    }

    private async Task EnqueueBestEffortAsync(IReadOnlyList<SignalEnvelope> envelopes, string channelId, CancellationToken cancellationToken)
    {
        try
        {
            await sink.EnqueueAsync(settings.WorkspaceId, settings.IntegrationId, envelopes, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Edits and deletes are not recoverable by an "after" backfill; the scheduled reconciliation is the safety net.
            LogLiveEnqueueFailed(_logger, ex, settings.BotId, channelId);
        }
    }

    /// <summary>Whether messages of <paramref name="channelId"/> are ingested, and its thread parent if it is a thread.</summary>
    private async Task<(bool Tracked, string? ParentId)> ResolveChannelAsync(string channelId, int? channelTypeHint, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_tracked.TryGetValue(channelId, out var known)) return (true, known.ParentId);
            if (_channelParents.TryGetValue(channelId, out var parent))
            {
                return parent is not null && _configured.Contains(parent) ? (true, parent) : (false, null);
            }

            if (channelTypeHint is { } type && !DiscordChannelTypes.IsThread(type))
            {
                _channelParents[channelId] = null;
                return (false, null);
            }
        }

        // A thread we have not seen created (e.g. unarchived): ask Discord which channel it belongs to.
        DiscordChannel? channel;
        try
        {
            channel = await rest.GetChannelAsync(settings.Token, channelId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next backfill round lists active threads and picks the thread (and this message) up from its start.
            LogChannelLookupFailed(_logger, ex, settings.BotId, channelId);
            RequestBackfill();
            return (false, null);
        }

        if (channel is { IsThread: true })
        {
            RegisterThreads([channel], dirtyIfNew: true);
            RequestBackfill();
        }
        else
        {
            lock (_lock)
            {
                _channelParents[channelId] = null;
            }
        }

        lock (_lock)
        {
            return _tracked.TryGetValue(channelId, out var tracked) ? (true, tracked.ParentId) : (false, null);
        }
    }

    private bool IsOurGuild(JsonElement data) =>
        !data.TryGetProperty("guild_id", out var guild) || guild.ValueKind != JsonValueKind.String || guild.GetString() == settings.GuildId;

    private void RegisterThreads(IEnumerable<DiscordChannel> threads, bool dirtyIfNew)
    {
        var added = false;
        lock (_lock)
        {
            foreach (var thread in threads)
            {
                if (!thread.IsThread || thread.ParentId is null) continue;
                _channelParents[thread.Id] = thread.ParentId;
                if (!_configured.Contains(thread.ParentId) || _tracked.ContainsKey(thread.Id)) continue;
                _tracked[thread.Id] = new TrackedChannel(thread.Id, thread.ParentId)
                {
                    Cursor = _storedCursors.GetValueOrDefault(thread.Id),
                    Dirty = dirtyIfNew,
                };
                added |= dirtyIfNew;
            }
        }

        if (added) RequestBackfill();
    }

    private void MarkAllDirty()
    {
        lock (_lock)
        {
            foreach (var channel in _tracked.Values)
            {
                channel.Dirty = true;
                channel.Generation++;
            }
        }
    }

    private void MarkDirty(string channelId)
    {
        lock (_lock)
        {
            if (_tracked.TryGetValue(channelId, out var channel))
            {
                channel.Dirty = true;
                channel.Generation++;
            }
        }
    }

    private void RequestBackfill() => _backfillRequests.Writer.TryWrite(true);

    private async Task AdvanceLiveCursorAsync(string channelId, string messageId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_tracked.TryGetValue(channelId, out var channel)) return;
            if (channel.Dirty)
            {
                // Older messages of this channel may still be missing: hold the cursor until the backfill catches up.
                channel.PendingMax = DiscordSnowflake.Max(channel.PendingMax, messageId);
                return;
            }

            if (DiscordSnowflake.Max(channel.Cursor, messageId) == channel.Cursor) return;
            channel.Cursor = messageId;
        }

        await SaveCursorAsync(channelId, messageId, cancellationToken);
    }

    private async Task BackfillLoopAsync(CancellationToken cancellationToken)
    {
        var retryDelay = options.Value.BackfillRetryDelay;
        try
        {
            while (await _backfillRequests.Reader.WaitToReadAsync(cancellationToken))
            {
                _backfillRequests.Reader.TryRead(out _);
                try
                {
                    await RefreshActiveThreadsAsync(cancellationToken);
                    foreach (var channelId in DirtyChannels())
                    {
                        await BackfillChannelAsync(channelId, cancellationToken);
                    }

                    retryDelay = options.Value.BackfillRetryDelay;
                    if (DirtyChannels().Count > 0) RequestBackfill();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    var wait = retryDelay;
                    if (ex is RateLimitedException limited && limited.RetryAt - timeProvider.GetUtcNow() is var untilReset && untilReset > wait)
                    {
                        wait = untilReset;
                    }

                    LogBackfillFailed(_logger, ex, settings.BotId, wait.TotalSeconds);
                    await Task.Delay(wait, timeProvider, cancellationToken);
                    retryDelay = Min(retryDelay * 2, options.Value.ReconnectMaxDelay);
                    RequestBackfill();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private List<string> DirtyChannels()
    {
        lock (_lock)
        {
            return _tracked.Values.Where(c => c.Dirty).Select(c => c.Id).ToList();
        }
    }

    private async Task RefreshActiveThreadsAsync(CancellationToken cancellationToken)
    {
        var threads = await rest.ListActiveThreadsAsync(settings.Token, settings.GuildId, cancellationToken);
        RegisterThreads(threads, dirtyIfNew: true);
    }

    private async Task BackfillChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        int generation;
        string after;
        string? parentId;
        bool hadCursor;
        lock (_lock)
        {
            if (!_tracked.TryGetValue(channelId, out var channel) || !channel.Dirty) return;
            generation = channel.Generation;
            parentId = channel.ParentId;
            hadCursor = channel.Cursor is not null;
            after = channel.Cursor ?? (parentId is not null
                // A thread without a cursor is new to us: read it from its start (a forum post's first message shares the thread id).
                ? DiscordSnowflake.Previous(channelId)
                : DiscordSnowflake.FromTimestamp(timeProvider.GetUtcNow() - options.Value.InitialBackfill));
        }

        var delivered = 0;
        try
        {
            await foreach (var page in rest.ListMessagesAfterAsync(settings.Token, channelId, after, cancellationToken))
            {
                var envelopes = page
                    .Select(m => DiscordMessageMapper.Map(m, settings.GuildId, parentId))
                    .OfType<SignalEnvelope>()
                    .ToList();
                if (envelopes.Count > 0)
                {
                    await sink.EnqueueAsync(settings.WorkspaceId, settings.IntegrationId, envelopes, cancellationToken);
                    delivered += envelopes.Count;
                }

                await AdvanceBackfillCursorAsync(channelId, page[^1].Id, cancellationToken);
            }
        }
        catch (DiscordApiException ex)
        {
            // Missing access or a deleted channel will not heal by retrying; live events still flow if it comes back.
            LogChannelUnreadable(_logger, settings.BotId, channelId, (int)ex.StatusCode, ex.DiscordCode);
        }

        if (!hadCursor)
        {
            // Remember where we started, so a restart before the first message does not fall back to the initial window.
            await AdvanceBackfillCursorAsync(channelId, after, cancellationToken);
        }

        string? cursorToSave = null;
        lock (_lock)
        {
            if (_tracked.TryGetValue(channelId, out var channel) && channel.Generation == generation)
            {
                channel.Dirty = false;
                if (channel.PendingMax is { } pending && DiscordSnowflake.Max(channel.Cursor, pending) != channel.Cursor)
                {
                    channel.Cursor = pending;
                    cursorToSave = pending;
                }

                channel.PendingMax = null;
            }
        }

        if (cursorToSave is not null) await SaveCursorAsync(channelId, cursorToSave, cancellationToken);
        LogBackfilled(_logger, settings.BotId, channelId, delivered);
    }

    private async Task AdvanceBackfillCursorAsync(string channelId, string messageId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_tracked.TryGetValue(channelId, out var channel)) return;
            if (DiscordSnowflake.Max(channel.Cursor, messageId) == channel.Cursor) return;
            channel.Cursor = messageId;
        }

        await SaveCursorAsync(channelId, messageId, cancellationToken);
    }

    private async Task SaveCursorAsync(string channelId, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            await stateStore.SaveChannelCursorAsync(settings.BotId, channelId, messageId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An unsaved cursor only means a longer (duplicate) backfill after the next restart.
            LogStateSaveFailed(_logger, ex, settings.BotId);
        }
    }

    private async Task SaveSessionAsync(bool force, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (!force && now - _lastSessionSave < options.Value.SessionSaveInterval) return;
        if (_gateway?.Session is not { } session) return;
        _lastSessionSave = now;
        try
        {
            await stateStore.SaveSessionAsync(settings.BotId, session, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStateSaveFailed(_logger, ex, settings.BotId);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class LeaseState
    {
        private volatile bool _lost;

        public bool Lost { get => _lost; set => _lost = value; }
    }

    private sealed record TrackedChannel(string Id, string? ParentId)
    {
        public string? Cursor { get; set; }
        public bool Dirty { get; set; }
        public string? PendingMax { get; set; }
        public int Generation { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord listener for bot {BotId} starting with {ChannelCount} channels (stored session: {HasSession})")]
    private static partial void LogStarting(ILogger logger, string botId, int channelCount, bool hasSession);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord bot {BotId} is owned by another listener")]
    private static partial void LogLeaseUnavailable(ILogger logger, string botId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord listener for bot {BotId} lost its lease and stops")]
    private static partial void LogLeaseLost(ILogger logger, string botId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease of Discord bot {BotId} failed")]
    private static partial void LogLeaseRenewFailed(ILogger logger, Exception exception, string botId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the lease of Discord bot {BotId} failed")]
    private static partial void LogLeaseReleaseFailed(ILogger logger, Exception exception, string botId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord refused the token of bot {BotId}: {ProviderMessage}")]
    private static partial void LogAuthFailed(ILogger logger, string botId, string providerMessage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord gateway closed bot {BotId} with {CloseCode}: {Reason}")]
    private static partial void LogGatewayClosed(ILogger logger, string botId, int closeCode, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up the gateway URL for bot {BotId} failed")]
    private static partial void LogGatewayLookupFailed(ILogger logger, Exception exception, string botId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving Discord listener state of bot {BotId} failed")]
    private static partial void LogStateSaveFailed(ILogger logger, Exception exception, string botId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enqueueing a live Discord event of bot {BotId} in channel {ChannelId} failed")]
    private static partial void LogLiveEnqueueFailed(ILogger logger, Exception exception, string botId, string channelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up Discord channel {ChannelId} for bot {BotId} failed")]
    private static partial void LogChannelLookupFailed(ILogger logger, Exception exception, string botId, string channelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill of Discord bot {BotId} failed; retrying in {DelaySeconds} s")]
    private static partial void LogBackfillFailed(ILogger logger, Exception exception, string botId, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord bot {BotId} cannot read channel {ChannelId} ({StatusCode}, code {DiscordCode}); skipping its backfill")]
    private static partial void LogChannelUnreadable(ILogger logger, string botId, string channelId, int statusCode, int? discordCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord bot {BotId} backfilled channel {ChannelId}: {Count} messages")]
    private static partial void LogBackfilled(ILogger logger, string botId, string channelId, int count);
}
