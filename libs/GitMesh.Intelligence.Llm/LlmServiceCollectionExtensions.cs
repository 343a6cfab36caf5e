using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

public static class LlmServiceCollectionExtensions
{
    public const string HttpClientName = "GitMesh.Llm";

    /// <summary>
    /// The optional LLM enrichment: options (validated at start when enabled), status, and, when
    /// <paramref name="runWorker"/>, the background worker. Disabled, the worker returns at once and the status says so.
    /// </summary>
    public static IServiceCollection AddGitMeshLlm(this IServiceCollection services, bool runWorker)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(HttpClientName);
        services.TryAddSingleton<ILlmChatClient, OpenAiLlmChatClient>();
        services.TryAddSingleton<LlmGate>();
        services.TryAddSingleton<LlmBudget>();
        services.TryAddSingleton<LlmEnrichmentProcessor>();
        services.TryAddSingleton<LlmStatusReader>();
        if (runWorker)
        {
            services.AddHostedService<LlmEnrichmentWorker>();
        }

        return services;
    }
}
