using System.Diagnostics;
using GitMesh.Data;
using GitMesh.Messaging.Database;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace GitMesh.Messaging.Tests;

/// <summary>Database adapter specifics beyond the shared contract: bulk sends, queue order, the claim indexes.</summary>
public sealed class DatabaseMessageQueueTests(ITestOutputHelper output)
{
    private readonly FakeTimeProvider _time = new();

    private DatabaseMessageQueue Create(TestDatabase db, QueueSignals? signals = null) =>
        new(db.Info, Options.Create(new QueueOptions()), Options.Create(new DatabaseQueueOptions()), signals ?? new QueueSignals(), _time,
            NullLogger<DatabaseMessageQueue>.Instance);

    [Theory, Providers]
    public async Task A_hundred_thousand_messages_go_in_as_one_batch_and_come_out_in_order(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var queue = Create(db);
        var bodies = Enumerable.Range(0, 100_000).Select(i => $"{{\"n\":{i}}}").ToList();

        var watch = Stopwatch.StartNew();
        await queue.SendBatchAsync("bulk", bodies, CancellationToken.None);
        output.WriteLine($"{provider}: sent 100,000 messages in {watch.ElapsedMilliseconds} ms");

        (await queue.GetStatsAsync("bulk", CancellationToken.None)).Visible.ShouldBe(100_000);
        var first = await queue.ReceiveAsync("bulk", 5, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        first.Select(m => m.Body).ShouldBe(bodies.Take(5));
        watch.Restart();
        var drained = 0;
        while (drained < 5_000)
        {
            var batch = await queue.ReceiveAsync("bulk", 500, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
            await queue.DeleteBatchAsync("bulk", batch, CancellationToken.None);
            drained += batch.Count;
        }

        output.WriteLine($"{provider}: received and deleted 5,000 messages in batches of 500 in {watch.ElapsedMilliseconds} ms");
        (await queue.GetStatsAsync("bulk", CancellationToken.None)).ShouldBe(new QueueStats(100_000 - 5_000 - 5, 5, 0, _time.GetUtcNow().UtcDateTime));
    }

    [Theory, Providers]
    public async Task Queues_are_separate(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var queue = Create(db);
        await queue.SendBatchAsync("a", ["for a"], CancellationToken.None);

        (await queue.ReceiveAsync("b", 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None)).ShouldBeEmpty();
        (await queue.ReceiveAsync("a", 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None)).ShouldHaveSingleItem().Body.ShouldBe("for a");
    }

    [Theory, Providers]
    public async Task A_long_poll_gives_up_empty_when_its_wait_ends(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var queue = Create(db);

        var receive = queue.ReceiveAsync("idle", 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None);
        while (!receive.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        (await receive).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Migrations_create_the_partial_claim_and_dead_letter_indexes(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var context = db.CreateContext();
        var connection = (System.Data.Common.DbConnection)context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = provider == DatabaseProvider.Postgres
            ? "SELECT indexname FROM pg_indexes WHERE tablename = 'queue_messages' ORDER BY indexname"
            : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'queue_messages' AND sql IS NOT NULL ORDER BY name";
        var names = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        names.ShouldBe(provider == DatabaseProvider.Postgres
            ? ["ix_queue_messages_claim", "ix_queue_messages_dead_letters", "pk_queue_messages"]
            : ["ix_queue_messages_claim", "ix_queue_messages_dead_letters"]);
    }
}
