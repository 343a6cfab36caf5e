using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.Reddit;

public static class RedditServiceCollectionExtensions
{
    /// <summary>Registers the Reddit connector (<c>Type = "reddit"</c>) with options from <c>Connectors:Reddit</c>.</summary>
    public static IServiceCollection AddRedditConnector(this IServiceCollection services)
    {
        services.AddOptions<RedditOptions>()
            .BindConfiguration(RedditOptions.SectionName)
            .Validate(o => o.AuthBaseUrl.IsAbsoluteUri && o.ApiBaseUrl.IsAbsoluteUri, "Reddit base URLs must be absolute")
            .Validate(o => o.PageSize is > 0 and <= 100, "Reddit PageSize must be 1..100")
            .Validate(o => !string.IsNullOrWhiteSpace(o.UserAgent), "Reddit requires a descriptive User-Agent")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedditTokenCache>();
        services.AddHttpClient<RedditClient>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<RedditOptions>>().Value.RequestTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });
        services.TryAddTransient<RedditConnector>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<ISourceConnector, RedditConnector>());
        return services;
    }
}
