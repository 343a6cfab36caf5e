namespace GitMesh.Workflows;

/// <summary>
/// Retries of one step: exponential backoff (<see cref="InitialInterval"/> × <see cref="BackoffCoefficient"/>^(attempt-1),
/// capped at <see cref="MaxInterval"/>) with ± <see cref="Jitter"/> spread so failing runs do not retry in lockstep.
/// An attempt interrupted by a worker crash counts as an attempt: a step that kills its worker cannot loop forever.
/// </summary>
public sealed record RetryPolicy
{
    public static readonly RetryPolicy Default = new();

    /// <summary>A single attempt: for steps that are not safe to repeat.</summary>
    public static readonly RetryPolicy NoRetry = new() { MaxAttempts = 1 };

    public int MaxAttempts { get; init; } = 5;
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(1);
    public double BackoffCoefficient { get; init; } = 2.0;
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Fraction of the delay added or removed at random (0 = exact delays).</summary>
    public double Jitter { get; init; } = 0.2;
    /// <summary>Exception types (and subtypes) that fail the step at once. <see cref="NonRetryableStepException"/> always does.</summary>
    public IReadOnlyList<Type> NonRetryableExceptions { get; init; } = [];

    public TimeSpan DelayBeforeAttempt(int nextAttempt, double random01)
    {
        var exponent = Math.Max(0, nextAttempt - 2);
        var baseMs = InitialInterval.TotalMilliseconds * Math.Pow(BackoffCoefficient, exponent);
        baseMs = Math.Min(baseMs, MaxInterval.TotalMilliseconds);
        var spread = baseMs * Jitter * ((random01 * 2) - 1);
        return TimeSpan.FromMilliseconds(Math.Max(0, baseMs + spread));
    }

    public bool IsRetryable(Exception exception) =>
        exception is not NonRetryableStepException && !NonRetryableExceptions.Any(t => t.IsInstanceOfType(exception));
}

/// <summary>Per-step settings; null members fall back to <see cref="WorkflowOptions"/> defaults.</summary>
public sealed record StepOptions
{
    public RetryPolicy? Retry { get; init; }

    /// <summary>Per-attempt time limit. A timed-out attempt counts as a failed attempt and is retried per policy.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// What a step function gets: its stable idempotency key (run id + step name, identical on every retry, including
/// retries after a crash) to deduplicate external calls, the attempt number and the cancellation token. It converts
/// implicitly to <see cref="CancellationToken"/>, so <c>ctx.StepAsync("x", ct => http.GetAsync(url, ct))</c> reads naturally.
/// </summary>
public sealed record StepContext(Guid RunId, string StepName, string IdempotencyKey, int Attempt, CancellationToken CancellationToken)
{
    public static implicit operator CancellationToken(StepContext context) => context.CancellationToken;
}
