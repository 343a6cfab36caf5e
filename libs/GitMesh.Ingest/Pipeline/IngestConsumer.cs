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

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var cpuStarted = Environment.CpuUsage.TotalTime;
                var received = await queue.ReceiveAsync(QueueNames.Ingest, options.Value.BatchSize, queueOptions.Value.VisibilityTimeout, options.Value.PollWait, stoppingToken);
                if (received.Count > 0)
                {
                    metrics.Stages.Record("queue claim", System.Diagnostics.Stopwatch.GetTimestamp() - started, Environment.CpuUsage.TotalTime - cpuStarted);
                    await HandleAsync(received, stoppingToken);
                }
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

    internal async Task HandleAsync(IReadOnlyList<ReceivedMessage> received, CancellationToken ct)
    {
        var parsed = new List<(ReceivedMessage Raw, IngestMessage Message)>(received.Count);
        foreach (var raw in received)
        {
            try
            {
                parsed.Add((raw, IngestMessage.Deserialize(raw.Body)));
            }
            catch (JsonException ex)
            {
                metrics.RecordFailure();
                await queue.FailAsync(QueueNames.Ingest, raw, $"Malformed ingest message: {ex.Message}", ct);
            }
        }

        if (parsed.Count == 0)
        {
            return;
        }

        try
        {
            await ProcessAsync(parsed, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogBatchFailed(parsed.Count, ex.Message);
            foreach (var one in parsed)
            {
                try
                {
                    await ProcessAsync([one], ct);
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

    private async Task ProcessAsync(IReadOnlyList<(ReceivedMessage Raw, IngestMessage Message)> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetRequiredService<IngestBatchProcessor>();
        var outcome = await processor.ProcessAsync(batch.Select(b => b.Message).ToList(), ct);
        using (metrics.Stages.Measure("queue delete"))
        {
            await queue.DeleteBatchAsync(QueueNames.Ingest, batch.Select(b => b.Raw).ToList(), ct);
        }

        var now = time.GetUtcNow().UtcDateTime;
        metrics.RecordBatch(batch.Count, outcome, now - batch.Min(b => b.Raw.EnqueuedAt), now);
        metrics.RecordLatencies(batch.Select(b => now - b.Raw.EnqueuedAt));
    }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest consumer loop failed; retrying")]
    private partial void LogLoopError(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest batch of {Count} failed ({Error}); retrying message by message")]
    private partial void LogBatchFailed(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest message {MessageId} failed on receive {ReceiveCount}: {Error}")]
    private partial void LogMessageFailed(string messageId, int receiveCount, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest queue: {Visible} waiting, {InFlight} in flight, {DeadLettered} dead-lettered; processed {Processed}, failed {Failed}; lag {LagSeconds:0.0}s")]
    private partial void LogStats(long visible, long inFlight, long deadLettered, long processed, long failed, double lagSeconds);
}
