namespace GitMesh.Bench;

/// <summary>One `bench NAME` verb. Implementations must measure their baseline in the same run and print both.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
