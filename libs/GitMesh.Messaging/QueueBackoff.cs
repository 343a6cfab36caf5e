namespace GitMesh.Messaging;

/// <summary>The retry delay after a failed receive, shared by every adapter so they behave alike.</summary>
public static class QueueBackoff
{
    /// <summary>
    /// min(MaxBackoff, BaseBackoff * 2^(receiveCount-1)), then "equal jitter": a random point in its upper half. Half
    /// keeps retries of a burst of failures apart; the upper bound keeps "visible again after at most the backoff" true.
    /// </summary>
    /// <param name="jitter">A number in [0, 1).</param>
    public static TimeSpan Delay(QueueOptions options, int receiveCount, double jitter)
    {
        var exponent = Math.Clamp(receiveCount - 1, 0, 30);
        var ticks = Math.Min(options.MaxBackoff.Ticks, options.BaseBackoff.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ticks / 2 + ticks / 2 * Math.Clamp(jitter, 0, 1)));
    }

    /// <summary>The upper bound of <see cref="Delay"/> for this receive count.</summary>
    public static TimeSpan Max(QueueOptions options, int receiveCount) => Delay(options, receiveCount, 1);
}
