using System.Collections.Concurrent;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.TestCommon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitMesh.Intelligence.Llm.Tests;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Every log line at every level, formatted, with its exception.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>The LLM services on a real database, pointed at a fake endpoint, with a manual clock and captured logs.</summary>
public sealed class LlmHarness : IAsyncDisposable
{
    public const string ApiKey = "sk-test-SECRET-0123456789abcdef";

    private LlmHarness(TestDatabase database, FakeChatServer server, ServiceProvider services, ManualTime time, CapturingLoggerProvider logs)
    {
        Database = database;
        Server = server;
        Services = services;
        Time = time;
        Logs = logs;
    }

    public TestDatabase Database { get; }

    public FakeChatServer Server { get; }

    public ServiceProvider Services { get; }

    public ManualTime Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public LlmEnrichmentProcessor Processor => Services.GetRequiredService<LlmEnrichmentProcessor>();

    public static async Task<LlmHarness> CreateAsync(DatabaseProvider provider, Dictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var server = await FakeChatServer.StartAsync();
        var time = new ManualTime(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        var logs = new CapturingLoggerProvider();
        var config = new Dictionary<string, string?>
        {
            ["Intelligence:Llm:Enabled"] = "true",
            ["Intelligence:Llm:Endpoint"] = server.Endpoint.ToString(),
            ["Intelligence:Llm:Model"] = "test-model",
            ["Intelligence:Llm:ApiKey"] = ApiKey,
            ["Intelligence:Llm:RequestsPerMinute"] = "6000",
            ["Intelligence:Llm:Concurrency"] = "1",
        };
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(config).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(database.Info);
        services.AddScoped<WorkspaceScope>();
        services.AddDbContext<GitMeshDbContext>(b => DataServiceCollectionExtensions.Configure(b, database.Info));
        services.AddGitMeshLlm(runWorker: false);
        var provider2 = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new LlmHarness(database, server, provider2, time, logs);
    }

    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    public async Task<Guid> CreateWorkspaceAsync(string name, Guid? id = null)
    {
        await using var db = Database.CreateContext();
        var workspace = new Workspace { Id = id ?? Guid.CreateVersion7(), Name = name, Slug = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}", CreatedAt = Now, UpdatedAt = Now };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace.Id;
    }

    /// <summary>A signal as the ingest batch leaves it: offline labels, pending enrichment.</summary>
    public async Task<Signal> AddSignalAsync(Guid workspaceId, string title, string body, Action<Signal>? configure = null, int minutesAgo = 0)
    {
        await using var db = Database.CreateContext();
        var signal = new Signal
        {
            WorkspaceId = workspaceId,
            Source = "github",
            Kind = "issue",
            ExternalId = Guid.NewGuid().ToString("N"),
            Title = title,
            Body = body,
            BodyText = body,
            ContentHash = Guid.NewGuid().ToString("N"),
            IngestedAt = Now.AddMinutes(-minutesAgo),
            UpdatedAt = Now,
            Intent = "question",
            IntentConfidence = 0.55,
            Sentiment = "neutral",
            SentimentScore = 0.05,
            Urgency = "normal",
            Version = 1,
        };
        configure?.Invoke(signal);
        db.Signals.Add(signal);
        await db.SaveChangesAsync();
        return signal;
    }

    public async Task<Signal> GetAsync(Guid id)
    {
        await using var db = Database.CreateContext();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Signals, s => s.Id == id);
    }

    public async Task<LlmStatus> StatusAsync(Guid workspaceId)
    {
        await using var db = Database.CreateContext();
        return await Services.GetRequiredService<LlmStatusReader>().GetAsync(db, workspaceId, CancellationToken.None);
    }

    public string AllLogs => string.Join('\n', Logs.Lines);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}
