using GitMesh.Messaging.Database;
using GitMesh.Messaging.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging;

public static class QueueServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IMessageQueue"/> for Queue:Provider: "Database" (default; needs AddGitMeshDbContext for
    /// <see cref="GitMesh.Data.DatabaseInfo"/>) or "Sqs" (Queue:Sqs:*). Options are validated when the host starts, with
    /// messages naming the setting to fix.
    /// </summary>
    public static IServiceCollection AddGitMeshQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<QueueOptions>().BindConfiguration(QueueOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueueOptions>, QueueOptionsValidator>();

        var provider = configuration.GetSection(QueueOptions.SectionName)[nameof(QueueOptions.Provider)];
        if (string.Equals(provider, "Sqs", StringComparison.OrdinalIgnoreCase))
        {
            services.AddOptions<SqsOptions>().BindConfiguration(SqsOptions.SectionName).ValidateOnStart();
            services.AddSingleton<IValidateOptions<SqsOptions>, SqsOptionsValidator>();
            services.AddSingleton<SqsCredentials>();
            // Long polls hold a request for up to 20 s; the timeout leaves room for that plus a slow answer.
            services.AddHttpClient<SqsClient>(http => http.Timeout = TimeSpan.FromSeconds(60));
            services.AddSingleton<IMessageQueue, SqsMessageQueue>();
        }
        else
        {
            services.AddOptions<DatabaseQueueOptions>().BindConfiguration(DatabaseQueueOptions.SectionName).ValidateOnStart();
            services.AddSingleton<IValidateOptions<DatabaseQueueOptions>, DatabaseQueueOptionsValidator>();
            services.AddSingleton<QueueSignals>();
            services.AddSingleton<IMessageQueue, DatabaseMessageQueue>();
        }

        return services;
    }
}

internal sealed class QueueOptionsValidator : IValidateOptions<QueueOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueOptions o)
    {
        var errors = new List<string>();
        if (!string.Equals(o.Provider, "Database", StringComparison.OrdinalIgnoreCase) && !string.Equals(o.Provider, "Sqs", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Queue:Provider is '{o.Provider}'; use 'Database' (default) or 'Sqs'.");
        }

        if (o.MaxReceives < 1)
        {
            errors.Add($"Queue:MaxReceives is {o.MaxReceives}; it must be at least 1.");
        }

        if (o.BaseBackoff <= TimeSpan.Zero)
        {
            errors.Add($"Queue:BaseBackoff is {o.BaseBackoff}; it must be positive (e.g. 00:00:02).");
        }

        if (o.MaxBackoff < o.BaseBackoff)
        {
            errors.Add($"Queue:MaxBackoff ({o.MaxBackoff}) must not be smaller than Queue:BaseBackoff ({o.BaseBackoff}).");
        }

        if (o.MaxBackoff > TimeSpan.FromHours(12))
        {
            errors.Add($"Queue:MaxBackoff is {o.MaxBackoff}; at most 12:00:00 (the longest SQS visibility timeout).");
        }

        if (o.VisibilityTimeout <= TimeSpan.Zero || o.VisibilityTimeout > TimeSpan.FromHours(12))
        {
            errors.Add($"Queue:VisibilityTimeout is {o.VisibilityTimeout}; it must be between 00:00:01 and 12:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class DatabaseQueueOptionsValidator : IValidateOptions<DatabaseQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseQueueOptions o)
    {
        var errors = new List<string>();
        if (o.PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"Queue:Database:PollInterval is {o.PollInterval}; it must be positive (e.g. 00:00:01).");
        }

        if (o.InsertChunkSize is < 1 or > 10_000)
        {
            errors.Add($"Queue:Database:InsertChunkSize is {o.InsertChunkSize}; use 1 to 10000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class SqsOptionsValidator : IValidateOptions<SqsOptions>
{
    public ValidateOptionsResult Validate(string? name, SqsOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Region))
        {
            errors.Add("Queue:Sqs:Region is empty; set the AWS region, e.g. us-east-1 (SQS-compatible servers accept any).");
        }

        if (!string.IsNullOrWhiteSpace(o.ServiceUrl)
            && (!Uri.TryCreate(o.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Queue:Sqs:ServiceUrl '{o.ServiceUrl}' is not an absolute http(s) URL, e.g. http://localhost:4566.");
        }

        if (string.IsNullOrEmpty(o.AccessKey) != string.IsNullOrEmpty(o.SecretKey))
        {
            errors.Add("Queue:Sqs:AccessKey and Queue:Sqs:SecretKey go together: set both, or neither to use the AWS default credential chain.");
        }

        if (!string.IsNullOrEmpty(o.QueuePrefix) && !QueueNameRules.IsValid(o.QueuePrefix))
        {
            errors.Add($"Queue:Sqs:QueuePrefix '{o.QueuePrefix}' may only contain letters, digits, '-' and '_' (at most {QueueNameRules.MaxLength}).");
        }

        if (o.MaxRetries is < 0 or > 10)
        {
            errors.Add($"Queue:Sqs:MaxRetries is {o.MaxRetries}; use 0 to 10.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
