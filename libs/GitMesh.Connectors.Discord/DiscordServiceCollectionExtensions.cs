using GitMesh.Connectors.Discord.Listener;
using GitMesh.Connectors.Discord.Polling;
using GitMesh.Connectors.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Discord REST client, the polled <see cref="ISourceConnector"/> ("discord") and the
    /// <see cref="DiscordBotListenerFactory"/> for the gateway listener host. State store and lease default to
    /// in-memory implementations; register database-backed ones before or after this call to replace them
    /// (they are added with TryAdd). <see cref="ISignalSink"/> must be registered by the host.
    /// </summary>
    public static IServiceCollection AddDiscordConnector(this IServiceCollection services)
    {
        services.AddOptions<DiscordOptions>()
            .BindConfiguration(DiscordOptions.SectionName)
            .Validate(o => o.IsValid(), "Connectors:Discord is invalid: check URLs (ApiBaseUrl must end in '/') and that delays are positive and LeaseRenewInterval < LeaseDuration.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DiscordRateLimitGate>();
        services.AddHttpClient<DiscordRestClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<DiscordOptions>>().Value;
            http.BaseAddress = options.ApiBaseUrl;
            http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
            http.Timeout = TimeSpan.FromSeconds(30);
        })
            // A listener keeps its typed client for days; recycling pooled connections keeps DNS changes visible.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddTransient<ISourceConnector, DiscordConnector>();

        services.TryAddSingleton<IDiscordStateStore, InMemoryDiscordStateStore>();
        services.TryAddSingleton<IDiscordBotLease, InMemoryDiscordBotLease>();
        services.TryAddSingleton<DiscordBotListenerFactory>();
        return services;
    }
}
