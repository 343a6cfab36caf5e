using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Polling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Connectors.GitHub;

public static class GitHubServiceCollectionExtensions
{
    /// <summary>
    /// Registers the GitHub typed client, the App token cache and <see cref="GitHubConnector"/> as an
    /// <see cref="ISourceConnector"/>. Options bind from <c>Connectors:GitHub</c> when <paramref name="configuration"/> is
    /// given (all have defaults, so an unconfigured host still works against github.com).
    /// </summary>
    public static IServiceCollection AddGitHubConnector(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var optionsBuilder = services.AddOptions<GitHubConnectorOptions>();
        if (configuration is not null)
        {
            optionsBuilder.Bind(configuration.GetSection(GitHubConnectorOptions.SectionName));
        }

        optionsBuilder.Validate(o => o.IsValid(out _), "Connectors:GitHub is invalid (BaseUrl absolute, Timeout > 0, page sizes 1..100, UserAgent set)").ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GitHubAppTokenCache>();
        services.AddHttpClient<GitHubClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<GitHubConnectorOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.Timeout;
        });

        // Transient like the typed client it wraps, so the handler rotation of IHttpClientFactory keeps working.
        services.AddTransient<GitHubConnector>();
        services.AddTransient<ISourceConnector>(sp => sp.GetRequiredService<GitHubConnector>());
        return services;
    }
}
