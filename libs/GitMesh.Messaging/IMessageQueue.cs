namespace GitMesh.Messaging;

/// <summary>A message handed to a consumer. Invisible to other consumers until its visibility timeout passes.</summary>
/// <param name="Id">Queue-assigned id.</param>
/// <param name="ReceiptHandle">Proof of this receive; delete/retry with a stale handle is a no-op.</param>
/// <param name="ReceiveCount">How many times the message was received, this time included.</param>
public sealed record ReceivedMessage(string Id, string Body, string ReceiptHandle, int ReceiveCount, DateTime EnqueuedAt);

public sealed record DeadLetter(string Id, string Body, int ReceiveCount, string? LastError, DateTime EnqueuedAt, DateTime DeadLetteredAt);

/// <param name="Visible">Messages receivable now.</param>
/// <param name="InFlight">Received and not yet deleted (or waiting for a retry backoff).</param>
/// <param name="OldestVisibleAt">Enqueue time of the oldest receivable message, for lag.</param>
public sealed record QueueStats(long Visible, long InFlight, long DeadLettered, DateTime? OldestVisibleAt);

/// <summary>Retry policy shared by all adapters: exponential backoff, dead-letter after <see cref="MaxReceives"/>.</summary>
public sealed class QueueOptions
{
    public const string SectionName = "Queue";

    /// <summary>"Database" (default, same database as the application) or "Sqs".</summary>
    public string Provider { get; set; } = "Database";

    public int MaxReceives { get; set; } = 5;

    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The queue port. Delivery is at-least-once: a consumer deletes a message after its work committed; a crash before
/// that makes it visible again after the visibility timeout. Consumers are idempotent, so redelivery is harmless.
/// </summary>
public interface IMessageQueue
{
    Task SendBatchAsync(string queue, IReadOnlyList<string> bodies, CancellationToken cancellationToken);

    /// <summary>Receive up to <paramref name="maxMessages"/>, waiting up to <paramref name="wait"/> for the first (long polling).</summary>
    Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, TimeSpan wait, CancellationToken cancellationToken);

    Task DeleteBatchAsync(string queue, IReadOnlyList<ReceivedMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// The message failed: make it visible again after an exponential backoff, or dead-letter it with
    /// <paramref name="error"/> once it reached the maximum number of receives.
    /// </summary>
    Task FailAsync(string queue, ReceivedMessage message, string error, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, int limit, CancellationToken cancellationToken);

    /// <summary>Move dead letters back to the queue (all when <paramref name="ids"/> is null). Returns how many moved.</summary>
    Task<int> RedriveAsync(string queue, IReadOnlyList<string>? ids, CancellationToken cancellationToken);

    Task<QueueStats> GetStatsAsync(string queue, CancellationToken cancellationToken);
}

public static class QueueNames
{
    public const string Ingest = "ingest";
}
