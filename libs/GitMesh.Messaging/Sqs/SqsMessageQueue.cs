using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Sqs;

/// <summary>
/// The queue port on Amazon SQS (or a compatible server). Queue "x" is the SQS queue "{prefix}x"; its dead letters live
/// in "{prefix}x-dlq", both created on first use unless <see cref="SqsOptions.CreateQueues"/> is off.
/// Dead-lettering is ours, not an SQS redrive policy, so the last error travels with the message (as message
/// attributes) and the backoff between receives is ours too. Limits of SQS that show through the port:
/// the error of a retried (not yet dead) message is not kept, <see cref="QueueStats.OldestVisibleAt"/> is unknown (null),
/// and counts are SQS's approximate ones.
/// </summary>
public sealed partial class SqsMessageQueue(
    SqsClient client,
    IOptions<QueueOptions> options,
    IOptions<SqsOptions> sqsOptions,
    TimeProvider time,
    ILogger<SqsMessageQueue> logger) : IMessageQueue
{
    internal const string ErrorAttribute = "GitMesh.Error";
    internal const string SourceIdAttribute = "GitMesh.SourceMessageId";
    internal const string ReceiveCountAttribute = "GitMesh.ReceiveCount";
    internal const string EnqueuedAtAttribute = "GitMesh.EnqueuedAt";

    /// <summary>SQS message attributes count against the 256 KiB message size; an error message never needs more.</summary>
    private const int MaxErrorLength = 8 * 1024;

    /// <summary>How long listing and redrive hide the dead letters they look at; released again when they finish.</summary>
    private static readonly TimeSpan InspectionVisibility = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);

    public async Task SendBatchAsync(string queue, IReadOnlyList<string> bodies, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        if (bodies.Count == 0)
        {
            return;
        }

        var url = await RequireUrlAsync(Physical(queue), cancellationToken);
        var entries = bodies.Select((body, i) => new SqsSendEntry(i.ToString(CultureInfo.InvariantCulture), body)).ToList();
        var result = await client.SendMessageBatchAsync(url, entries, cancellationToken);
        ThrowIfFailed("SendMessageBatch", result.Failed);
    }

    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(
        string queue, int maxMessages, TimeSpan visibilityTimeout, TimeSpan wait, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        var url = await RequireUrlAsync(Physical(queue), cancellationToken);
        var visibility = Seconds(visibilityTimeout);
        var deadline = time.GetUtcNow() + (wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
        var received = new List<ReceivedMessage>();
        while (received.Count < maxMessages)
        {
            // Long-poll (SQS allows 20 s per call) only while nothing arrived; then top up without waiting.
            var waitSeconds = received.Count == 0 ? Math.Min(20, Seconds(deadline - time.GetUtcNow())) : 0;
            var batch = await client.ReceiveMessageAsync(url,
                new SqsReceiveRequest(Math.Min(SqsClient.MaxBatchEntries, maxMessages - received.Count), waitSeconds, visibility), cancellationToken);
            received.AddRange(batch.Select(m => new ReceivedMessage(m.MessageId, m.Body, m.ReceiptHandle, m.ApproximateReceiveCount, m.SentTimestamp ?? time.GetUtcNow().UtcDateTime)));
            if (batch.Count == 0 && (received.Count > 0 || time.GetUtcNow() >= deadline))
            {
                break;
            }
        }

        return received;
    }

    public async Task DeleteBatchAsync(string queue, IReadOnlyList<ReceivedMessage> messages, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        if (messages.Count == 0)
        {
            return;
        }

        var url = await RequireUrlAsync(Physical(queue), cancellationToken);
        var result = await client.DeleteMessageBatchAsync(url,
            messages.Select((m, i) => new SqsDeleteEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList(), cancellationToken);
        var stale = result.Failed.Where(f => SqsException.IsStaleReceiptCode(f.Code)).ToList();
        if (stale.Count > 0)
        {
            LogStale(logger, stale.Count, queue);
        }

        ThrowIfFailed("DeleteMessageBatch", result.Failed.Except(stale).ToList());
    }

    public async Task FailAsync(string queue, ReceivedMessage message, string error, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        var o = options.Value;
        var url = await RequireUrlAsync(Physical(queue), cancellationToken);
        if (message.ReceiveCount < o.MaxReceives)
        {
            var backoff = QueueBackoff.Delay(o, message.ReceiveCount, Random.Shared.NextDouble());
            await TryChangeVisibilityAsync(url, message.ReceiptHandle, Seconds(backoff), queue, cancellationToken);
            return;
        }

        // Still ours? Extending the visibility fails for a stale receipt, and then the current holder decides: without
        // this check the message could be both dead-lettered here and processed there.
        if (!await TryChangeVisibilityAsync(url, message.ReceiptHandle, Seconds(o.VisibilityTimeout), queue, cancellationToken))
        {
            return;
        }

        var dlqUrl = await RequireUrlAsync(Physical(queue) + "-dlq", cancellationToken);
        var attributes = new Dictionary<string, SqsMessageAttributeValue>(StringComparer.Ordinal)
        {
            [ErrorAttribute] = new("String", string.IsNullOrEmpty(error) ? "(no error given)" : error[..Math.Min(error.Length, MaxErrorLength)]),
            [SourceIdAttribute] = new("String", message.Id),
            [ReceiveCountAttribute] = new("Number", message.ReceiveCount.ToString(CultureInfo.InvariantCulture)),
            [EnqueuedAtAttribute] = new("Number", new DateTimeOffset(message.EnqueuedAt).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        };
        var sent = await client.SendMessageBatchAsync(dlqUrl, [new SqsSendEntry("0", message.Body, attributes)], cancellationToken);
        ThrowIfFailed("SendMessageBatch", sent.Failed);
        await DeleteBatchAsync(queue, [message], cancellationToken);
        LogDeadLettered(logger, message.Id, queue, message.ReceiveCount);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, int limit, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var dlqUrl = await FindUrlAsync(Physical(queue) + "-dlq", cancellationToken);
        if (dlqUrl is null)
        {
            return [];
        }

        // SQS cannot peek: receive under a short visibility, then make everything visible again.
        var seen = new List<SqsMessage>();
        try
        {
            while (seen.Count < limit)
            {
                var batch = await client.ReceiveMessageAsync(dlqUrl,
                    new SqsReceiveRequest(Math.Min(SqsClient.MaxBatchEntries, limit - seen.Count), 0, Seconds(InspectionVisibility)), cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                seen.AddRange(batch);
            }
        }
        finally
        {
            await ReleaseAsync(dlqUrl, seen);
        }

        return seen.Select(ToDeadLetter).OrderBy(d => d.DeadLetteredAt).ToList();
    }

    public async Task<int> RedriveAsync(string queue, IReadOnlyList<string>? ids, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        var dlqUrl = await FindUrlAsync(Physical(queue) + "-dlq", cancellationToken);
        if (dlqUrl is null || ids is { Count: 0 })
        {
            return 0;
        }

        var wanted = ids is null ? null : new HashSet<string>(ids, StringComparer.Ordinal);
        var url = await RequireUrlAsync(Physical(queue), cancellationToken);
        var skipped = new List<SqsMessage>();
        var moved = 0;
        try
        {
            while (wanted is null || wanted.Count > 0)
            {
                var batch = await client.ReceiveMessageAsync(dlqUrl,
                    new SqsReceiveRequest(SqsClient.MaxBatchEntries, 0, Seconds(InspectionVisibility)), cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                var move = new List<SqsMessage>();
                foreach (var m in batch)
                {
                    var id = ToDeadLetter(m).Id;
                    if (wanted is null || wanted.Remove(id) || wanted.Remove(m.MessageId))
                    {
                        move.Add(m);
                    }
                    else
                    {
                        skipped.Add(m);
                    }
                }

                if (move.Count == 0)
                {
                    continue;
                }

                // Send before delete: a crash in between duplicates a message (harmless, consumers are idempotent), never loses one.
                var sent = await client.SendMessageBatchAsync(url,
                    move.Select((m, i) => new SqsSendEntry(i.ToString(CultureInfo.InvariantCulture), m.Body)).ToList(), cancellationToken);
                ThrowIfFailed("SendMessageBatch", sent.Failed);
                var deleted = await client.DeleteMessageBatchAsync(dlqUrl,
                    move.Select((m, i) => new SqsDeleteEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList(), cancellationToken);
                ThrowIfFailed("DeleteMessageBatch", deleted.Failed);
                moved += move.Count;
            }
        }
        finally
        {
            await ReleaseAsync(dlqUrl, skipped);
        }

        return moved;
    }

    public async Task<QueueStats> GetStatsAsync(string queue, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        var url = await FindUrlAsync(Physical(queue), cancellationToken);
        var dlqUrl = await FindUrlAsync(Physical(queue) + "-dlq", cancellationToken);
        string[] names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];
        var main = url is null ? null : await client.GetQueueAttributesAsync(url, names, cancellationToken);
        var dead = dlqUrl is null ? null : await client.GetQueueAttributesAsync(dlqUrl, names, cancellationToken);
        return new QueueStats(
            Count(main, names[0]),
            Count(main, names[1]) + Count(main, names[2]),
            Count(dead, names[0]) + Count(dead, names[1]) + Count(dead, names[2]),
            OldestVisibleAt: null);
    }

    private static long Count(IReadOnlyDictionary<string, string>? attributes, string name) =>
        attributes?.TryGetValue(name, out var v) == true && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static DeadLetter ToDeadLetter(SqsMessage m)
    {
        var deadLetteredAt = m.SentTimestamp ?? DateTime.UtcNow;
        var enqueuedAt = long.TryParse(m.StringAttribute(EnqueuedAtAttribute), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime
            : deadLetteredAt;
        var receiveCount = int.TryParse(m.StringAttribute(ReceiveCountAttribute), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new DeadLetter(m.StringAttribute(SourceIdAttribute) ?? m.MessageId, m.Body, receiveCount, m.StringAttribute(ErrorAttribute), enqueuedAt, deadLetteredAt);
    }

    private async Task ReleaseAsync(string dlqUrl, IReadOnlyList<SqsMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        // Not cancellable: leaving dead letters hidden for the inspection timeout would only delay the next listing.
        await client.ChangeMessageVisibilityBatchAsync(dlqUrl,
            messages.Select((m, i) => new SqsVisibilityEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle, 0)).ToList(), CancellationToken.None);
    }

    private async Task<bool> TryChangeVisibilityAsync(string url, string receiptHandle, int seconds, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await client.ChangeMessageVisibilityAsync(url, receiptHandle, seconds, cancellationToken);
            return true;
        }
        catch (SqsException e) when (e.IsStaleReceipt || e.ErrorCode == "InvalidParameterValue")
        {
            LogStale(logger, 1, queue);
            return false;
        }
    }

    private string Physical(string queue) => sqsOptions.Value.QueuePrefix + queue;

    private async Task<string?> FindUrlAsync(string name, CancellationToken cancellationToken)
    {
        if (_urls.TryGetValue(name, out var url))
        {
            return url;
        }

        url = await client.GetQueueUrlAsync(name, cancellationToken);
        if (url is not null)
        {
            _urls[name] = url;
        }

        return url;
    }

    private async Task<string> RequireUrlAsync(string name, CancellationToken cancellationToken)
    {
        if (await FindUrlAsync(name, cancellationToken) is { } url)
        {
            return url;
        }

        if (!sqsOptions.Value.CreateQueues)
        {
            throw new InvalidOperationException($"SQS queue '{name}' does not exist. Create it, or set Queue:Sqs:CreateQueues to true.");
        }

        // CreateQueue is idempotent for identical attributes, so two processes racing here both get the URL.
        url = await client.CreateQueueAsync(name, new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = Seconds(options.Value.VisibilityTimeout).ToString(CultureInfo.InvariantCulture),
            ["MessageRetentionPeriod"] = "1209600",
        }, cancellationToken);
        LogCreated(logger, name);
        return _urls[name] = url;
    }

    private static void ThrowIfFailed(string action, IReadOnlyList<SqsBatchFailure> failed)
    {
        if (failed.Count > 0)
        {
            var first = failed[0];
            throw new SqsException(action, first.Code, $"{failed.Count} entries failed; first: {first.Message}", null);
        }
    }

    /// <summary>SQS takes whole seconds (0 to 12 hours); a fraction rounds up so a timeout is never shorter than asked.</summary>
    private static int Seconds(TimeSpan value) => (int)Math.Clamp(Math.Ceiling(value.TotalSeconds), 0, 43200);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} messages on {Queue} were not changed: their receipt handle is stale")]
    private static partial void LogStale(ILogger logger, int count, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {Queue} dead-lettered after {ReceiveCount} receives")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string queue, int receiveCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created SQS queue {QueueName}")]
    private static partial void LogCreated(ILogger logger, string queueName);
}
