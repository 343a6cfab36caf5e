using System.Text.Json.Nodes;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Connectors.Social.Tests;

/// <summary>Builds a connector through its real <c>Add…Connector()</c> registration, pointed at a fake server.</summary>
public static class ConnectorHarness
{
    public static ServiceProvider Services(Action<IServiceCollection> register, TimeProvider time, Dictionary<string, string?> configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        services.AddLogging();
        services.AddSingleton(time);
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static ConnectorRequest Request(
        Dictionary<string, string> settings, Dictionary<string, string> credentials, DateTimeOffset backfillSince, string? cursor = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), settings, credentials, cursor, backfillSince);

    /// <summary>Calls FetchPage until the pass is caught up, like the connector-run workflow does.</summary>
    public static async Task<(List<SignalEnvelope> Signals, string? Cursor, int Pages)> RunPassAsync(
        ISourceConnector connector, ConnectorRequest request, int maxPages = 100)
    {
        var signals = new List<SignalEnvelope>();
        var cursor = request.Cursor;
        for (var pages = 1; pages <= maxPages; pages++)
        {
            var page = await connector.FetchPageAsync(request with { Cursor = cursor }, CancellationToken.None);
            signals.AddRange(page.Signals);
            cursor = page.NextCursor;
            if (!page.HasMore)
            {
                return (signals, cursor, pages);
            }
        }

        throw new InvalidOperationException($"the connector still had more after {maxPages} pages");
    }

    public static string FixturePath(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static JsonNode Fixture(string relative) => JsonNode.Parse(File.ReadAllText(FixturePath(relative)))!;

    public static Dictionary<string, string> QueryOf(string queryString) =>
        queryString.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty);
}
