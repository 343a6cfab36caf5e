using GitMesh.Connectors;
using GitMesh.Ingest.Learning;
using GitMesh.Ingest.Pipeline;
using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Llm;
using GitMesh.Messaging;
using GitMesh.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitMesh.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// The ingest pipeline: queue, search index, classifier, the signal sink for connectors, and (when
    /// <paramref name="runConsumer"/> and Ingest:ConsumerEnabled) the consumer loop and the optional LLM enrichment worker.
    /// </summary>
    public static IServiceCollection AddGitMeshIngest(this IServiceCollection services, IConfiguration configuration, bool runConsumer)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName);
        services.AddGitMeshQueue(configuration);
        services.AddSignalSearch();
        services.TryAddSingleton<ISignalClassifier>(_ => DefaultSignalClassifier.Shared);
        services.AddSingleton<DuplicateIndexCache>();
        services.AddSingleton<IngestMetrics>();
        services.AddOptions<LearningOptions>().BindConfiguration(LearningOptions.SectionName);
        services.TryAddSingleton<WorkspaceLearningCache>();
        services.TryAddSingleton<WorkspaceModelService>();
        services.AddScoped<IngestBatchProcessor>();
        services.AddSingleton<ISignalSink, QueueSignalSink>();
        var consumer = runConsumer && configuration.GetValue("Ingest:ConsumerEnabled", true);
        // Optional LLM enrichment runs after the batch commits, next to the consumer, never inside the batch.
        services.AddGitMeshLlm(runWorker: consumer);
        if (consumer)
        {
            services.AddHostedService<IngestConsumer>();
            if (configuration.GetValue("Intelligence:RetrainEnabled", true))
            {
                services.AddHostedService<WorkspaceModelRetrainer>();
            }
        }

        return services;
    }
}
