using System.Text.Json;
using GitMesh.Connectors.Discord.Listener;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Connectors.Discord.Polling;
using GitMesh.Connectors.Discord.Tests.Support;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord.Tests.Polling;

public sealed class DiscordConnectorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Since = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private FakeDiscord _discord = null!;

    public async Task InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async Task DisposeAsync() => await _discord.DisposeAsync();

    private static string IdAt(int minutes) => DiscordSnowflake.FromTimestamp(Since.AddMinutes(minutes));

    private static ConnectorRequest Request(string? cursor, string token = "bot-token") => new(
        Guid.NewGuid(),
        Guid.NewGuid(),
        new Dictionary<string, string> { [DiscordBotSettings.GuildIdSetting] = Fixtures.GuildId, [DiscordBotSettings.ChannelIdsSetting] = "100, 200" },
        new Dictionary<string, string> { [DiscordBotSettings.BotTokenCredential] = token },
        cursor,
        Since);

    [Fact]
    public async Task Pages_through_channel_history_with_a_per_channel_cursor()
    {
        _discord.AddMessage(Fixtures.RestMessage(IdAt(-10), "100", "before the backfill window"));
        for (var i = 1; i <= 120; i++) _discord.AddMessage(Fixtures.RestMessage(IdAt(i), "100", $"c100 #{i}"));
        _discord.AddMessage(Fixtures.RestMessage(IdAt(5), "200", "c200"));
        var connector = new DiscordConnector(TestSupport.RestClient(_discord));

        var first = await connector.FetchPageAsync(Request(null), CancellationToken.None);

        connector.Type.ShouldBe("discord");
        first.Signals.Count.ShouldBe(101);
        first.Signals.Take(100).Select(s => s.Body).ShouldBe(Enumerable.Range(1, 100).Select(i => $"c100 #{i}"));
        first.Signals[100].Body.ShouldBe("c200");
        first.HasMore.ShouldBeTrue();
        var cursor = JsonSerializer.Deserialize<Dictionary<string, string>>(first.NextCursor!)!;
        cursor["100"].ShouldBe(IdAt(100));
        cursor["200"].ShouldBe(IdAt(5));

        var second = await connector.FetchPageAsync(Request(first.NextCursor), CancellationToken.None);

        second.Signals.Select(s => s.Body).ShouldBe(Enumerable.Range(101, 20).Select(i => $"c100 #{i}"));
        second.HasMore.ShouldBeFalse();
        var third = await connector.FetchPageAsync(Request(second.NextCursor), CancellationToken.None);
        third.Signals.ShouldBeEmpty();
        third.NextCursor.ShouldBe(second.NextCursor);
    }

    [Fact]
    public async Task Active_threads_of_configured_channels_are_polled_too()
    {
        var threadId = IdAt(1);
        _discord.Channels[threadId] = Fixtures.Thread(threadId, "100");
        _discord.Channels["999"] = Fixtures.Thread("999", "555");
        _discord.AddMessage(Fixtures.RestMessage(threadId, threadId, "forum post starter shares the thread id"));
        _discord.AddMessage(Fixtures.RestMessage(IdAt(2), "999", "not ours"));
        var connector = new DiscordConnector(TestSupport.RestClient(_discord));

        var page = await connector.FetchPageAsync(Request(null), CancellationToken.None);

        var signal = page.Signals.ShouldHaveSingleItem();
        signal.ExternalId.ShouldBe($"{threadId}/{threadId}");
        signal.Metadata!["parent_channel_id"].ShouldBe("100");
    }

    [Fact]
    public async Task Test_connection_reports_identity_and_unreadable_channels()
    {
        _discord.Channels["100"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "100", ["type"] = 0, ["guild_id"] = Fixtures.GuildId };
        var connector = new DiscordConnector(TestSupport.RestClient(_discord));

        var result = await connector.TestConnectionAsync(Request(null), CancellationToken.None);

        result.Ok.ShouldBeFalse();
        result.Message.ShouldContain("200");
        _discord.Channels["200"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "200", ["type"] = 0, ["guild_id"] = Fixtures.GuildId };
        (await connector.TestConnectionAsync(Request(null), CancellationToken.None)).Ok.ShouldBeTrue();
    }

    [Fact]
    public async Task Registration_wires_the_connector_listener_factory_and_validated_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connectors:Discord:ApiBaseUrl"] = _discord.ApiBase.AbsoluteUri,
            ["Connectors:Discord:GatewayUrl"] = _discord.GatewayUrl.AbsoluteUri,
            ["Connectors:Discord:InstanceId"] = "node-1",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<ISignalSink>(new RecordingSink())
            .AddDiscordConnector();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var connector = provider.GetServices<ISourceConnector>().ShouldHaveSingleItem();
        connector.Type.ShouldBe("discord");
        (await connector.TestConnectionAsync(Request(null), CancellationToken.None)).Message.ShouldNotBeNullOrEmpty();
        _discord.RestRequests[0].Headers["User-Agent"].ShouldStartWith("DiscordBot");
        var factory = provider.GetRequiredService<DiscordBotListenerFactory>();
        factory.OwnerId.ShouldBe("node-1");
        factory.Create(DiscordBotSettings.FromIntegration("bot", Guid.NewGuid(), null, Request(null).Settings, Request(null).Credentials))
            .BotId.ShouldBe("bot");
    }

    [Fact]
    public void Invalid_options_fail_validation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connectors:Discord:ApiBaseUrl"] = "https://discord.com/api/v10",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDiscordConnector().BuildServiceProvider();

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscordOptions>>().Value);
    }

    [Fact]
    public void Integration_settings_parse_channel_lists_and_require_token_and_guild()
    {
        var settings = DiscordBotSettings.FromIntegration("b", Guid.Empty, null,
            new Dictionary<string, string> { ["guild_id"] = "1", ["channel_ids"] = "10,20 20\n30" },
            new Dictionary<string, string> { ["bot_token"] = " t " });

        settings.ChannelIds.ShouldBe(["10", "20", "30"]);
        settings.Token.ShouldBe("t");
        Should.Throw<ArgumentException>(() => DiscordBotSettings.FromIntegration("b", Guid.Empty, null,
            new Dictionary<string, string> { ["guild_id"] = "1" }, new Dictionary<string, string>()));
    }
}
