using System.Net.Http.Json;
using System.Text.Json;
using GitMesh.Api.Tests;
using Microsoft.Extensions.DependencyInjection;
using GitMesh.Data;

namespace GitMesh.Integrations.Tests;

internal static class TestClients
{
    public static string IntegrationsPath(Guid workspaceId) => $"/api/v1/workspaces/{workspaceId}/integrations";

    public static async Task<JsonElement> CreateIntegrationAsync(HttpClient client, Guid workspaceId, object body)
    {
        var response = await client.PostAsJsonAsync(IntegrationsPath(workspaceId), body);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<T> WithDbAsync<T>(this ApiFactory factory, Func<GitMeshDbContext, Task<T>> action)
    {
        using var scope = factory.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<GitMeshDbContext>());
    }
}
