using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Tests.Fakes;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Connectors.GitHub.Tests;

public sealed class GitHubClientErrorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Now);
    private FakeGitHub _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    private async Task<Exception> FetchFailsWithAsync(Func<HttpContext, Task> fault, TimeSpan? timeout = null)
    {
        _github.Faults.Enqueue(fault);
        await using var services = ConnectorHarness.Services(_github.BaseUrl, _clock, timeout: timeout);
        return await Should.ThrowAsync<Exception>(() => ConnectorHarness.Connector(services).FetchPageAsync(ConnectorHarness.Request(), CancellationToken.None));
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task Exhausted_primary_rate_limit_parks_until_the_reset_header(int status)
    {
        var reset = Now.AddMinutes(17);
        var error = await FetchFailsWithAsync(context =>
        {
            context.Response.Headers["x-ratelimit-limit"] = "5000";
            context.Response.Headers["x-ratelimit-remaining"] = "0";
            context.Response.Headers["x-ratelimit-reset"] = reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return FakeGitHub.WriteJsonAsync(context, status, new JsonObject { ["message"] = "API rate limit exceeded for user ID 1." });
        });

        var limited = error.ShouldBeOfType<RateLimitedException>();
        limited.RetryAt.ShouldBe(reset);
        limited.Provider.ShouldBe("github");
    }

    [Fact]
    public async Task Retry_after_header_wins_for_secondary_rate_limits()
    {
        var error = await FetchFailsWithAsync(context =>
        {
            context.Response.Headers["retry-after"] = "120";
            return FakeGitHub.WriteJsonAsync(context, 403, new JsonObject { ["message"] = "You have exceeded a secondary rate limit." });
        });

        error.ShouldBeOfType<RateLimitedException>().RetryAt.ShouldBe(Now.AddSeconds(120));
    }

    [Fact]
    public async Task Secondary_rate_limit_without_headers_waits_a_minute()
    {
        var error = await FetchFailsWithAsync(context =>
            FakeGitHub.WriteJsonAsync(context, 403, new JsonObject { ["message"] = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }));

        error.ShouldBeOfType<RateLimitedException>().RetryAt.ShouldBe(Now.AddMinutes(1));
    }

    [Fact]
    public async Task Server_error_is_transient()
    {
        var error = await FetchFailsWithAsync(context => FakeGitHub.WriteJsonAsync(context, 502, new JsonObject { ["message"] = "Server Error" }));

        error.ShouldBeOfType<TransientConnectorException>().Message.ShouldContain("502");
    }

    [Fact]
    public async Task Malformed_json_is_transient()
    {
        var error = await FetchFailsWithAsync(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[{\"id\": 1, \"number\": ");
        });

        error.ShouldBeOfType<TransientConnectorException>().Message.ShouldContain("malformed JSON");
    }

    [Fact]
    public async Task Html_from_a_proxy_is_transient()
    {
        var error = await FetchFailsWithAsync(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>upstream connect error</html>");
        });

        error.ShouldBeOfType<TransientConnectorException>();
    }

    [Fact]
    public async Task Unauthorized_carries_githubs_message()
    {
        var error = await FetchFailsWithAsync(context =>
            FakeGitHub.WriteJsonAsync(context, 401, new JsonObject { ["message"] = "Bad credentials", ["documentation_url"] = "https://docs.github.com/rest" }));

        var auth = error.ShouldBeOfType<ConnectorAuthException>();
        auth.ProviderMessage.ShouldBe("Bad credentials");
        auth.Message.ShouldNotContain(FakeGitHub.Token);
    }

    [Fact]
    public async Task Forbidden_bad_credentials_without_rate_limit_headers_is_an_auth_failure()
    {
        var error = await FetchFailsWithAsync(context =>
        {
            context.Response.Headers["x-ratelimit-remaining"] = "4999";
            return FakeGitHub.WriteJsonAsync(context, 403, new JsonObject { ["message"] = "Bad credentials" });
        });

        error.ShouldBeOfType<ConnectorAuthException>().ProviderMessage.ShouldBe("Bad credentials");
    }

    [Fact]
    public async Task Real_token_is_refused_by_the_fake_with_githubs_message()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl, _clock);
        var request = ConnectorHarness.Request(credentials: new() { ["token"] = "ghp_revoked" });

        var error = await Should.ThrowAsync<ConnectorAuthException>(() => ConnectorHarness.Connector(services).FetchPageAsync(request, CancellationToken.None));

        error.ProviderMessage.ShouldBe("Bad credentials");
    }

    [Fact]
    public async Task Unprocessable_request_is_a_github_api_error_with_the_recorded_message()
    {
        // The recorded 422 body from octokit/fixtures "errors".
        var recorded = Fixture.Json("rest_recorded_octokit_fixtures/errors.normalized-fixture.json")[0]!["response"]!;
        var error = await FetchFailsWithAsync(context => FakeGitHub.WriteJsonAsync(context, 422, recorded.DeepClone()));

        var api = error.ShouldBeOfType<GitHubApiException>();
        api.StatusCode.ShouldBe(422);
        api.GitHubMessage.ShouldBe("Validation Failed");
    }

    [Fact]
    public async Task Timeout_is_transient()
    {
        var error = await FetchFailsWithAsync(async context => await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted), TimeSpan.FromSeconds(1));

        error.ShouldBeOfType<TransientConnectorException>().Message.ShouldContain("timed out");
    }

    [Fact]
    public async Task Graphql_rate_limit_error_is_rate_limited()
    {
        var reset = Now.AddMinutes(5);
        _github.FaultPathPrefix = "/graphql";
        _github.Faults.Enqueue(context =>
        {
            context.Response.Headers["x-ratelimit-reset"] = reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return FakeGitHub.WriteJsonAsync(context, 200, JsonNode.Parse("""{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded"}]}""")!);
        });
        await using var services = ConnectorHarness.Services(_github.BaseUrl, _clock);

        var error = await Should.ThrowAsync<RateLimitedException>(() => ConnectorHarness.DrainAsync(ConnectorHarness.Connector(services), ConnectorHarness.Request()));

        error.RetryAt.ShouldBe(reset);
    }

    [Fact]
    public async Task Github_app_signs_a_jwt_exchanges_it_once_and_uses_the_installation_token()
    {
        using var key = RSA.Create(2048);
        _github.AppKey = key;
        await using var services = ConnectorHarness.Services(_github.BaseUrl, _clock);
        var credentials = new Dictionary<string, string>
        {
            ["appId"] = _github.AppId,
            ["privateKey"] = key.ExportRSAPrivateKeyPem(),
            ["installationId"] = "777",
        };

        await ConnectorHarness.DrainAsync(ConnectorHarness.Connector(services), ConnectorHarness.Request(credentials: credentials));

        _github.TokenExchanges.ShouldBe(1);
        var exchange = _github.RequestsTo("/app/installations/777/access_tokens").Single();
        exchange.Method.ShouldBe("POST");
        exchange.Headers["Authorization"].ShouldStartWith("Bearer ey");
        _github.Server.Requests.Where(r => r.Path.StartsWith("/repos/", StringComparison.Ordinal))
            .ShouldAllBe(r => r.Headers["Authorization"] == $"Bearer {FakeGitHub.InstallationToken}");
    }

    [Fact]
    public async Task Github_app_with_a_wrong_key_is_an_auth_failure()
    {
        using var registered = RSA.Create(2048);
        using var other = RSA.Create(2048);
        _github.AppKey = registered;
        await using var services = ConnectorHarness.Services(_github.BaseUrl, _clock);
        var credentials = new Dictionary<string, string> { ["appId"] = _github.AppId, ["privateKey"] = other.ExportRSAPrivateKeyPem(), ["installationId"] = "777" };

        var error = await Should.ThrowAsync<ConnectorAuthException>(() => ConnectorHarness.Connector(services).FetchPageAsync(ConnectorHarness.Request(credentials: credentials), CancellationToken.None));

        error.ProviderMessage.ShouldBe("A JSON web token could not be decoded");
    }
}
