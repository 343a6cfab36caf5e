using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Tests.Fakes;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Connectors.GitHub.Tests;

/// <summary>Builds the connector through the real DI registration, pointed at a fake GitHub.</summary>
internal static class ConnectorHarness
{
    public static readonly DateTimeOffset Backfill = new(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static ServiceProvider Services(Uri baseUrl, TimeProvider? timeProvider = null, int pageSize = 5, TimeSpan? timeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connectors:GitHub:BaseUrl"] = baseUrl.AbsoluteUri,
            ["Connectors:GitHub:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Connectors:GitHub:DiscussionPageSize"] = "3",
            ["Connectors:GitHub:Timeout"] = (timeout ?? TimeSpan.FromSeconds(20)).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddGitHubConnector(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static ISourceConnector Connector(ServiceProvider services) =>
        services.GetServices<ISourceConnector>().Single(c => c.Type == SignalSources.GitHub);

    public static GitHubClient Client(ServiceProvider services) => services.GetRequiredService<GitHubClient>();

    public static ConnectorRequest Request(string? cursor = null, Dictionary<string, string>? settings = null, Dictionary<string, string>? credentials = null) => new(
        Guid.Parse("11111111-1111-1111-1111-111111111111"),
        Guid.Parse("22222222-2222-2222-2222-222222222222"),
        settings ?? new Dictionary<string, string> { ["owner"] = FakeGitHub.Owner, ["repo"] = FakeGitHub.Repo },
        credentials ?? new Dictionary<string, string> { ["token"] = FakeGitHub.Token },
        cursor,
        Backfill);

    /// <summary>Runs pages until caught up, as the connector-run workflow does; returns every page and the final cursor.</summary>
    public static async Task<(List<ConnectorPage> Pages, string? Cursor)> DrainAsync(ISourceConnector connector, ConnectorRequest request, int maxPages = 50)
    {
        var pages = new List<ConnectorPage>();
        var cursor = request.Cursor;
        for (var i = 0; i < maxPages; i++)
        {
            var page = await connector.FetchPageAsync(request with { Cursor = cursor }, CancellationToken.None);
            pages.Add(page);
            cursor = page.NextCursor;
            if (!page.HasMore)
            {
                return (pages, cursor);
            }
        }

        throw new InvalidOperationException("connector never caught up");
    }
}
