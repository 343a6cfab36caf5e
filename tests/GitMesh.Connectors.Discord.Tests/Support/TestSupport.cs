using System.Collections.Concurrent;
using GitMesh.Connectors.Discord.Gateway;
using GitMesh.Connectors.Discord.Rest;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord.Tests.Support;

internal sealed class RecordingSink : ISignalSink
{
    private readonly ConcurrentQueue<SignalEnvelope> _signals = new();

    public IReadOnlyList<SignalEnvelope> Signals => _signals.ToArray();

    public Task EnqueueAsync(Guid workspaceId, Guid? integrationId, IReadOnlyList<SignalEnvelope> signals, CancellationToken cancellationToken)
    {
        foreach (var signal in signals) _signals.Enqueue(signal);
        return Task.CompletedTask;
    }
}

/// <summary>A clock tests move by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

internal static class TestSupport
{
    public static DiscordOptions Options(FakeDiscord discord) => new()
    {
        ApiBaseUrl = discord.ApiBase,
        GatewayUrl = discord.GatewayUrl,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
        InvalidSessionMinDelay = TimeSpan.FromMilliseconds(10),
        InvalidSessionMaxDelay = TimeSpan.FromMilliseconds(30),
        GatewayConnectTimeout = TimeSpan.FromSeconds(5),
        InitialBackfill = TimeSpan.Zero,
        BackfillRetryDelay = TimeSpan.FromMilliseconds(50),
        LeaseDuration = TimeSpan.FromSeconds(10),
        LeaseRenewInterval = TimeSpan.FromSeconds(2),
        SessionSaveInterval = TimeSpan.FromMilliseconds(1),
        MaxInlineRateLimitWait = TimeSpan.FromSeconds(5),
    };

    public static DiscordGatewayClientOptions GatewayOptions(FakeDiscord discord, DiscordGatewaySession? resumeFrom = null) =>
        DiscordGatewayClientOptions.From(Options(discord), discord.GatewayUrl, "test-token", resumeFrom);

    public static DiscordRestClient RestClient(FakeDiscord discord, DiscordOptions? options = null)
    {
        options ??= Options(discord);
        var http = new HttpClient { BaseAddress = options.ApiBaseUrl };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        return new DiscordRestClient(
            http,
            new DiscordRateLimitGate(TimeProvider.System),
            Microsoft.Extensions.Options.Options.Create(options),
            TimeProvider.System,
            NullLogger<DiscordRestClient>.Instance);
    }

    public static async Task EventuallyAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + FakeDiscord.Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Timed out waiting: " + because);
            await Task.Delay(10);
        }
    }
}
