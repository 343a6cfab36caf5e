using GitMesh.Data;
using GitMesh.Messaging.Database;
using GitMesh.TestCommon;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Tests;

/// <summary>The contract on the database adapter: a fresh migrated database per test and a fake clock.</summary>
public abstract class DatabaseQueueContractTests(DatabaseProvider provider) : MessageQueueContractTests, IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private TestDatabase? _database;

    protected override TimeSpan ShortVisibility => TimeSpan.FromSeconds(30);

    protected override TimeSpan ReturnWait => TimeSpan.Zero;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override Task<IMessageQueue> CreateQueueAsync(QueueOptions options) =>
        Task.FromResult<IMessageQueue>(new DatabaseMessageQueue(_database!.Info, Options.Create(options), Options.Create(new DatabaseQueueOptions()),
            new QueueSignals(), _time, NullLogger<DatabaseMessageQueue>.Instance));

    protected override Task PassAsync(TimeSpan duration)
    {
        _time.Advance(duration);
        return Task.CompletedTask;
    }
}

public sealed class SqliteQueueContractTests() : DatabaseQueueContractTests(DatabaseProvider.Sqlite);

public sealed class PostgresQueueContractTests() : DatabaseQueueContractTests(DatabaseProvider.Postgres);
