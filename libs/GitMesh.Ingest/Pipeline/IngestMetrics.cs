namespace GitMesh.Ingest.Pipeline;

/// <summary>Counters of this process's consumers, for the stats endpoint and the periodic log line.</summary>
public sealed class IngestMetrics
{
    private long _processed;
    private long _created;
    private long _updated;
    private long _unchanged;
    private long _failed;
    private long _lastLatencyMs;
    private long _lastBatchTicks;

    public long Processed => Interlocked.Read(ref _processed);
    public long Created => Interlocked.Read(ref _created);
    public long Updated => Interlocked.Read(ref _updated);
    public long Unchanged => Interlocked.Read(ref _unchanged);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Where the time goes, stage by stage.</summary>
    public IngestStageTimings Stages { get; } = new();

    /// <summary>Enqueue-to-commit time of the oldest message of the last batch.</summary>
    public TimeSpan LastLatency => TimeSpan.FromMilliseconds(Interlocked.Read(ref _lastLatencyMs));

    public DateTime? LastBatchAt => Interlocked.Read(ref _lastBatchTicks) is var t and > 0 ? new DateTime(t, DateTimeKind.Utc) : null;

    public void RecordBatch(int messages, BatchOutcome outcome, TimeSpan latency, DateTime at)
    {
        Interlocked.Add(ref _processed, messages);
        Interlocked.Add(ref _created, outcome.Created);
        Interlocked.Add(ref _updated, outcome.Updated);
        Interlocked.Add(ref _unchanged, outcome.Unchanged);
        Interlocked.Exchange(ref _lastLatencyMs, (long)latency.TotalMilliseconds);
        Interlocked.Exchange(ref _lastBatchTicks, at.Ticks);
    }

    public void RecordFailure() => Interlocked.Increment(ref _failed);

    private readonly Lock _latencyLock = new();
    private readonly double[] _latencyReservoir = new double[50_000];
    private long _latencySamples;

    /// <summary>Enqueue-to-commit latency of each message, kept as a uniform reservoir sample for percentiles.</summary>
    public void RecordLatencies(IEnumerable<TimeSpan> latencies)
    {
        lock (_latencyLock)
        {
            foreach (var latency in latencies)
            {
                var n = _latencySamples++;
                var slot = n < _latencyReservoir.Length ? n : Random.Shared.NextInt64(n + 1);
                if (slot < _latencyReservoir.Length)
                {
                    _latencyReservoir[slot] = latency.TotalMilliseconds;
                }
            }
        }
    }

    /// <summary>Latency percentile in milliseconds (p in 0..1) over the sampled messages; 0 when none.</summary>
    public double LatencyPercentile(double p)
    {
        double[] copy;
        lock (_latencyLock)
        {
            copy = _latencyReservoir.AsSpan(0, (int)Math.Min(_latencySamples, _latencyReservoir.Length)).ToArray();
        }

        if (copy.Length == 0)
        {
            return 0;
        }

        Array.Sort(copy);
        return copy[Math.Clamp((int)Math.Ceiling(p * copy.Length) - 1, 0, copy.Length - 1)];
    }
}
