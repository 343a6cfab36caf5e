using System.Globalization;
using System.Text.Json.Nodes;
using GitMesh.Connectors.Discord.Listener;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Connectors.Discord.Tests.Support;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace GitMesh.Connectors.Discord.Tests.Listener;

public sealed class DiscordBotListenerTests : IAsyncLifetime
{
    private const string BotId = "bot-1";
    private const string Channel = "100";
    private readonly RecordingSink _sink = new();
    private readonly InMemoryDiscordStateStore _store = new();
    private readonly InMemoryDiscordBotLease _lease = new(TimeProvider.System);
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));
    private FakeDiscord _discord = null!;

    public async Task InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await _discord.DisposeAsync();
    }

    private static DiscordBotSettings Settings() => new()
    {
        BotId = BotId,
        WorkspaceId = Guid.NewGuid(),
        IntegrationId = Guid.NewGuid(),
        Token = "bot-token",
        GuildId = Fixtures.GuildId,
        ChannelIds = [Channel],
    };

    private DiscordBotListener Listener(string ownerId = "owner-a", IDiscordBotLease? lease = null, ISignalSink? sink = null, DiscordOptions? options = null) => new(
        Settings(),
        ownerId,
        TestSupport.RestClient(_discord),
        _store,
        lease ?? _lease,
        sink ?? _sink,
        Options.Create(options ?? TestSupport.Options(_discord)),
        TimeProvider.System,
        NullLoggerFactory.Instance);

    /// <summary>Snowflakes created an hour ago onwards, so they sort after any "one hour ago" cursor.</summary>
    private static readonly ulong Base = DiscordSnowflake.Parse(DiscordSnowflake.FromTimestamp(DateTimeOffset.UtcNow.AddHours(-1)));

    private static string Id(long offset) => ((ulong)((long)Base + offset)).ToString(CultureInfo.InvariantCulture);

    private async Task<string?> CursorAsync(string channelId) =>
        (await _store.LoadAsync(BotId, CancellationToken.None)).ChannelCursors.GetValueOrDefault(channelId);

    [Fact]
    public async Task Message_create_in_a_configured_channel_becomes_a_signal_and_other_channels_are_ignored()
    {
        var run = Listener().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        var identify = await connection.HandshakeAsync("session-1", _discord.ResumeUrl);
        identify.GetProperty("d").GetProperty("token").GetString().ShouldBe("bot-token");
        (identify.GetProperty("d").GetProperty("intents").GetInt32() & (1 << 15)).ShouldNotBe(0);

        await connection.SendDispatchAsync("MESSAGE_CREATE", 2, Fixtures.MessageCreate(Id(1), "555", "elsewhere"));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 3, Fixtures.MessageCreate(Id(2), Channel, "The login button is broken"));

        await TestSupport.EventuallyAsync(() => _sink.Signals.Count >= 1, "the live message reaches the sink");
        var signal = _sink.Signals.ShouldHaveSingleItem();
        signal.Source.ShouldBe(SignalSources.Discord);
        signal.ExternalId.ShouldBe($"{Channel}/{Id(2)}");
        signal.Body.ShouldBe("The login button is broken");
        signal.Author!.Username.ShouldBe("Mason");
        _discord.RestRequests.ShouldNotContain(r => r.Path.EndsWith("/channels/555", StringComparison.Ordinal));

        await _stop.CancelAsync();
        (await run).Reason.ShouldBe(DiscordListenerExitReason.Stopped);
        (await _store.LoadAsync(BotId, CancellationToken.None)).Session!.SessionId.ShouldBe("session-1");
    }

    [Fact]
    public async Task Messages_sent_while_the_listener_was_down_are_backfilled_once_in_order_honouring_429()
    {
        for (var i = -5; i <= 0; i++) _discord.AddMessage(Fixtures.RestMessage(Id(i), Channel, $"old {i}"));
        for (var i = 1; i <= 250; i++) _discord.AddMessage(Fixtures.RestMessage(Id(i), Channel, $"missed {i}"));
        await _store.SaveChannelCursorAsync(BotId, Channel, Id(0), CancellationToken.None);
        _discord.RateLimitsToServe[$"channels/{Channel}/messages"] = 1;
        _discord.RateLimitRetryAfterSeconds = 0.1;

        var run = Listener().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl);

        await TestSupport.EventuallyAsync(() => _sink.Signals.Count >= 250, "the missed messages are backfilled");
        _sink.Signals.Select(s => s.ExternalId).ShouldBe(Enumerable.Range(1, 250).Select(i => $"{Channel}/{Id(i)}"));
        await TestSupport.EventuallyAsync(() => CursorAsync(Channel).Result == Id(250), "the cursor reaches the newest message");
        var pages = _discord.RestRequests.Where(r => r.Path == $"/api/v10/channels/{Channel}/messages").Select(r => r.Query).ToList();
        pages.ShouldBe([$"?after={Id(0)}&limit=100", $"?after={Id(0)}&limit=100", $"?after={Id(100)}&limit=100", $"?after={Id(200)}&limit=100"]);

        await connection.SendDispatchAsync("MESSAGE_CREATE", 2, Fixtures.MessageCreate(Id(251), Channel, "live"));
        await TestSupport.EventuallyAsync(() => CursorAsync(Channel).Result == Id(251), "live messages advance the cursor once caught up");
        _sink.Signals.Count.ShouldBe(251);

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Restart_resumes_the_stored_session_and_backfills_from_the_stored_cursor()
    {
        var first = Listener().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl);
        await TestSupport.EventuallyAsync(() => CursorAsync(Channel).Result is not null, "a first start records where it began");
        await _stop.CancelAsync();
        (await first).Reason.ShouldBe(DiscordListenerExitReason.Stopped);
        var baseline = DiscordSnowflake.Parse((await CursorAsync(Channel))!);
        var whileDown = Enumerable.Range(1, 3).Select(i => (baseline + (ulong)i * 1000).ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (var id in whileDown) _discord.AddMessage(Fixtures.RestMessage(id, Channel, "while down " + id));

        using var secondStop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var second = Listener().RunAsync(secondStop.Token);
        var resumed = await _discord.NextConnectionAsync();
        resumed.Path.ShouldBe("/resume");
        await resumed.SendHelloAsync();
        var resume = await resumed.ReceiveAsync();
        resume.GetProperty("op").GetInt32().ShouldBe(6);
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-1");
        await resumed.SendDispatchAsync("RESUMED", 2, new JsonObject());

        await TestSupport.EventuallyAsync(() => _sink.Signals.Count >= 3, "messages sent while down are backfilled");
        _sink.Signals.Select(s => s.ExternalId).ShouldBe(whileDown.Select(id => $"{Channel}/{id}"));
        await secondStop.CancelAsync();
        await second;
    }

    [Fact]
    public async Task Thread_messages_under_a_configured_channel_are_included_and_other_threads_ignored()
    {
        _discord.Channels["500"] = Archived(Fixtures.Thread("500", Channel));
        _discord.Channels["600"] = Archived(Fixtures.Thread("600", "200"));
        var run = Listener().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl);
        await connection.SendDispatchAsync("GUILD_CREATE", 2, new JsonObject
        {
            ["id"] = Fixtures.GuildId,
            ["threads"] = new JsonArray(Fixtures.Thread("300", Channel), Fixtures.Thread("400", "200")),
        });

        await connection.SendDispatchAsync("MESSAGE_CREATE", 3, Fixtures.MessageCreate(Id(1), "300", "known thread, our channel", channelType: 11));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 4, Fixtures.MessageCreate(Id(2), "400", "known thread, other channel", channelType: 11));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 5, Fixtures.MessageCreate(Id(3), "500", "unknown thread, our channel", channelType: 11));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 6, Fixtures.MessageCreate(Id(4), "600", "unknown thread, other channel", channelType: 11));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 7, Fixtures.MessageCreate(Id(5), Channel, "channel itself"));

        await TestSupport.EventuallyAsync(() => _sink.Signals.Any(s => s.ExternalId == $"{Channel}/{Id(5)}"), "the last message arrives");
        _sink.Signals.Select(s => s.ExternalId).ShouldBe([$"300/{Id(1)}", $"500/{Id(3)}", $"{Channel}/{Id(5)}"]);
        _sink.Signals[0].Metadata!["parent_channel_id"].ShouldBe(Channel);
        _sink.Signals[1].Metadata!["thread_id"].ShouldBe("500");
        _discord.RestRequests.ShouldContain(r => r.Path == "/api/v10/channels/500");
        _discord.RestRequests.ShouldNotContain(r => r.Path == "/api/v10/channels/400");

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Active_threads_of_configured_channels_are_backfilled_after_connect()
    {
        _discord.Channels["300"] = Fixtures.Thread("300", Channel);
        _discord.Channels["400"] = Fixtures.Thread("400", "200");
        _discord.AddMessage(Fixtures.RestMessage("301", "300", "posted in the thread while we were away"));
        _discord.AddMessage(Fixtures.RestMessage("401", "400", "not ours"));

        var run = Listener().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl);

        await TestSupport.EventuallyAsync(() => _sink.Signals.Count >= 1, "the thread message is backfilled");
        _sink.Signals.ShouldHaveSingleItem().ExternalId.ShouldBe("300/301");
        await TestSupport.EventuallyAsync(() => CursorAsync("300").Result == "301", "the thread cursor is stored");
        _discord.RestRequests.ShouldNotContain(r => r.Path == "/api/v10/channels/400/messages");

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_live_message_the_sink_rejected_is_recovered_by_backfill()
    {
        var sink = new FailOnceSink();
        _discord.AddMessage(Fixtures.RestMessage(Id(1), Channel, "first"));
        await _store.SaveChannelCursorAsync(BotId, Channel, Id(1), CancellationToken.None);
        var run = Listener(sink: sink).RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl);
        await TestSupport.EventuallyAsync(() => _discord.RestRequests.Any(r => r.Path.EndsWith("/messages", StringComparison.Ordinal)), "the connect backfill ran");

        _discord.AddMessage(Fixtures.RestMessage(Id(2), Channel, "second"));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 2, Fixtures.MessageCreate(Id(2), Channel, "second"));

        await TestSupport.EventuallyAsync(() => sink.Signals.Any(s => s.ExternalId == $"{Channel}/{Id(2)}"), "the rejected message is re-read");
        await TestSupport.EventuallyAsync(() => CursorAsync(Channel).Result == Id(2), "the cursor moves past it only after delivery");
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_second_listener_cannot_own_the_same_bot()
    {
        var first = Listener("owner-a").RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl);

        var second = await Listener("owner-b").RunAsync(_stop.Token);

        second.Reason.ShouldBe(DiscordListenerExitReason.LeaseUnavailable);
        _discord.ConnectionCount.ShouldBe(1);
        await _stop.CancelAsync();
        await first;
        (await _lease.TryAcquireAsync(BotId, "owner-b", TimeSpan.FromSeconds(10), CancellationToken.None)).ShouldBeTrue("a stopped listener releases its lease");
    }

    [Fact]
    public async Task Listener_stops_when_its_lease_cannot_be_renewed()
    {
        var lease = Substitute.For<IDiscordBotLease>();
        lease.TryAcquireAsync(BotId, "owner-a", Arg.Any<TimeSpan>(), Arg.Any<CancellationToken>()).Returns(true);
        lease.RenewAsync(BotId, "owner-a", Arg.Any<TimeSpan>(), Arg.Any<CancellationToken>()).Returns(false);
        var options = TestSupport.Options(_discord);
        options.LeaseDuration = TimeSpan.FromSeconds(1);
        options.LeaseRenewInterval = TimeSpan.FromMilliseconds(100);

        var run = Listener(lease: lease, options: options).RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        try
        {
            await connection.HandshakeAsync("session-1", _discord.ResumeUrl);
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or InvalidOperationException or OperationCanceledException)
        {
            // The renewal fails after 100 ms: on a busy machine the listener may drop the socket mid-handshake.
        }

        (await run.WaitAsync(FakeDiscord.Timeout)).Reason.ShouldBe(DiscordListenerExitReason.LeaseLost);
        await lease.Received(1).ReleaseAsync(BotId, "owner-a", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Authentication_failure_ends_the_listener_with_the_providers_message()
    {
        var run = Listener().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.SendHelloAsync();
        await connection.ReceiveAsync();

        await connection.CloseAsync(4004, "Authentication failed.");

        var result = await run.WaitAsync(FakeDiscord.Timeout);
        result.Reason.ShouldBe(DiscordListenerExitReason.AuthenticationFailed);
        result.Message.ShouldBe("Authentication failed.");
        _discord.ConnectionCount.ShouldBe(1);
        (await _lease.TryAcquireAsync(BotId, "owner-b", TimeSpan.FromSeconds(10), CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task Gateway_url_is_discovered_from_gateway_bot_when_not_configured()
    {
        var options = TestSupport.Options(_discord);
        options.GatewayUrl = null;

        var run = Listener(options: options).RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();

        connection.Path.ShouldBe("/gateway");
        _discord.RestRequests.ShouldContain(r => r.Path == "/api/v10/gateway/bot");
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task In_memory_lease_expires_and_can_then_be_taken_over()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var lease = new InMemoryDiscordBotLease(clock);

        (await lease.TryAcquireAsync("bot", "a", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeTrue();
        (await lease.TryAcquireAsync("bot", "b", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeFalse();
        clock.Advance(TimeSpan.FromSeconds(20));
        (await lease.RenewAsync("bot", "a", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeTrue();
        clock.Advance(TimeSpan.FromSeconds(20));
        (await lease.TryAcquireAsync("bot", "b", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeFalse();
        clock.Advance(TimeSpan.FromSeconds(11));
        (await lease.TryAcquireAsync("bot", "b", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeTrue();
        (await lease.RenewAsync("bot", "a", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeFalse();
        await lease.ReleaseAsync("bot", "a", CancellationToken.None);
        (await lease.TryAcquireAsync("bot", "a", TimeSpan.FromSeconds(30), CancellationToken.None)).ShouldBeFalse("releasing someone else's lease does nothing");
    }

    [Fact]
    public async Task State_store_never_moves_a_cursor_back()
    {
        await _store.SaveChannelCursorAsync("bot", "c", "1000", CancellationToken.None);
        await _store.SaveChannelCursorAsync("bot", "c", "999", CancellationToken.None);

        (await _store.LoadAsync("bot", CancellationToken.None)).ChannelCursors["c"].ShouldBe("1000");
    }

    private static JsonObject Archived(JsonObject thread)
    {
        thread["thread_metadata"] = new JsonObject { ["archived"] = true, ["locked"] = false };
        return thread;
    }

    private sealed class FailOnceSink : ISignalSink
    {
        private readonly RecordingSink _inner = new();
        private int _calls;

        public IReadOnlyList<SignalEnvelope> Signals => _inner.Signals;

        public Task EnqueueAsync(Guid workspaceId, Guid? integrationId, IReadOnlyList<SignalEnvelope> signals, CancellationToken cancellationToken)
        {
            if (signals.Any(s => s.Body == "second") && Interlocked.Increment(ref _calls) == 1)
            {
                throw new InvalidOperationException("queue unavailable");
            }

            return _inner.EnqueueAsync(workspaceId, integrationId, signals, cancellationToken);
        }
    }
}
