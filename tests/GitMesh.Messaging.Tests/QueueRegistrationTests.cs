using GitMesh.Data;
using GitMesh.Messaging.Database;
using GitMesh.Messaging.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Tests;

public sealed class QueueRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(new DatabaseInfo(DatabaseProvider.Sqlite, "Data Source=:memory:"));
        services.AddGitMeshQueue(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void The_database_queue_is_the_default()
    {
        using var provider = Build([]);

        provider.GetRequiredService<IMessageQueue>().ShouldBeOfType<DatabaseMessageQueue>();
    }

    [Fact]
    public void Provider_Sqs_selects_the_sqs_queue()
    {
        using var provider = Build(new() { ["Queue:Provider"] = "sqs", ["Queue:Sqs:ServiceUrl"] = "http://127.0.0.1:9324", ["Queue:Sqs:AccessKey"] = "a", ["Queue:Sqs:SecretKey"] = "b" });

        provider.GetRequiredService<IMessageQueue>().ShouldBeOfType<SqsMessageQueue>();
    }

    [Fact]
    public void Invalid_queue_options_name_the_setting_to_fix()
    {
        using var provider = Build(new() { ["Queue:Provider"] = "Kafka", ["Queue:MaxReceives"] = "0", ["Queue:MaxBackoff"] = "00:00:01" });

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<QueueOptions>>().Value);

        error.Message.ShouldContain("Queue:Provider is 'Kafka'");
        error.Message.ShouldContain("Queue:MaxReceives is 0");
        error.Message.ShouldContain("Queue:MaxBackoff");
    }

    [Fact]
    public void Sqs_keys_must_come_in_pairs_and_the_url_must_be_absolute()
    {
        using var provider = Build(new() { ["Queue:Provider"] = "Sqs", ["Queue:Sqs:ServiceUrl"] = "localhost:4566", ["Queue:Sqs:AccessKey"] = "only-one" });

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqsOptions>>().Value);

        error.Message.ShouldContain("Queue:Sqs:ServiceUrl 'localhost:4566'");
        error.Message.ShouldContain("AccessKey and Queue:Sqs:SecretKey go together");
    }

    [Theory]
    [InlineData(1, 0.0, 1)]
    [InlineData(1, 0.999, 2)]
    [InlineData(3, 1.0, 8)]
    [InlineData(10, 1.0, 60)]
    public void Backoff_doubles_per_receive_up_to_the_maximum_with_jitter_in_the_upper_half(int receiveCount, double jitter, int expectedSeconds)
    {
        var options = new QueueOptions { BaseBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(60) };

        Math.Round(QueueBackoff.Delay(options, receiveCount, jitter).TotalSeconds).ShouldBe(expectedSeconds);
    }
}
