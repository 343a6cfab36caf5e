using GitMesh.Connectors.Discord;
using GitMesh.Connectors.Discord.Listener;
using GitMesh.Connectors.GitHub;
using GitMesh.Connectors.Reddit;
using GitMesh.Connectors.StackExchange;
using GitMesh.Connectors.X;
using GitMesh.Integrations.Discord;
using GitMesh.Integrations.Imports;
using GitMesh.Integrations.Management;
using GitMesh.Integrations.Runs;
using GitMesh.Integrations.Webhooks;
using GitMesh.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitMesh.Integrations;

public static class IntegrationsServiceCollectionExtensions
{
    /// <summary>
    /// Every source connector, the connector-run workflow, integration management, webhook intake, file imports and the
    /// database-backed Discord listener state. The host provides <see cref="Connectors.ISignalSink"/> (AddGitMeshIngest)
    /// and, to start runs, the workflow client (AddGitMeshWorkflows). <paramref name="runDiscordListener"/> adds the
    /// supervisor that keeps one gateway listener per active Discord integration (DiscordListener host, or the Api in
    /// the embedded profile).
    /// </summary>
    public static IServiceCollection AddGitMeshIntegrations(this IServiceCollection services, IConfiguration configuration, bool runDiscordListener = false)
    {
        services.AddOptions<IntegrationsOptions>().Bind(configuration.GetSection(IntegrationsOptions.SectionName))
            .Validate(o => o.IsValid(), "Integrations: sizes, batch counts and intervals must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // Before AddDiscordConnector: its in-memory defaults are TryAdd, so these win.
        services.TryAddSingleton<IDiscordStateStore, DatabaseDiscordStateStore>();
        services.TryAddSingleton<IDiscordBotLease, DatabaseDiscordBotLease>();

        services.AddGitHubConnector(configuration);
        services.AddRedditConnector();
        services.AddXConnector();
        services.AddStackExchangeConnector();
        services.AddDiscordConnector();

        services.TryAddScoped<IntegrationRequests>();
        services.TryAddScoped<IntegrationManager>();
        services.TryAddScoped<WebhookIntake>();
        services.TryAddScoped<SignalImporter>();
        services.AddWorkflow<ConnectorRunWorkflow>();
        if (runDiscordListener)
        {
            services.AddHostedService<DiscordListenerSupervisor>();
        }

        return services;
    }
}
