using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.StackExchange;

public static class StackExchangeServiceCollectionExtensions
{
    /// <summary>Registers the Stack Exchange connector (<c>Type = "stackoverflow"</c>) with options from <c>Connectors:StackExchange</c>.</summary>
    public static IServiceCollection AddStackExchangeConnector(this IServiceCollection services)
    {
        services.AddOptions<StackExchangeOptions>()
            .BindConfiguration(StackExchangeOptions.SectionName)
            .Validate(o => o.ApiBaseUrl.IsAbsoluteUri, "Stack Exchange ApiBaseUrl must be absolute")
            .Validate(o => o.PageSize is > 0 and <= 100, "Stack Exchange PageSize must be 1..100")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Filter), "Stack Exchange Filter must be set (a body filter such as withbody)")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // The API always compresses its responses (gzip or deflate), whatever the request says.
        services.AddHttpClient<StackExchangeClient>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<StackExchangeOptions>>().Value.RequestTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });
        services.TryAddTransient<StackExchangeConnector>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<ISourceConnector, StackExchangeConnector>());
        return services;
    }
}
