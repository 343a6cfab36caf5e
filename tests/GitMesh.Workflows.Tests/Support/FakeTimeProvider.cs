namespace GitMesh.Workflows.Tests.Support;

/// <summary>A settable clock (Microsoft.Extensions.TimeProvider.Testing is not in our registry). Timers stay real.</summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
