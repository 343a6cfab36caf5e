using GitMesh.Connectors.Discord.Gateway;
using GitMesh.Data;
using GitMesh.Integrations.Discord;
using GitMesh.TestCommon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Integrations.Tests;

public sealed class DiscordStateTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    [Theory, Providers]
    public async Task A_second_owner_cannot_acquire_a_held_lease_until_it_expires_or_is_released(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = new ManualClock(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var services = Services(database);
        var lease = new DatabaseDiscordBotLease(services.GetRequiredService<IServiceScopeFactory>(), clock);

        (await lease.TryAcquireAsync("bot-1", "owner-a", Duration, default)).ShouldBeTrue();
        (await lease.TryAcquireAsync("bot-1", "owner-b", Duration, default)).ShouldBeFalse();
        (await lease.RenewAsync("bot-1", "owner-b", Duration, default)).ShouldBeFalse();
        (await lease.TryAcquireAsync("bot-1", "owner-a", Duration, default)).ShouldBeTrue("re-acquiring its own lease is fine");
        (await lease.TryAcquireAsync("bot-2", "owner-b", Duration, default)).ShouldBeTrue("leases are per bot");

        clock.Advance(TimeSpan.FromSeconds(30));
        (await lease.RenewAsync("bot-1", "owner-a", Duration, default)).ShouldBeTrue();
        clock.Advance(TimeSpan.FromSeconds(45));
        (await lease.TryAcquireAsync("bot-1", "owner-b", Duration, default)).ShouldBeFalse("the renewal extended it");

        clock.Advance(TimeSpan.FromSeconds(20));
        (await lease.TryAcquireAsync("bot-1", "owner-b", Duration, default)).ShouldBeTrue("expired leases can be taken over");
        (await lease.RenewAsync("bot-1", "owner-a", Duration, default)).ShouldBeFalse("the old owner lost it");

        await lease.ReleaseAsync("bot-1", "owner-a", default);
        (await lease.TryAcquireAsync("bot-1", "owner-a", Duration, default)).ShouldBeFalse("releasing a lease one does not hold changes nothing");
        await lease.ReleaseAsync("bot-1", "owner-b", default);
        (await lease.TryAcquireAsync("bot-1", "owner-a", Duration, default)).ShouldBeTrue();
    }

    [Theory, Providers]
    public async Task Concurrent_acquires_of_a_free_bot_have_exactly_one_winner(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = Services(database);
        var lease = new DatabaseDiscordBotLease(services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => lease.TryAcquireAsync("bot-x", $"owner-{i}", Duration, default))));
        results.Count(r => r).ShouldBe(1);
    }

    [Theory, Providers]
    public async Task Channel_cursors_only_move_forward_and_sessions_round_trip(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = Services(database);
        var store = new DatabaseDiscordStateStore(services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System);

        await store.SaveChannelCursorAsync("bot-1", "100", "1200000000000000000", default);
        await store.SaveChannelCursorAsync("bot-1", "100", "999999999999999999", default); // shorter string, smaller number
        await store.SaveChannelCursorAsync("bot-1", "200", "5", default);
        await store.SaveChannelCursorAsync("bot-1", "200", "40", default);
        await store.SaveSessionAsync("bot-1", new DiscordGatewaySession("sess-1", "wss://resume.discord.gg", 42), default);

        var state = await store.LoadAsync("bot-1", default);
        state.ChannelCursors["100"].ShouldBe("1200000000000000000");
        state.ChannelCursors["200"].ShouldBe("40");
        state.Session.ShouldBe(new DiscordGatewaySession("sess-1", "wss://resume.discord.gg", 42));

        await store.SaveSessionAsync("bot-1", null, default);
        (await store.LoadAsync("bot-1", default)).Session.ShouldBeNull();
        (await store.LoadAsync("bot-2", default)).ChannelCursors.ShouldBeEmpty();
    }

    private static ServiceProvider Services(TestDatabase database)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.Info.ConnectionString,
        }).Build();
        return new ServiceCollection().AddGitMeshDbContext(configuration, Path.GetTempPath()).BuildServiceProvider();
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
