using System.Collections.Concurrent;

namespace GitMesh.Hosting;

/// <summary>What /readyz reports: the database is migrated and every registered background service is running.</summary>
public sealed class ReadinessState
{
    private readonly ConcurrentDictionary<string, bool> _components = new(StringComparer.Ordinal);

    public bool DatabaseReady { get; private set; }

    public string? DatabaseError { get; private set; }

    public void MarkDatabaseReady() => (DatabaseReady, DatabaseError) = (true, null);

    public void MarkDatabaseFailed(string error) => (DatabaseReady, DatabaseError) = (false, error);

    /// <summary>A background service declares itself; it is not ready until it reports running.</summary>
    public void Register(string component) => _components.TryAdd(component, false);

    public void SetRunning(string component, bool running) => _components[component] = running;

    public IReadOnlyDictionary<string, bool> Components => _components;
}
