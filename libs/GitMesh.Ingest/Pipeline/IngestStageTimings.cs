using System.Collections.Concurrent;
using System.Diagnostics;

namespace GitMesh.Ingest.Pipeline;

/// <summary>
/// Time spent in each stage of the ingest pipeline since the process started, for the benchmark's breakdown and the
/// stats endpoint. Batch stages record wall-clock time and the process's CPU time over the stage (on a busy shared
/// machine CPU time is the steadier figure; with one consumer little else runs meanwhile, and the embedded SQLite
/// engine's work is in-process, so it is attributed too). Per-item stages that run in parallel (normalize,
/// classify, …) record wall-clock time only, added up over threads, so their sum can exceed elapsed time.
/// Cheap enough to stay on: two clock reads and a few interlocked adds per stage.
/// </summary>
public sealed class IngestStageTimings
{
    private readonly ConcurrentDictionary<string, Counter> _stages = new(StringComparer.Ordinal);

    /// <summary>Times a batch stage (wall and process CPU); disposing the result records it.</summary>
    public Scope Measure(string stage) => new(this, stage, Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime.Ticks);

    /// <summary>Times one item of a parallel stage (wall only: process CPU would count the other threads too).</summary>
    public Scope MeasureItem(string stage) => new(this, stage, Stopwatch.GetTimestamp(), -1);

    public void Record(string stage, long elapsedTimestampTicks, TimeSpan? cpu = null)
    {
        var counter = _stages.GetOrAdd(stage, _ => new Counter());
        Interlocked.Add(ref counter.WallTicks, elapsedTimestampTicks);
        Interlocked.Increment(ref counter.Calls);
        if (cpu is { } c)
        {
            Interlocked.Add(ref counter.CpuTicks, c.Ticks);
            Interlocked.Exchange(ref counter.HasCpu, 1);
        }
    }

    /// <summary>Every stage seen so far, largest wall-clock total first.</summary>
    public IReadOnlyList<StageTiming> Snapshot() =>
        _stages.Select(kv => new StageTiming(
                kv.Key,
                TimeSpan.FromSeconds((double)Interlocked.Read(ref kv.Value.WallTicks) / Stopwatch.Frequency),
                Interlocked.Read(ref kv.Value.HasCpu) == 1 ? TimeSpan.FromTicks(Interlocked.Read(ref kv.Value.CpuTicks)) : null,
                Interlocked.Read(ref kv.Value.Calls)))
            .OrderByDescending(s => s.Total)
            .ToList();

    public void Reset() => _stages.Clear();

    private sealed class Counter
    {
        public long WallTicks;
        public long CpuTicks;
        public long HasCpu;
        public long Calls;
    }

    public readonly struct Scope(IngestStageTimings owner, string stage, long started, long cpuStartedTicks) : IDisposable
    {
        public void Dispose() => owner.Record(
            stage,
            Stopwatch.GetTimestamp() - started,
            cpuStartedTicks < 0 ? null : TimeSpan.FromTicks(Environment.CpuUsage.TotalTime.Ticks - cpuStartedTicks));
    }
}

/// <param name="Stage">Stage name, e.g. "prepare.normalize" or "commit".</param>
/// <param name="Total">Wall-clock time spent in the stage (summed over threads for per-item parallel stages).</param>
/// <param name="Cpu">Process CPU time over the stage's runs; null for per-item stages.</param>
/// <param name="Calls">How many times it was timed (per batch, or per item for per-item stages).</param>
public sealed record StageTiming(string Stage, TimeSpan Total, TimeSpan? Cpu, long Calls);
