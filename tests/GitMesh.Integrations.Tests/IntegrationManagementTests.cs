using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitMesh.Api.Tests;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Integrations.Tests;

public sealed class IntegrationManagementTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string Token = "ghp_PLAINTEXT_TOKEN_must_never_leak_0123456789";

    [Theory, Providers]
    public async Task Credentials_are_stored_encrypted_and_never_returned(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);

        var response = await client.PostAsJsonAsync(TestClients.IntegrationsPath(tenant.WorkspaceId), new
        {
            type = "github",
            name = "Main repo",
            settings = new { owner = "acme", repo = "app", includeDiscussions = false },
            credentials = new { token = Token },
        });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, text);
        text.ShouldNotContain(Token);
        var created = JsonDocument.Parse(text).RootElement;
        created.GetProperty("hasCredentials").GetBoolean().ShouldBeTrue();
        created.GetProperty("credentialKeys").EnumerateArray().Select(k => k.GetString()).ShouldBe(["token"]);
        var secret = created.GetProperty("webhookSecret").GetString();
        secret.ShouldNotBeNullOrEmpty();
        created.GetProperty("webhookUrl").GetString().ShouldBe($"/webhooks/github?integration={created.GetProperty("id").GetString()}");
        var id = Guid.Parse(created.GetProperty("id").GetString()!);

        // The secret is shown once: neither the list nor the item repeat it.
        var list = await client.GetStringAsync(TestClients.IntegrationsPath(tenant.WorkspaceId));
        list.ShouldNotContain(Token);
        list.ShouldNotContain(secret!);
        var item = await client.GetFromJsonAsync<JsonElement>($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}");
        item.GetProperty("webhookSecret").ValueKind.ShouldBe(JsonValueKind.Null);
        item.GetProperty("settings").GetProperty("includeDiscussions").GetString().ShouldBe("false");

        // Update the token (patch) and rename: still never echoed.
        var patched = await client.PatchAsJsonAsync($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}", new { name = "Renamed", credentials = new { token = Token + "-v2" } });
        var patchedText = await patched.Content.ReadAsStringAsync();
        patched.StatusCode.ShouldBe(HttpStatusCode.OK, patchedText);
        patchedText.ShouldNotContain(Token);

        await factory.WithDbAsync(async db =>
        {
            var row = await db.Integrations.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == id);
            row.EncryptedCredentials.ShouldNotBeNull();
            row.EncryptedCredentials.ShouldNotContain(Token);
            row.EncryptedCredentials.ShouldNotContain("ghp_");
            row.EncryptedWebhookSecret.ShouldNotBeNull();
            row.EncryptedWebhookSecret.ShouldNotContain(secret!);
            row.Name.ShouldBe("Renamed");

            var audit = await db.AuditLog.IgnoreQueryFilters().AsNoTracking().Where(a => a.WorkspaceId == tenant.WorkspaceId && a.EntityType == "integration").ToListAsync();
            audit.Select(a => a.Action).ShouldBe(["integration.created", "integration.updated"], ignoreOrder: true);
            foreach (var entry in audit)
            {
                (entry.BeforeJson + entry.AfterJson).ShouldNotContain(Token);
                (entry.BeforeJson + entry.AfterJson).ShouldNotContain(secret!);
            }

            return 0;
        });

        (await client.DeleteAsync($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetAsync($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Settings_are_validated_against_the_type_schema(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var path = TestClients.IntegrationsPath(tenant.WorkspaceId);

        async Task<JsonElement> ErrorsOfAsync(object body)
        {
            var response = await client.PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
            return JsonDocument.Parse(text).RootElement.GetProperty("errors").Clone();
        }

        (await ErrorsOfAsync(new { type = "myspace", name = "x" })).TryGetProperty("type", out _).ShouldBeTrue();
        var github = await ErrorsOfAsync(new { type = "github", name = "x", settings = new { owner = "acme", colour = "red", includeDiscussions = "maybe" }, credentials = new { token = "t" } });
        github.TryGetProperty("settings.colour", out _).ShouldBeTrue();
        github.TryGetProperty("settings.includeDiscussions", out _).ShouldBeTrue();
        github.TryGetProperty("settings.repo", out _).ShouldBeTrue();
        var missingCredentials = await ErrorsOfAsync(new { type = "github", name = "x", settings = new { repo = "acme/app" } });
        missingCredentials.TryGetProperty("credentials", out _).ShouldBeTrue();
        var x = await ErrorsOfAsync(new { type = "x", name = "x", settings = new { queries = Array.Empty<string>() }, credentials = new { bearerToken = "b", password = "p" } });
        x.TryGetProperty("settings.queries", out _).ShouldBeTrue();
        x.TryGetProperty("credentials.password", out _).ShouldBeTrue();
        var discord = await ErrorsOfAsync(new { type = "discord", name = "d", settings = new { channel_ids = new[] { "1" } }, credentials = new { bot_token = "b" }, cronSchedule = "every tuesday" });
        discord.TryGetProperty("settings.guild_id", out _).ShouldBeTrue();
        discord.TryGetProperty("cronSchedule", out _).ShouldBeTrue();

        var types = await client.GetFromJsonAsync<JsonElement>("/api/v1/integration-types");
        types.EnumerateArray().Select(t => t.GetProperty("type").GetString()).ShouldBe(["github", "reddit", "x", "stackoverflow", "discord", "webhook", "import"]);
        var token = types[0].GetProperty("credentials").EnumerateArray().First(f => f.GetProperty("name").GetString() == "token");
        token.GetProperty("secret").GetBoolean().ShouldBeTrue();
    }

    [Theory, Providers]
    public async Task Members_cannot_change_integrations_and_other_workspaces_see_nothing(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        using var asOwner = factory.CreateClient(owner.Token);
        var created = await TestClients.CreateIntegrationAsync(asOwner, owner.WorkspaceId, new { type = "webhook", name = "Zapier" });
        var id = created.GetProperty("id").GetString();

        var key = await (await asOwner.PostAsJsonAsync($"/api/v1/workspaces/{owner.WorkspaceId}/api-keys", new { name = "ci", role = "member" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var asMember = factory.CreateClient(bearer: null);
        asMember.DefaultRequestHeaders.Add("X-Api-Key", key.GetProperty("key").GetString());
        (await asMember.GetAsync(TestClients.IntegrationsPath(owner.WorkspaceId))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await asMember.PostAsJsonAsync(TestClients.IntegrationsPath(owner.WorkspaceId), new { type = "webhook", name = "mine" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await asMember.DeleteAsync($"{TestClients.IntegrationsPath(owner.WorkspaceId)}/{id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var asOther = factory.CreateClient(other.Token);
        (await asOther.GetAsync($"{TestClients.IntegrationsPath(owner.WorkspaceId)}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.GetAsync($"{TestClients.IntegrationsPath(other.WorkspaceId)}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.DeleteAsync($"{TestClients.IntegrationsPath(other.WorkspaceId)}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.PostAsync($"{TestClients.IntegrationsPath(other.WorkspaceId)}/{id}/run", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
