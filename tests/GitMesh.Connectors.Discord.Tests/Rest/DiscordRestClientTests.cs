using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Connectors.Discord.Rest;
using GitMesh.Connectors.Discord.Tests.Support;
using GitMesh.TestCommon.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord.Tests.Rest;

public sealed class DiscordRestClientTests : IAsyncLifetime
{
    private const string Channel = "290926798999357250";
    private FakeDiscord _discord = null!;

    public async Task InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async Task DisposeAsync() => await _discord.DisposeAsync();

    private static string Id(ulong n) => (1_000_000_000_000UL + n).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Messages_after_a_snowflake_page_forward_until_a_short_page_oldest_first()
    {
        for (ulong i = 1; i <= 250; i++) _discord.AddMessage(Fixtures.RestMessage(Id(i), Channel, $"message {i}"));
        var client = TestSupport.RestClient(_discord);

        var pages = new List<IReadOnlyList<DiscordMessage>>();
        await foreach (var page in client.ListMessagesAfterAsync("test-token", Channel, Id(0), CancellationToken.None)) pages.Add(page);

        pages.Select(p => p.Count).ShouldBe([100, 100, 50]);
        pages.SelectMany(p => p).Select(m => m.Id).ShouldBe(Enumerable.Range(1, 250).Select(i => Id((ulong)i)));
        var queries = _discord.RestRequests.Select(r => r.Query).ToList();
        queries.ShouldBe([$"?after={Id(0)}&limit=100", $"?after={Id(100)}&limit=100", $"?after={Id(200)}&limit=100"]);
    }

    [Fact]
    public async Task Requests_carry_the_bot_authorization_and_a_discord_bot_user_agent()
    {
        var client = TestSupport.RestClient(_discord);

        await client.GetCurrentUserAsync("secret-token", CancellationToken.None);

        var request = _discord.RestRequests.Single();
        request.Path.ShouldBe("/api/v10/users/@me");
        request.Headers["Authorization"].ShouldBe("Bot secret-token");
        request.Headers["User-Agent"].ShouldStartWith("DiscordBot (");
    }

    [Fact]
    public async Task Rest_message_fixture_deserializes()
    {
        _discord.AddMessage(Fixtures.Json("rest_message.example.json"));
        var client = TestSupport.RestClient(_discord);

        var page = await client.GetMessagesAfterAsync("t", Channel, "0", 100, CancellationToken.None);

        var message = page.ShouldHaveSingleItem();
        message.Id.ShouldBe("334385199974967042");
        message.Content.ShouldBe("Supa Hot");
        message.Author!.Username.ShouldBe("Mason");
        message.Timestamp.ShouldBe(new DateTimeOffset(2017, 7, 11, 17, 27, 7, 299, TimeSpan.Zero));
    }

    [Fact]
    public async Task Rate_limited_request_waits_retry_after_then_succeeds()
    {
        _discord.AddMessage(Fixtures.RestMessage(Id(1), Channel, "hello"));
        _discord.RateLimitsToServe[$"channels/{Channel}/messages"] = 1;
        _discord.RateLimitRetryAfterSeconds = 0.3;
        var client = TestSupport.RestClient(_discord);

        var watch = Stopwatch.StartNew();
        var page = await client.GetMessagesAfterAsync("t", Channel, Id(0), 100, CancellationToken.None);

        page.ShouldHaveSingleItem().Content.ShouldBe("hello");
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        _discord.RestRequests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Rate_limit_longer_than_the_inline_wait_surfaces_as_RateLimitedException()
    {
        _discord.RateLimitsToServe[$"channels/{Channel}/messages"] = 1;
        _discord.RateLimitRetryAfterSeconds = 120.5;
        var client = TestSupport.RestClient(_discord);
        var before = DateTimeOffset.UtcNow;

        var error = await Should.ThrowAsync<RateLimitedException>(() => client.GetMessagesAfterAsync("t", Channel, Id(0), 100, CancellationToken.None));

        error.Provider.ShouldBe("discord");
        error.RetryAt.ShouldBeGreaterThanOrEqualTo(before.AddSeconds(120));
        error.RetryAt.ShouldBeLessThan(before.AddSeconds(130));
        _discord.RestRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Exhausted_bucket_from_headers_delays_the_next_request()
    {
        var gate = new DiscordRateLimitGate(TimeProvider.System);
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset-After"] = "0.5";
            await context.Response.WriteAsync("[]");
        });
        var client = Client(server, gate);

        await client.GetMessagesAfterAsync("t", Channel, "0", 100, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        await client.GetMessagesAfterAsync("t", Channel, "0", 100, CancellationToken.None);

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Unauthorized_is_a_ConnectorAuthException_with_discords_message()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("""{"message": "401: Unauthorized", "code": 0}""");
        });

        var error = await Should.ThrowAsync<ConnectorAuthException>(() => Client(server).GetCurrentUserAsync("bad", CancellationToken.None));

        error.ProviderMessage.ShouldBe("401: Unauthorized");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Server_errors_are_transient(int status)
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        await Should.ThrowAsync<TransientConnectorException>(() => Client(server).GetMessagesAfterAsync("t", Channel, "0", 100, CancellationToken.None));
    }

    [Fact]
    public async Task Malformed_body_is_transient()
    {
        await using var server = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("<html>bad gateway</html>"));

        await Should.ThrowAsync<TransientConnectorException>(() => Client(server).GetMessagesAfterAsync("t", Channel, "0", 100, CancellationToken.None));
    }

    [Fact]
    public async Task Missing_access_on_a_message_list_is_a_DiscordApiException_with_the_json_code()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("""{"message": "Missing Access", "code": 50001}""");
        });

        var error = await Should.ThrowAsync<DiscordApiException>(() => Client(server).GetMessagesAfterAsync("t", Channel, "0", 100, CancellationToken.None));

        error.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        error.DiscordCode.ShouldBe(50001);
    }

    [Fact]
    public async Task Unknown_channel_lookup_returns_null()
    {
        var client = TestSupport.RestClient(_discord);

        (await client.GetChannelAsync("t", "404404", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Active_threads_and_gateway_bot_are_read()
    {
        _discord.Channels["300"] = Fixtures.Thread("300", "100");
        var client = TestSupport.RestClient(_discord);

        var threads = await client.ListActiveThreadsAsync("t", Fixtures.GuildId, CancellationToken.None);
        var gateway = await client.GetGatewayBotAsync("t", CancellationToken.None);

        threads.ShouldHaveSingleItem().ParentId.ShouldBe("100");
        threads[0].IsThread.ShouldBeTrue();
        gateway.Url.ShouldStartWith("ws://127.0.0.1");
        gateway.SessionStartLimit!.MaxConcurrency.ShouldBe(1);
        _discord.RestRequests[0].Path.ShouldBe($"/api/v10/guilds/{Fixtures.GuildId}/threads/active");
    }

    private static DiscordRestClient Client(LoopbackServer server, DiscordRateLimitGate? gate = null) => new(
        new HttpClient { BaseAddress = new Uri(server.BaseAddress, "api/v10/") },
        gate ?? new DiscordRateLimitGate(TimeProvider.System),
        Options.Create(new DiscordOptions()),
        TimeProvider.System,
        NullLogger<DiscordRestClient>.Instance);
}

internal static class ResponseExtensions
{
    public static Task WriteAsync(this Microsoft.AspNetCore.Http.HttpResponse response, string body)
    {
        response.ContentType = "application/json";
        return response.Body.WriteAsync(Encoding.UTF8.GetBytes(body)).AsTask();
    }
}
