using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.X;

public static class XServiceCollectionExtensions
{
    /// <summary>Registers the X connector (<c>Type = "x"</c>) with options from <c>Connectors:X</c>.</summary>
    public static IServiceCollection AddXConnector(this IServiceCollection services)
    {
        services.AddOptions<XOptions>()
            .BindConfiguration(XOptions.SectionName)
            .Validate(o => o.ApiBaseUrl.IsAbsoluteUri && o.WebBaseUrl.IsAbsoluteUri, "X base URLs must be absolute")
            .Validate(o => o.MaxResults is >= 10 and <= 100, "X MaxResults must be 10..100")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<XClient>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<XOptions>>().Value.RequestTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });
        services.TryAddTransient<XConnector>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<ISourceConnector, XConnector>());
        return services;
    }
}
