using System.Globalization;
using System.Threading.RateLimiting;
using GitMesh.Api.Features.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace GitMesh.Api.Http;

/// <summary>Limits of the /api/v1 request rate limiter (section <c>RateLimiting</c>).</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests allowed per partition per window. Generous: a client polling every 50 ms stays under it.</summary>
    public int PermitLimit { get; set; } = 1200;

    public int WindowSeconds { get; set; } = 60;

    /// <summary><c>fixed</c> or <c>sliding</c>.</summary>
    public string Kind { get; set; } = "sliding";

    /// <summary>Segments of a sliding window.</summary>
    public int SegmentsPerWindow { get; set; } = 6;
}

/// <summary>
/// The built-in ASP.NET Core rate limiter over /api/v1, partitioned by API key, else signed-in user, else client IP.
/// A rejected request gets 429 with Retry-After and a ProblemDetails body. Runs after authentication, so the
/// caller is known.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddGitMeshRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitingOptions.SectionName).Get<RateLimitingOptions>() ?? new RateLimitingOptions();
        if (options.PermitLimit < 1 || options.WindowSeconds < 1 || options.SegmentsPerWindow < 1 || options.Kind is not ("fixed" or "sliding"))
        {
            throw new InvalidOperationException("RateLimiting: PermitLimit, WindowSeconds and SegmentsPerWindow must be at least 1, and Kind fixed or sliding.");
        }

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!options.Enabled || !http.Request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase))
                {
                    return RateLimitPartition.GetNoLimiter("none");
                }

                var key = PartitionKey(http);
                var window = TimeSpan.FromSeconds(options.WindowSeconds);
                return options.Kind == "fixed"
                    ? RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.PermitLimit,
                        Window = window,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
                    {
                        PermitLimit = options.PermitLimit,
                        Window = window,
                        SegmentsPerWindow = options.SegmentsPerWindow,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds))
                    : options.Kind == "fixed" ? options.WindowSeconds : Math.Max(1, options.WindowSeconds / options.SegmentsPerWindow);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"At most {options.PermitLimit} requests per {options.WindowSeconds} seconds; retry after {retryAfter} seconds.",
                        Type = "https://tools.ietf.org/html/rfc6585#section-4",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>API key id, else user id, else client IP (the connection's, as forwarded headers left it).</summary>
    internal static string PartitionKey(HttpContext http)
    {
        var caller = Caller.From(http.User);
        if (caller.ApiKeyId is { } keyId)
        {
            return "key:" + keyId.ToString("N");
        }

        if (caller.UserId is { } userId)
        {
            return "user:" + userId.ToString("N");
        }

        return "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
