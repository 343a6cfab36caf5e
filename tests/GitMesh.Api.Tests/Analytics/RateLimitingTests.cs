using System.Net;
using System.Text.Json;
using GitMesh.Data;
using GitMesh.TestCommon;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Analytics;

public sealed class RateLimitingTests
{
    [Theory, Providers]
    public async Task Requests_over_the_limit_get_429_with_retry_after_per_caller(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?>
        {
            ["RateLimiting:PermitLimit"] = "3",
            ["RateLimiting:WindowSeconds"] = "120",
            ["RateLimiting:Kind"] = "fixed",
        });
        // One request of this user's budget: creating the workspace.
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var url = $"{Ws(tenant.WorkspaceId)}/analytics/timeseries";
        (await client.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var limited = await client.GetAsync(url);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        limited.Headers.RetryAfter.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 120);
        limited.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(429);
        problem.GetProperty("title").GetString().ShouldBe("Too many requests");

        // Another caller has a budget of its own; paths outside /api/v1 are not limited.
        var other = await factory.CreateTenantAsync("Other");
        using var otherClient = factory.CreateClient(other.Token);
        (await otherClient.GetAsync($"{Ws(other.WorkspaceId)}/analytics/timeseries")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/openapi/v1.json")).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
    }
}
