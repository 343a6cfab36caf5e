using System.Text.Json;
using GitMesh.Hosting;
using GitMesh.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Ingest.Pipeline;

/// <summary>
/// Takes batches off the ingest queue and runs them through <see cref="IngestBatchProcessor"/>. A message is
/// deleted only after its batch committed; a crash before that redelivers it, and the replay changes nothing.
/// A batch that fails is retried message by message, so one poison message is retried with backoff and finally
/// dead-lettered with its error while the rest of the batch goes through.
/// </summary>
public sealed partial class IngestConsumer(
    IServiceScopeFactory scopes,
    IMessageQueue queue,
    IOptions<IngestOptions> options,
    IOptions<QueueOptions> queueOptions,
    IngestMetrics metrics,
    ReadinessState readiness,
    TimeProvider time,
    ILogger<IngestConsumer> logger) : BackgroundService
{
    public const string ComponentName = "ingest-consumer";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        readiness.Register(ComponentName);
        await WarmUpAsync(stoppingToken);
        var loops = Enumerable.Range(0, Math.Max(1, options.Value.Consumers)).Select(_ => RunLoopAsync(stoppingToken)).ToList();
        loops.Add(LogStatsAsync(stoppingToken));
        readiness.SetRunning(ComponentName, true);
        try
        {
            await Task.WhenAll(loops);
        }
        finally
        {
            readiness.SetRunning(ComponentName, false);
        }
    }

    /// <summary>
    /// Loads models and corpus and compiles the text paths before the consumer reports ready: without it the first
    /// batch took several seconds longer than the others. A failure here is logged, never fatal: the first batch then
    /// pays the cost as before.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken ct)
    {
        try
        {
            await Task.Run(
                async () =>
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var now = time.GetUtcNow();
                    var samples = WarmUpSamples.Select((text, i) => new IngestMessage(Guid.Empty, null, new Domain.Signals.SignalEnvelope
                    {
                        Source = "warmup",
                        Kind = "post",
                        ExternalId = $"warmup-{i}",
                        Title = text.Title,
                        Body = text.Body,
                        CreatedAt = now,
                    }, now.UtcDateTime));
                    // Enough rounds for the hot text methods to reach tier-1 code (30 calls) before real batches.
                    scope.ServiceProvider.GetRequiredService<IngestBatchProcessor>().WarmUp(Enumerable.Repeat(samples.ToList(), 40).SelectMany(s => s));
                },
                ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWarmUpFailed(ex);
        }
    }

    /// <summary>One text per normalizer path: Markdown with code, HTML, a stack trace, plain prose.</summary>
    private static readonly (string Title, string Body)[] WarmUpSamples =
    [
        ("App crashes when saving a file", "Steps:\n1. Open the **editor**\n2. Press `Ctrl+S`\n\n```csharp\nvar x = Save(path);\n```\nIt should [save](https://example.test)."),
        ("Feature request: dark mode", "<p>Please add a <b>dark theme</b>.</p><pre><code>theme = dark</code></pre>"),
        ("NullReferenceException on startup", "System.NullReferenceException: Object reference not set\n   at App.Main(String[] args) in Program.cs:line 12"),
        ("How do I export my data?", "I looked everywhere but cannot find the export button. Is it possible at all?"),
    ];

    /// <summary>
    /// Claims and commits batches. While batch N commits (one core, mostly inside the database), the CPU half of
    /// batch N+1 (normalize, hash, classify, MinHash) runs on the other cores: the next batch is claimed without
    /// waiting just before N commits, so an idle queue adds no latency. A claimed-ahead batch is only invisible to
    /// others for the visibility timeout, and a crash before its commit redelivers it like any other.
    /// </summary>
    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        ClaimedBatch? ahead = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var current = ahead ?? await ClaimAsync(options.Value.PollWait, stoppingToken);
                ahead = null;
                if (current is null)
                {
                    continue;
                }

                ahead = await ClaimAsync(TimeSpan.Zero, stoppingToken);
                await HandleAsync(current, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The queue itself failed (database down, SQS unreachable): wait a little and try again.
                LogLoopError(ex);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
    }

    /// <summary>Claims up to a batch and starts preparing it on the thread pool; null when the queue had nothing.</summary>
    private async Task<ClaimedBatch?> ClaimAsync(TimeSpan wait, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var cpuStarted = Environment.CpuUsage.TotalTime;
        var received = await queue.ReceiveAsync(QueueNames.Ingest, options.Value.BatchSize, queueOptions.Value.VisibilityTimeout, wait, ct);
        if (received.Count == 0)
        {
            return null;
        }

        metrics.Stages.Record("queue claim", System.Diagnostics.Stopwatch.GetTimestamp() - started, Environment.CpuUsage.TotalTime - cpuStarted);
        var parsed = new List<(ReceivedMessage Raw, IngestMessage Message)>(received.Count);
        var malformed = new List<(ReceivedMessage Raw, string Error)>();
        foreach (var raw in received)
        {
            try
            {
                parsed.Add((raw, IngestMessage.Deserialize(raw.Body)));
            }
            catch (JsonException ex)
            {
                // Failed (and eventually dead-lettered) when the batch is handled, in claim order.
                malformed.Add((raw, $"Malformed ingest message: {ex.Message}"));
            }
        }

        var messages = parsed.Select(p => p.Message).ToList();
        var preparation = messages.Count == 0 ? null : Task.Run(() => PrepareAsync(messages, ct), ct);
        return new ClaimedBatch(parsed, malformed, preparation);
    }

    private async Task<PreparedBatch> PrepareAsync(IReadOnlyList<IngestMessage> messages, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // The commit running meanwhile is the pipeline's serial part (~2× the preparation's CPU per signal in bench
        // ingest): starving it of a core to prepare faster only moves the wait.
        return await scope.ServiceProvider.GetRequiredService<IngestBatchProcessor>().PrepareAsync(messages, Math.Max(1, Environment.ProcessorCount - 1), ct);
    }

    private async Task HandleAsync(ClaimedBatch batch, CancellationToken ct)
    {
        foreach (var (raw, error) in batch.Malformed)
        {
            metrics.RecordFailure();
            await queue.FailAsync(QueueNames.Ingest, raw, error, ct);
        }

        if (batch.Parsed.Count == 0)
        {
            return;
        }

        try
        {
            var prepared = batch.Preparation is { } preparation ? await preparation : null;
            await ProcessAsync(batch.Parsed, prepared, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogBatchFailed(batch.Parsed.Count, ex.Message);
            foreach (var one in batch.Parsed)
            {
                try
                {
                    await ProcessAsync([one], null, ct);
                }
                catch (Exception single) when (single is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    metrics.RecordFailure();
                    LogMessageFailed(one.Raw.Id, one.Raw.ReceiveCount, single.Message);
                    await queue.FailAsync(QueueNames.Ingest, one.Raw, $"{single.GetType().Name}: {single.Message}", ct);
                }
            }
        }
    }

    private async Task ProcessAsync(IReadOnlyList<(ReceivedMessage Raw, IngestMessage Message)> batch, PreparedBatch? prepared, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetRequiredService<IngestBatchProcessor>();
        prepared ??= await processor.PrepareAsync(batch.Select(b => b.Message).ToList(), -1, ct);
        var outcome = await processor.CommitAsync(prepared, ct);
        using (metrics.Stages.Measure("queue delete"))
        {
            await queue.DeleteBatchAsync(QueueNames.Ingest, batch.Select(b => b.Raw).ToList(), ct);
        }

        var now = time.GetUtcNow().UtcDateTime;
        metrics.RecordBatch(batch.Count, outcome, now - batch.Min(b => b.Raw.EnqueuedAt), now);
        metrics.RecordLatencies(batch.Select(b => now - b.Raw.EnqueuedAt));
    }

    /// <summary>Messages claimed together: the parsed ones (with their preparation, when started) and the malformed ones.</summary>
    private sealed record ClaimedBatch(
        IReadOnlyList<(ReceivedMessage Raw, IngestMessage Message)> Parsed,
        IReadOnlyList<(ReceivedMessage Raw, string Error)> Malformed,
        Task<PreparedBatch>? Preparation);

    private async Task LogStatsAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.StatsLogInterval, time, ct);
                var stats = await queue.GetStatsAsync(QueueNames.Ingest, ct);
                var lag = stats.OldestVisibleAt is { } oldest ? time.GetUtcNow().UtcDateTime - oldest : TimeSpan.Zero;
                LogStats(stats.Visible, stats.InFlight, stats.DeadLettered, metrics.Processed, metrics.Failed, lag.TotalSeconds);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopError(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest warm-up failed; the first batch will load what it needs")]
    private partial void LogWarmUpFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest consumer loop failed; retrying")]
    private partial void LogLoopError(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest batch of {Count} failed ({Error}); retrying message by message")]
    private partial void LogBatchFailed(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest message {MessageId} failed on receive {ReceiveCount}: {Error}")]
    private partial void LogMessageFailed(string messageId, int receiveCount, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest queue: {Visible} waiting, {InFlight} in flight, {DeadLettered} dead-lettered; processed {Processed}, failed {Failed}; lag {LagSeconds:0.0}s")]
    private partial void LogStats(long visible, long inFlight, long deadLettered, long processed, long failed, double lagSeconds);
}
