using System.Reflection;
using GitMesh.Bench;

// `dotnet run -c Release --project bench/GitMesh.Bench -- <name> [options]`.
// Benchmarks are discovered by type so each area adds its own file without touching this one.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || benchmarks.All(b => b.Name != args[0]))
{
    Console.Error.WriteLine("usage: bench <name> [options]");
    foreach (var b in benchmarks)
    {
        Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    }

    return args.Length == 0 ? 0 : 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return await benchmarks.Single(b => b.Name == args[0]).RunAsync(args[1..], cts.Token);
