using System.Collections.Concurrent;

namespace GitMesh.Messaging.Tests;

/// <summary>
/// The behaviour every <see cref="IMessageQueue"/> adapter owes its consumers. Subclasses provide the adapter and a way
/// to let time pass: the database adapters run on a fake clock; SQS keeps its own clock, so there time passes for real
/// (seconds, with short timeouts) and the following receive long-polls for what should come back.
/// </summary>
public abstract class MessageQueueContractTests
{
    /// <summary>A queue name of its own per test, so tests share a database or emulator without seeing each other.</summary>
    protected string Queue { get; } = "t" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The visibility timeout tests use when they want it to run out.</summary>
    protected abstract TimeSpan ShortVisibility { get; }

    /// <summary>How long a receive waits for messages that are due back; zero on a fake clock.</summary>
    protected abstract TimeSpan ReturnWait { get; }

    protected virtual bool KnowsOldestVisible => true;

    protected static readonly TimeSpan LongVisibility = TimeSpan.FromMinutes(5);

    protected abstract Task<IMessageQueue> CreateQueueAsync(QueueOptions options);

    protected abstract Task PassAsync(TimeSpan duration);

    protected virtual QueueOptions TestOptions(int maxReceives = 3) => new()
    {
        MaxReceives = maxReceives,
        BaseBackoff = ShortVisibility,
        MaxBackoff = ShortVisibility * 2,
        VisibilityTimeout = LongVisibility,
    };

    /// <summary>A guard against a hang, not a timing assertion: a broken adapter fails the test instead of blocking the run.</summary>
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromMinutes(3));

    private CancellationToken Ct => _guard.Token;

    [Fact]
    public async Task Sent_messages_are_received_once_and_gone_after_delete()
    {
        var queue = await CreateQueueAsync(TestOptions());
        await queue.SendBatchAsync(Queue, ["a", "b", "c"], Ct);

        var received = await queue.ReceiveAsync(Queue, 10, LongVisibility, TimeSpan.Zero, Ct);

        received.Select(m => m.Body).Order().ShouldBe(["a", "b", "c"]);
        received.ShouldAllBe(m => m.ReceiveCount == 1 && m.ReceiptHandle.Length > 0 && m.EnqueuedAt.Kind == DateTimeKind.Utc);
        received.Select(m => m.Id).Distinct().Count().ShouldBe(3);
        (await queue.ReceiveAsync(Queue, 10, LongVisibility, TimeSpan.Zero, Ct)).ShouldBeEmpty();

        await queue.DeleteBatchAsync(Queue, received, Ct);

        var stats = await queue.GetStatsAsync(Queue, Ct);
        stats.ShouldBe(new QueueStats(0, 0, 0, null));
    }

    [Fact]
    public async Task Receive_takes_at_most_the_requested_number()
    {
        var queue = await CreateQueueAsync(TestOptions());
        await queue.SendBatchAsync(Queue, Enumerable.Range(0, 25).Select(i => $"m{i}").ToList(), Ct);

        var first = await queue.ReceiveAsync(Queue, 7, LongVisibility, TimeSpan.Zero, Ct);
        var rest = await queue.ReceiveAsync(Queue, 100, LongVisibility, TimeSpan.Zero, Ct);

        first.Count.ShouldBe(7);
        rest.Count.ShouldBe(18);
        first.Concat(rest).Select(m => m.Body).Order().ShouldBe(Enumerable.Range(0, 25).Select(i => $"m{i}").Order());
    }

    [Fact]
    public async Task A_message_not_deleted_in_time_comes_back_with_a_higher_receive_count()
    {
        var queue = await CreateQueueAsync(TestOptions());
        await queue.SendBatchAsync(Queue, ["work"], Ct);
        var first = (await queue.ReceiveAsync(Queue, 1, ShortVisibility, TimeSpan.Zero, Ct)).ShouldHaveSingleItem();

        await PassAsync(ShortVisibility + TimeSpan.FromMilliseconds(500));
        var again = (await queue.ReceiveAsync(Queue, 1, LongVisibility, ReturnWait, Ct)).ShouldHaveSingleItem();

        again.Id.ShouldBe(first.Id);
        again.Body.ShouldBe("work");
        again.ReceiveCount.ShouldBe(2);
        again.ReceiptHandle.ShouldNotBe(first.ReceiptHandle);
    }

    [Fact]
    public async Task Deleting_with_a_stale_receipt_handle_changes_nothing()
    {
        var queue = await CreateQueueAsync(TestOptions());
        await queue.SendBatchAsync(Queue, ["work"], Ct);
        var stale = (await queue.ReceiveAsync(Queue, 1, ShortVisibility, TimeSpan.Zero, Ct)).ShouldHaveSingleItem();
        await PassAsync(ShortVisibility + TimeSpan.FromMilliseconds(500));
        var current = (await queue.ReceiveAsync(Queue, 1, ShortVisibility, ReturnWait, Ct)).ShouldHaveSingleItem();

        await queue.DeleteBatchAsync(Queue, [stale], Ct);
        await queue.FailAsync(Queue, stale, "stale holder failed", Ct);

        await PassAsync(ShortVisibility + TimeSpan.FromMilliseconds(500));
        var third = (await queue.ReceiveAsync(Queue, 1, LongVisibility, ReturnWait, Ct)).ShouldHaveSingleItem();
        third.Id.ShouldBe(current.Id);
        third.ReceiveCount.ShouldBe(3);

        await queue.DeleteBatchAsync(Queue, [current], Ct);
        (await queue.GetStatsAsync(Queue, Ct)).InFlight.ShouldBe(1, "the holder of the stale receipt of the second receive cannot delete either");
        await queue.DeleteBatchAsync(Queue, [third], Ct);
        (await queue.GetStatsAsync(Queue, Ct)).ShouldBe(new QueueStats(0, 0, 0, null));
    }

    [Fact]
    public async Task A_failed_message_stays_hidden_for_its_backoff_then_comes_back()
    {
        var options = TestOptions();
        var queue = await CreateQueueAsync(options);
        await queue.SendBatchAsync(Queue, ["flaky"], Ct);
        var first = (await queue.ReceiveAsync(Queue, 1, LongVisibility, TimeSpan.Zero, Ct)).ShouldHaveSingleItem();

        await queue.FailAsync(Queue, first, "timeout calling the classifier", Ct);

        (await queue.ReceiveAsync(Queue, 1, LongVisibility, TimeSpan.Zero, Ct)).ShouldBeEmpty();
        (await queue.GetStatsAsync(Queue, Ct)).InFlight.ShouldBe(1);
        await PassAsync(QueueBackoff.Max(options, 1) + TimeSpan.FromMilliseconds(500));
        var again = (await queue.ReceiveAsync(Queue, 1, LongVisibility, ReturnWait, Ct)).ShouldHaveSingleItem();
        again.Body.ShouldBe("flaky");
        again.ReceiveCount.ShouldBe(2);
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_with_its_error_after_max_receives_without_blocking_others()
    {
        var options = TestOptions(maxReceives: 3);
        var queue = await CreateQueueAsync(options);
        await queue.SendBatchAsync(Queue, ["poison", "good-1", "good-2"], Ct);
        var processed = new List<string>();
        string? poisonId = null;

        for (var round = 1; round <= 3; round++)
        {
            var batch = await queue.ReceiveAsync(Queue, 10, LongVisibility, round == 1 ? TimeSpan.Zero : ReturnWait, Ct);
            foreach (var m in batch)
            {
                if (m.Body == "poison")
                {
                    poisonId = m.Id;
                    m.ReceiveCount.ShouldBe(round);
                    await queue.FailAsync(Queue, m, $"cannot parse payload (attempt {round})", Ct);
                }
                else
                {
                    processed.Add(m.Body);
                    await queue.DeleteBatchAsync(Queue, [m], Ct);
                }
            }

            // The good messages went through on the first round, whatever the poison message does.
            processed.Order().ShouldBe(["good-1", "good-2"]);
            if (round < 3)
            {
                await PassAsync(QueueBackoff.Max(options, round) + TimeSpan.FromMilliseconds(500));
            }
        }

        (await queue.ReceiveAsync(Queue, 10, LongVisibility, TimeSpan.Zero, Ct)).ShouldBeEmpty();
        var dead = (await queue.ListDeadLettersAsync(Queue, 10, Ct)).ShouldHaveSingleItem();
        dead.Id.ShouldBe(poisonId);
        dead.Body.ShouldBe("poison");
        dead.ReceiveCount.ShouldBe(3);
        dead.LastError.ShouldBe("cannot parse payload (attempt 3)");
        dead.DeadLetteredAt.ShouldBeGreaterThanOrEqualTo(dead.EnqueuedAt.AddSeconds(-1));
        (await queue.GetStatsAsync(Queue, Ct)).ShouldBe(new QueueStats(0, 0, 1, null));
    }

    [Fact]
    public async Task Redrive_moves_chosen_or_all_dead_letters_back_with_a_fresh_receive_count()
    {
        var queue = await CreateQueueAsync(TestOptions(maxReceives: 1));
        await queue.SendBatchAsync(Queue, ["x", "y", "z"], Ct);
        foreach (var m in await queue.ReceiveAsync(Queue, 10, LongVisibility, TimeSpan.Zero, Ct))
        {
            await queue.FailAsync(Queue, m, $"failed {m.Body}", Ct);
        }

        var dead = await queue.ListDeadLettersAsync(Queue, 10, Ct);
        dead.Select(d => d.Body).Order().ShouldBe(["x", "y", "z"]);
        (await queue.ListDeadLettersAsync(Queue, 2, Ct)).Count.ShouldBe(2);
        var x = dead.Single(d => d.Body == "x");

        (await queue.RedriveAsync(Queue, [x.Id, "no-such-id"], Ct)).ShouldBe(1);

        var back = (await queue.ReceiveAsync(Queue, 10, LongVisibility, ReturnWait, Ct)).ShouldHaveSingleItem();
        back.Body.ShouldBe("x");
        back.ReceiveCount.ShouldBe(1);
        (await queue.ListDeadLettersAsync(Queue, 10, Ct)).Select(d => d.Body).Order().ShouldBe(["y", "z"]);

        (await queue.RedriveAsync(Queue, null, Ct)).ShouldBe(2);
        (await queue.ListDeadLettersAsync(Queue, 10, Ct)).ShouldBeEmpty();
        var rest = await queue.ReceiveAsync(Queue, 10, LongVisibility, ReturnWait, Ct);
        if (rest.Count < 2)
        {
            rest = [.. rest, .. await queue.ReceiveAsync(Queue, 10, LongVisibility, ReturnWait, Ct)];
        }

        rest.Select(m => m.Body).Order().ShouldBe(["y", "z"]);
        rest.ShouldAllBe(m => m.ReceiveCount == 1);
    }

    [Fact]
    public async Task Stats_count_visible_in_flight_and_dead_lettered_messages()
    {
        var queue = await CreateQueueAsync(TestOptions(maxReceives: 1));
        (await queue.GetStatsAsync(Queue, Ct)).ShouldBe(new QueueStats(0, 0, 0, null));
        await queue.SendBatchAsync(Queue, ["1", "2", "3", "4"], Ct);

        var taken = await queue.ReceiveAsync(Queue, 2, LongVisibility, TimeSpan.Zero, Ct);
        var stats = await queue.GetStatsAsync(Queue, Ct);

        stats.Visible.ShouldBe(2);
        stats.InFlight.ShouldBe(2);
        stats.DeadLettered.ShouldBe(0);
        if (KnowsOldestVisible)
        {
            stats.OldestVisibleAt.ShouldNotBeNull().Kind.ShouldBe(DateTimeKind.Utc);
        }

        await queue.FailAsync(Queue, taken[0], "boom", Ct);
        await queue.DeleteBatchAsync(Queue, [taken[1]], Ct);
        stats = await queue.GetStatsAsync(Queue, Ct);
        (stats.Visible, stats.InFlight, stats.DeadLettered).ShouldBe((2L, 0L, 1L));
    }

    [Fact]
    public async Task A_long_polling_receive_returns_as_soon_as_a_message_arrives()
    {
        var queue = await CreateQueueAsync(TestOptions());
        var receive = queue.ReceiveAsync(Queue, 5, LongVisibility, TimeSpan.FromSeconds(15), Ct);

        await queue.SendBatchAsync(Queue, ["late"], Ct);

        (await receive).ShouldHaveSingleItem().Body.ShouldBe("late");
    }

    [Fact]
    public async Task A_thousand_messages_are_received_exactly_once_by_four_concurrent_consumers()
    {
        var queue = await CreateQueueAsync(TestOptions());
        var sent = Enumerable.Range(0, 1000).Select(i => $"signal-{i}").ToList();
        await queue.SendBatchAsync(Queue, sent, Ct);
        var received = new ConcurrentBag<ReceivedMessage>();

        async Task ConsumeAsync()
        {
            // Everything was sent before the consumers start and nothing times out, so an empty receive means drained.
            while (true)
            {
                var batch = await queue.ReceiveAsync(Queue, 10, LongVisibility, TimeSpan.Zero, Ct);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var m in batch)
                {
                    received.Add(m);
                }

                await queue.DeleteBatchAsync(Queue, batch, Ct);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ConsumeAsync, Ct)));

        received.Count.ShouldBe(1000);
        received.Select(m => m.Id).Distinct().Count().ShouldBe(1000);
        received.Select(m => m.Body).Order(StringComparer.Ordinal).ShouldBe(sent.Order(StringComparer.Ordinal));
        received.ShouldAllBe(m => m.ReceiveCount == 1);
        (await queue.GetStatsAsync(Queue, Ct)).ShouldBe(new QueueStats(0, 0, 0, null));
    }
}
