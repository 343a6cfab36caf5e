using System.Collections.Concurrent;
using System.Diagnostics;

namespace GitMesh.Ingest.Pipeline;

/// <summary>
/// Time spent in each stage of the ingest pipeline since the process started, for the benchmark's breakdown and the
/// stats endpoint. Stages that run in parallel (normalize, classify, …) add up the time of every thread, so their sum
/// can exceed wall-clock time; sequential stages are wall-clock. Cheap enough to stay on in production: one
/// timestamp pair and two interlocked adds per stage and batch.
/// </summary>
public sealed class IngestStageTimings
{
    private readonly ConcurrentDictionary<string, Counter> _stages = new(StringComparer.Ordinal);

    /// <summary>Starts timing <paramref name="stage"/>; disposing the result records the elapsed time.</summary>
    public Scope Measure(string stage) => new(this, stage, Stopwatch.GetTimestamp());

    public void Record(string stage, long elapsedTimestampTicks)
    {
        var counter = _stages.GetOrAdd(stage, _ => new Counter());
        Interlocked.Add(ref counter.Ticks, elapsedTimestampTicks);
        Interlocked.Increment(ref counter.Calls);
    }

    /// <summary>Every stage seen so far, largest total first.</summary>
    public IReadOnlyList<StageTiming> Snapshot() =>
        _stages.Select(kv => new StageTiming(kv.Key, TimeSpan.FromSeconds((double)Interlocked.Read(ref kv.Value.Ticks) / Stopwatch.Frequency), Interlocked.Read(ref kv.Value.Calls)))
            .OrderByDescending(s => s.Total)
            .ToList();

    public void Reset() => _stages.Clear();

    private sealed class Counter
    {
        public long Ticks;
        public long Calls;
    }

    public readonly struct Scope(IngestStageTimings owner, string stage, long started) : IDisposable
    {
        public void Dispose() => owner.Record(stage, Stopwatch.GetTimestamp() - started);
    }
}

/// <param name="Stage">Stage name, e.g. "prepare.normalize" or "commit".</param>
/// <param name="Total">Time spent in the stage (summed over threads for parallel stages).</param>
/// <param name="Calls">How many times it was timed (per batch, or per item for per-item stages).</param>
public sealed record StageTiming(string Stage, TimeSpan Total, long Calls);
