using GitMesh.Messaging.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Tests;

/// <summary>
/// The contract on the SQS adapter against the fauxqs emulator, wired through AddGitMeshQueue like production. SQS keeps
/// its own clock: timeouts here are one second and time passes for real.
/// </summary>
public sealed class SqsQueueContractTests : MessageQueueContractTests, IDisposable
{
    private readonly List<ServiceProvider> _providers = [];

    protected override TimeSpan ShortVisibility => TimeSpan.FromSeconds(1);

    protected override TimeSpan ReturnWait => TimeSpan.FromSeconds(5);

    protected override bool KnowsOldestVisible => false;

    protected override async Task<IMessageQueue> CreateQueueAsync(QueueOptions options)
    {
        var url = await SqsEmulator.GetUrlAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Queue:Provider"] = "Sqs",
            ["Queue:Sqs:ServiceUrl"] = url.ToString(),
            ["Queue:Sqs:Region"] = "eu-west-1",
            ["Queue:Sqs:AccessKey"] = "test",
            ["Queue:Sqs:SecretKey"] = "test",
            ["Queue:Sqs:QueuePrefix"] = "gm-",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddGitMeshQueue(configuration);
        services.AddSingleton(Options.Create(options));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        var queue = provider.GetRequiredService<IMessageQueue>();
        queue.ShouldBeOfType<SqsMessageQueue>();
        return queue;
    }

    protected override Task PassAsync(TimeSpan duration) => Task.Delay(duration);

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }
}
