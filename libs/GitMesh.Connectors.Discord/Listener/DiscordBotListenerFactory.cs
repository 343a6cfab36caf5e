using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Discord.Listener;

/// <summary>Creates one <see cref="DiscordBotListener"/> per bot; all listeners of this process share one lease owner id.</summary>
public sealed class DiscordBotListenerFactory(IServiceProvider services, IOptions<DiscordOptions> options)
{
    public string OwnerId { get; } = options.Value.InstanceId
        ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public DiscordBotListener Create(DiscordBotSettings settings) =>
        ActivatorUtilities.CreateInstance<DiscordBotListener>(services, settings, OwnerId);
}
