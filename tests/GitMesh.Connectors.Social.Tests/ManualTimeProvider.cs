namespace GitMesh.Connectors.Social.Tests;

/// <summary>A clock tests move by hand; nothing here sleeps.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
