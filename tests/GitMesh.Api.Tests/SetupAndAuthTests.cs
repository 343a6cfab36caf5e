using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using GitMesh.Data;
using GitMesh.TestCommon;

namespace GitMesh.Api.Tests;

public sealed class SetupAndAuthTests
{
    [Theory, Providers]
    public async Task First_run_setup_creates_admin_and_workspace_then_answers_409_forever(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        using var client = factory.CreateClient(bearer: null);

        (await client.GetFromJsonAsync<SetupStatusDto>("/api/v1/setup"))!.SetupRequired.ShouldBeTrue();

        var created = await client.PostAsJsonAsync("/api/v1/setup", new { email = "admin@example.test", password = "a-long-password-1", workspace = "Acme Product" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var setup = await created.Content.ReadFromJsonAsync<SetupResponseDto>();
        setup!.WorkspaceSlug.ShouldStartWith("acme-product-");

        var again = await client.PostAsJsonAsync("/api/v1/setup", new { email = "other@example.test", password = "a-long-password-2", workspace = "Other" });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("already set up");
        (await client.GetFromJsonAsync<SetupStatusDto>("/api/v1/setup"))!.SetupRequired.ShouldBeFalse();

        var token = await factory.GetTokenAsync("admin@example.test", "a-long-password-1");
        using var authed = factory.CreateClient(token);
        var me = await authed.GetFromJsonAsync<MeDto>("/api/v1/me");
        me!.Email.ShouldBe("admin@example.test");
        me.Workspaces.ShouldHaveSingleItem().Role.ShouldBe("owner");
        me.Workspaces[0].Id.ShouldBe(setup.WorkspaceId);
    }

    [Theory, Providers]
    public async Task Concurrent_setups_create_exactly_one_admin(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var client = factory.CreateClient(bearer: null);
            return await client.PostAsJsonAsync("/api/v1/setup", new { email = $"admin{i}@example.test", password = "a-long-password-1", workspace = "W" });
        }));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(3);
    }

    [Theory, Providers]
    public async Task Token_endpoint_returns_bearer_token_and_rejects_bad_credentials(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        await factory.CreateUserAsync("dev@example.test", "a-long-password-1");
        using var client = factory.CreateClient(bearer: null);

        var ok = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "dev@example.test", password = "a-long-password-1" });
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        var token = await ok.Content.ReadFromJsonAsync<TokenResponse>();
        token!.AccessToken.ShouldNotBeNullOrEmpty();
        token.ExpiresIn.ShouldBe(3600);

        var wrong = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "dev@example.test", password = "wrong-password-x" });
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "nobody@example.test", password = "wrong-password-x" });
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await unknown.Content.ReadAsStringAsync()).Split("traceId")[0].ShouldBe((await wrong.Content.ReadAsStringAsync()).Split("traceId")[0], "no account enumeration");

        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, Providers]
    public async Task Browser_login_sets_an_http_only_strict_cookie_session(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        await factory.CreateUserAsync("pm@example.test", "a-long-password-1");
        using var client = factory.CreateClient();

        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "pm@example.test", password = "a-long-password-1" });
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gitmesh.session=", StringComparison.Ordinal));
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);

        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory, Providers]
    public async Task Bad_input_gets_problem_details_never_a_500_or_stack_trace(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?> { ["Api:MaxRequestBodyBytes"] = "4096" });
        using var client = factory.CreateClient(bearer: null);

        var malformed = await client.PostAsync("/api/v1/setup", new StringContent("{\"email\": \"a@b.c\", ", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "JSON");

        var missing = await client.PostAsJsonAsync("/api/v1/setup", new { email = "a@example.test" });
        var missingBody = await AssertProblemAsync(missing, HttpStatusCode.BadRequest, "'password' is required");
        missingBody.ShouldContain("'workspace' is required");

        var weak = await client.PostAsJsonAsync("/api/v1/setup", new { email = "a@example.test", password = "short", workspace = "W" });
        await AssertProblemAsync(weak, HttpStatusCode.BadRequest, "Passwords must be at least 10 characters");
        (await client.GetFromJsonAsync<SetupStatusDto>("/api/v1/setup"))!.SetupRequired.ShouldBeTrue("a failed setup leaves nothing behind");

        var unknownField = await client.PostAsJsonAsync("/api/v1/setup", new { email = "a@example.test", password = "a-long-password-1", workspace = "W", admin = true });
        await AssertProblemAsync(unknownField, HttpStatusCode.BadRequest, "admin");

        var huge = await client.PostAsync("/api/v1/setup", new StringContent("{\"email\":\"" + new string('x', 10_000) + "\"}", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge, "limit is 4096 bytes");

        var wrongType = await client.PostAsync("/api/v1/setup", new StringContent("[1,2,3]", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(wrongType, HttpStatusCode.BadRequest, "JSON");
    }

    [Theory, Providers]
    public async Task Health_readiness_and_openapi_are_served(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        using var client = factory.CreateClient(bearer: null);
        (await client.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var openapi = await client.GetStringAsync("/openapi/v1.json");
        openapi.ShouldContain("/api/v1/setup");
        openapi.ShouldContain("/api/v1/workspaces/{workspaceId}/api-keys");
    }

    internal static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string expectedText)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        body.ShouldContain(expectedText, Case.Insensitive);
        body.ShouldNotContain("   at ", Case.Sensitive, "no stack trace outside Development");
        return body;
    }
}

public sealed record SetupStatusDto(bool SetupRequired);

public sealed record SetupResponseDto(Guid UserId, Guid WorkspaceId, string WorkspaceSlug);

public sealed record MeDto(Guid UserId, string Email, string? DisplayName, List<WorkspaceDto> Workspaces);
