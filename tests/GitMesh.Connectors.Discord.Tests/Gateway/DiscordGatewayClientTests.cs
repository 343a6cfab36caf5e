using System.Text.Json;
using System.Threading.Channels;
using GitMesh.Connectors.Discord.Gateway;
using GitMesh.Connectors.Discord.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitMesh.Connectors.Discord.Tests.Gateway;

public sealed class DiscordGatewayClientTests : IAsyncLifetime
{
    private FakeDiscord _discord = null!;
    private readonly Channel<DiscordGatewayDispatch> _dispatches = Channel.CreateUnbounded<DiscordGatewayDispatch>();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));

    public async Task InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await _discord.DisposeAsync();
    }

    private DiscordGatewayClient Client(DiscordGatewaySession? resumeFrom = null) => new(
        TestSupport.GatewayOptions(_discord, resumeFrom),
        (dispatch, _) =>
        {
            _dispatches.Writer.TryWrite(dispatch);
            return Task.CompletedTask;
        },
        TimeProvider.System,
        NullLogger<DiscordGatewayClient>.Instance);

    private async Task<DiscordGatewayDispatch> NextDispatchAsync(string eventName)
    {
        using var timeout = new CancellationTokenSource(FakeDiscord.Timeout);
        while (true)
        {
            var dispatch = await _dispatches.Reader.ReadAsync(timeout.Token);
            if (dispatch.EventName == eventName) return dispatch;
        }
    }

    [Fact]
    public async Task Hello_is_answered_with_identify_carrying_token_and_message_content_intent_then_dispatches_flow()
    {
        var client = Client();
        var run = client.RunAsync(_stop.Token);

        var connection = await _discord.NextConnectionAsync();
        connection.Path.ShouldBe("/gateway");
        connection.Query.ShouldContain("v=10");
        connection.Query.ShouldContain("encoding=json");
        await connection.SendAsync(Fixtures.Text("gateway_hello.example.json"));

        var identify = await connection.ReceiveAsync();
        identify.GetProperty("op").GetInt32().ShouldBe(2);
        var d = identify.GetProperty("d");
        d.GetProperty("token").GetString().ShouldBe("test-token");
        var intents = d.GetProperty("intents").GetInt32();
        intents.ShouldBe((1 << 0) | (1 << 9) | (1 << 15));
        d.GetProperty("properties").GetProperty("os").GetString().ShouldNotBeNullOrEmpty();
        d.GetProperty("properties").GetProperty("browser").GetString().ShouldNotBeNullOrEmpty();
        d.GetProperty("properties").GetProperty("device").GetString().ShouldNotBeNullOrEmpty();

        await connection.SendDispatchAsync("READY", 1, Fixtures.Ready("session-1", _discord.ResumeUrl));
        await connection.SendDispatchAsync("MESSAGE_CREATE", 2, Fixtures.MessageCreate("334385199974967042", "290926798999357250", "Supa Hot"));

        (await NextDispatchAsync("READY")).Sequence.ShouldBe(1);
        var message = await NextDispatchAsync("MESSAGE_CREATE");
        message.Sequence.ShouldBe(2);
        message.Data.GetProperty("content").GetString().ShouldBe("Supa Hot");
        client.Session.ShouldBe(new DiscordGatewaySession("session-1", _discord.ResumeUrl, 2));

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Heartbeat_request_from_server_is_answered_at_once_with_last_sequence()
    {
        var run = Client().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        // A weeks-long interval: any heartbeat seen within the test is the one the server asked for.
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl, heartbeatIntervalMs: int.MaxValue);
        await connection.SendDispatchAsync("GUILD_CREATE", 5, new System.Text.Json.Nodes.JsonObject { ["id"] = Fixtures.GuildId });
        await NextDispatchAsync("GUILD_CREATE");

        await connection.SendAsync("""{"op":1,"d":null}""");

        var heartbeat = await connection.NextHeartbeatAsync();
        heartbeat.GetProperty("d").GetInt64().ShouldBe(5);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Reconnect_opcode_resumes_on_resume_gateway_url_with_session_id_and_last_sequence()
    {
        var run = Client().RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        await first.HandshakeAsync("session-1", _discord.ResumeUrl);
        await first.SendDispatchAsync("MESSAGE_CREATE", 2, Fixtures.MessageCreate("334385199974967042", "290926798999357250", "hi"));
        await NextDispatchAsync("MESSAGE_CREATE");

        await first.SendAsync("""{"op":7,"d":null}""");

        var closeCode = await first.ClosedByClient.WaitAsync(FakeDiscord.Timeout);
        closeCode.ShouldNotBe(1000, "closing with 1000 would invalidate the session");
        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        second.Query.ShouldContain("v=10");
        await second.SendHelloAsync();
        var resume = await second.ReceiveAsync();
        resume.GetProperty("op").GetInt32().ShouldBe(6);
        resume.GetProperty("d").GetProperty("token").GetString().ShouldBe("test-token");
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-1");
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(2);

        await second.SendDispatchAsync("RESUMED", 3, new System.Text.Json.Nodes.JsonObject());
        (await NextDispatchAsync("RESUMED")).Sequence.ShouldBe(3);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Missed_heartbeat_ack_closes_the_zombied_connection_and_resumes()
    {
        var run = Client().RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        first.AutoAck = false;
        await first.HandshakeAsync("session-1", _discord.ResumeUrl, heartbeatIntervalMs: 100);
        await NextDispatchAsync("READY");

        var heartbeat = await first.NextHeartbeatAsync();
        heartbeat.GetProperty("op").GetInt32().ShouldBe(1);

        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.SendHelloAsync();
        var resume = await second.ReceiveAsync();
        resume.GetProperty("op").GetInt32().ShouldBe(6);
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-1");
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(1);
        (await first.ClosedByClient.WaitAsync(FakeDiscord.Timeout)).ShouldNotBe(1000);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Heartbeats_that_are_acknowledged_keep_the_connection()
    {
        var run = Client().RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.HandshakeAsync("session-1", _discord.ResumeUrl, heartbeatIntervalMs: 200);

        await TestSupport.EventuallyAsync(() => connection.HeartbeatCount >= 3, "several acknowledged heartbeats");
        _discord.ConnectionCount.ShouldBe(1);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Invalid_session_not_resumable_after_resume_starts_a_fresh_identify_on_the_gateway_url()
    {
        var client = Client(new DiscordGatewaySession("old-session", _discord.ResumeUrl, 41));
        var run = client.RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        first.Path.ShouldBe("/resume");
        await first.SendHelloAsync();
        (await first.ReceiveAsync()).GetProperty("op").GetInt32().ShouldBe(6);

        await first.SendAsync("""{"op":9,"d":false}""");

        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/gateway");
        await second.SendHelloAsync();
        var identify = await second.ReceiveAsync();
        identify.GetProperty("op").GetInt32().ShouldBe(2);
        client.Session.ShouldBeNull();

        await second.SendDispatchAsync("READY", 1, Fixtures.Ready("new-session", _discord.ResumeUrl));
        await NextDispatchAsync("READY");
        client.Session!.SessionId.ShouldBe("new-session");
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Invalid_session_resumable_resumes_the_same_session()
    {
        var run = Client().RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        await first.HandshakeAsync("session-1", _discord.ResumeUrl);
        await NextDispatchAsync("READY");

        await first.SendAsync("""{"op":9,"d":true}""");

        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.SendHelloAsync();
        var resume = await second.ReceiveAsync();
        resume.GetProperty("op").GetInt32().ShouldBe(6);
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-1");
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Authentication_failed_close_is_fatal_and_does_not_reconnect()
    {
        var client = Client();
        var run = client.RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.SendHelloAsync();
        await connection.ReceiveAsync();

        await connection.CloseAsync(4004, "Authentication failed.");

        var error = await Should.ThrowAsync<ConnectorAuthException>(run.WaitAsync(FakeDiscord.Timeout));
        error.Provider.ShouldBe("discord");
        error.ProviderMessage.ShouldBe("Authentication failed.");
        await Task.Delay(100);
        client.ConnectionAttempts.ShouldBe(1);
        _discord.ConnectionCount.ShouldBe(1);
    }

    [Theory]
    [InlineData(4010)]
    [InlineData(4011)]
    [InlineData(4012)]
    [InlineData(4013)]
    [InlineData(4014)]
    public async Task Configuration_close_codes_are_fatal(int closeCode)
    {
        var client = Client();
        var run = client.RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.SendHelloAsync();
        await connection.ReceiveAsync();

        await connection.CloseAsync(closeCode, "Disallowed intent(s).");

        var error = await Should.ThrowAsync<DiscordGatewayClosedException>(run.WaitAsync(FakeDiscord.Timeout));
        error.CloseCode.ShouldBe(closeCode);
        client.ConnectionAttempts.ShouldBe(1);
    }

    [Fact]
    public async Task Unknown_error_close_reconnects_and_resumes()
    {
        var run = Client().RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        await first.HandshakeAsync("session-1", _discord.ResumeUrl);
        await NextDispatchAsync("READY");

        await first.CloseAsync(4000, "Unknown error");

        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.SendHelloAsync();
        (await second.ReceiveAsync()).GetProperty("op").GetInt32().ShouldBe(6);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Session_timed_out_close_reconnects_with_a_fresh_identify()
    {
        var run = Client().RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        await first.HandshakeAsync("session-1", _discord.ResumeUrl);
        await NextDispatchAsync("READY");

        await first.CloseAsync(4009, "Session timed out");

        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/gateway");
        await second.SendHelloAsync();
        (await second.ReceiveAsync()).GetProperty("op").GetInt32().ShouldBe(2);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Dropped_connection_reconnects_with_backoff_and_resumes()
    {
        var run = Client().RunAsync(_stop.Token);
        var first = await _discord.NextConnectionAsync();
        await first.HandshakeAsync("session-1", _discord.ResumeUrl);
        await NextDispatchAsync("READY");

        first.Abort();

        var second = await _discord.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.SendHelloAsync();
        var resume = await second.ReceiveAsync();
        resume.GetProperty("op").GetInt32().ShouldBe(6);
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(1);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Resume_payload_matches_the_documented_shape()
    {
        var documented = JsonDocument.Parse(Fixtures.Text("gateway_resume.example.json")).RootElement;
        var run = Client(new DiscordGatewaySession("evenmorerandomstring", _discord.ResumeUrl, 1337)).RunAsync(_stop.Token);
        var connection = await _discord.NextConnectionAsync();
        await connection.SendHelloAsync();

        var resume = await connection.ReceiveAsync();

        resume.GetProperty("op").GetInt32().ShouldBe(documented.GetProperty("op").GetInt32());
        resume.GetProperty("d").EnumerateObject().Select(p => p.Name).Order()
            .ShouldBe(documented.GetProperty("d").EnumerateObject().Select(p => p.Name).Order());
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("evenmorerandomstring");
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(1337);
        await _stop.CancelAsync();
        await run;
    }
}
