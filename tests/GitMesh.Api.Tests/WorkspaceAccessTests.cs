using System.Net;
using System.Net.Http.Json;
using GitMesh.Data;
using GitMesh.TestCommon;

namespace GitMesh.Api.Tests;

public sealed class WorkspaceAccessTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Another_workspace_is_404_for_read_update_delete_and_list_and_nothing_changes(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var a = await factory.CreateTenantAsync("Alpha");
        var b = await factory.CreateTenantAsync("Bravo");
        using var asA = factory.CreateClient(a.Token);
        using var asB = factory.CreateClient(b.Token);
        var keyOfB = await (await asB.PostAsJsonAsync($"/api/v1/workspaces/{b.WorkspaceId}/api-keys", new { name = "ci", role = "member" }))
            .Content.ReadFromJsonAsync<CreatedKeyDto>();

        (await asA.GetAsync($"/api/v1/workspaces/{b.WorkspaceId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.PatchAsJsonAsync($"/api/v1/workspaces/{b.WorkspaceId}", new { name = "pwned" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.DeleteAsync($"/api/v1/workspaces/{b.WorkspaceId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.GetAsync($"/api/v1/workspaces/{b.WorkspaceId}/members")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.GetAsync($"/api/v1/workspaces/{b.WorkspaceId}/api-keys")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.PostAsJsonAsync($"/api/v1/workspaces/{b.WorkspaceId}/members", new { email = "x@example.test", role = "owner", password = "a-long-password-1" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // B's key addressed through A's own workspace: the row filter hides it.
        (await asA.DeleteAsync($"/api/v1/workspaces/{a.WorkspaceId}/api-keys/{keyOfB!.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.DeleteAsync($"/api/v1/workspaces/{a.WorkspaceId}/members/{b.UserId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.GetAsync($"/api/v1/workspaces/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var listedByA = await asA.GetFromJsonAsync<List<WorkspaceDto>>("/api/v1/workspaces");
        listedByA!.Select(w => w.Id).ShouldBe([a.WorkspaceId]);

        var bAfter = await asB.GetFromJsonAsync<WorkspaceDto>($"/api/v1/workspaces/{b.WorkspaceId}");
        bAfter!.Name.ShouldBe("Bravo");
        var bKeys = await asB.GetFromJsonAsync<List<KeyDto>>($"/api/v1/workspaces/{b.WorkspaceId}/api-keys");
        bKeys!.ShouldHaveSingleItem().RevokedAt.ShouldBeNull();
        (await asB.GetFromJsonAsync<List<MemberDto>>($"/api/v1/workspaces/{b.WorkspaceId}/members"))!.ShouldHaveSingleItem();

        using var withKeyOfB = factory.CreateClient(bearer: null);
        withKeyOfB.DefaultRequestHeaders.Add("X-Api-Key", keyOfB.Key);
        (await withKeyOfB.GetAsync($"/api/v1/workspaces/{a.WorkspaceId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await withKeyOfB.GetAsync($"/api/v1/workspaces/{b.WorkspaceId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, Providers]
    public async Task Roles_gate_reads_changes_and_ownership(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        using var asOwner = factory.CreateClient(owner.Token);
        var ws = $"/api/v1/workspaces/{owner.WorkspaceId}";

        async Task<HttpClient> MemberWithRoleAsync(string role)
        {
            var email = $"{role}-{Guid.NewGuid():N}@example.test";
            var added = await asOwner.PostAsJsonAsync($"{ws}/members", new { email, role, password = "a-long-password-1" });
            added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
            return factory.CreateClient(await factory.GetTokenAsync(email, "a-long-password-1"));
        }

        using var viewer = await MemberWithRoleAsync("viewer");
        using var member = await MemberWithRoleAsync("member");
        using var admin = await MemberWithRoleAsync("admin");

        (await viewer.GetAsync(ws)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.GetAsync($"{ws}/members")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.PatchAsJsonAsync(ws, new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await member.PatchAsJsonAsync(ws, new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await member.GetAsync($"{ws}/api-keys")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await admin.PatchAsJsonAsync(ws, new { name = "Renamed" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.DeleteAsync(ws)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await admin.PostAsJsonAsync($"{ws}/members", new { email = "boss@example.test", role = "owner", password = "a-long-password-1" }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await asOwner.PatchAsJsonAsync($"{ws}/members/{owner.UserId}", new { role = "viewer" })).StatusCode.ShouldBe(HttpStatusCode.Conflict, "last owner stays");
        (await asOwner.DeleteAsync(ws)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await asOwner.GetAsync(ws)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Api_keys_are_shown_once_stored_hashed_scoped_by_role_and_revocable(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        using var asOwner = factory.CreateClient(owner.Token);
        var ws = $"/api/v1/workspaces/{owner.WorkspaceId}";

        var created = await asOwner.PostAsJsonAsync($"{ws}/api-keys", new { name = "viewer key", role = "viewer" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var key = await created.Content.ReadFromJsonAsync<CreatedKeyDto>();
        key!.Key.ShouldStartWith("gm_");
        key.Key.Length.ShouldBeGreaterThan(40);

        var listed = await asOwner.GetStringAsync($"{ws}/api-keys");
        listed.ShouldNotContain(key.Key);
        listed.ShouldContain(key.Prefix);

        using var machine = factory.CreateClient(bearer: key.Key);
        (await machine.GetAsync(ws)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await machine.PatchAsJsonAsync(ws, new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await machine.PostAsJsonAsync($"{ws}/api-keys", new { name = "escalate", role = "admin" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await machine.GetFromJsonAsync<List<WorkspaceDto>>("/api/v1/workspaces"))!.ShouldHaveSingleItem().Role.ShouldBe("viewer");

        (await asOwner.PostAsJsonAsync($"{ws}/api-keys", new { name = "too much", role = "owner" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await asOwner.DeleteAsync($"{ws}/api-keys/{key.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await machine.GetAsync(ws)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await using var context = factory.Database.CreateContext();
        var stored = context.ApiKeys.Single(k => k.Id == key.Id);
        stored.KeyHash.ShouldNotContain(key.Key);
        stored.KeyHash.Length.ShouldBe(64);
        context.AuditLog.Count(e => e.WorkspaceId == owner.WorkspaceId && e.Action.StartsWith("api_key.")).ShouldBe(2);
    }
}

public sealed record CreatedKeyDto(Guid Id, string Name, string Prefix, string Role, DateTime CreatedAt, DateTime? ExpiresAt, string Key);

public sealed record KeyDto(Guid Id, string Name, string Prefix, string Role, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime? RevokedAt);

public sealed record MemberDto(Guid UserId, string Email, string? DisplayName, string Role, DateTime JoinedAt);
