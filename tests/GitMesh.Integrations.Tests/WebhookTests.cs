using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GitMesh.Api.Tests;
using GitMesh.Connectors.GitHub.Webhooks;
using GitMesh.Connectors.Webhooks;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Integrations.Tests;

public sealed class WebhookTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly byte[] IssueOpened = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "issues.opened.payload.json"));

    [Theory, Providers]
    public async Task GitHub_delivery_with_valid_signature_is_ingested_once(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var (tenant, id, secret) = await CreateAsync(factory, "github", new { repo = "Codertocat/Hello-World" }, new { token = "t" });
        using var anonymous = factory.CreateClient(bearer: null);
        var deliveryId = Guid.NewGuid().ToString();

        var first = await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "issues", deliveryId, IssueOpened, GitHubWebhookVerifier.Sign(IssueOpened, secret)));
        first.StatusCode.ShouldBe(HttpStatusCode.Accepted, await first.Content.ReadAsStringAsync());
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32().ShouldBe(1);

        // Redelivery of the same id: answered, nothing enqueued again.
        var again = await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "issues", deliveryId, IssueOpened, GitHubWebhookVerifier.Sign(IssueOpened, secret)));
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("already processed");

        await TestWait.UntilAsync(async () => await factory.WithDbAsync(db => db.Signals.IgnoreQueryFilters().AnyAsync(s => s.WorkspaceId == tenant.WorkspaceId)), "the webhook's signal is ingested");
        await factory.WithDbAsync(async db =>
        {
            (await db.WebhookDeliveries.CountAsync(d => d.Provider == "github" && d.DeliveryId == deliveryId)).ShouldBe(1);
            (await db.Integrations.IgnoreQueryFilters().SingleAsync(i => i.Id == id)).ItemsFetched.ShouldBe(1);
            return 0;
        });

        // Routed by repository instead of ?integration=: the integration whose settings and secret match.
        var routed = await anonymous.SendAsync(GitHubRequest("/webhooks/github", "issues", Guid.NewGuid().ToString(), IssueOpened, GitHubWebhookVerifier.Sign(IssueOpened, secret)));
        routed.StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var ping = Encoding.UTF8.GetBytes("{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}");
        (await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "ping", Guid.NewGuid().ToString(), ping, GitHubWebhookVerifier.Sign(ping, secret))))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var malformed = Encoding.UTF8.GetBytes("{\"action\":\"opened\"");
        (await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "issues", Guid.NewGuid().ToString(), malformed, GitHubWebhookVerifier.Sign(malformed, secret))))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, Providers]
    public async Task GitHub_delivery_with_wrong_or_missing_signature_is_401_and_stores_nothing(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var (_, id, secret) = await CreateAsync(factory, "github", new { repo = "Codertocat/Hello-World" }, new { token = "t" });
        using var anonymous = factory.CreateClient(bearer: null);
        var wrong = Guid.NewGuid().ToString();
        var missing = Guid.NewGuid().ToString();

        (await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "issues", wrong, IssueOpened, GitHubWebhookVerifier.Sign(IssueOpened, secret + "x"))))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "issues", missing, IssueOpened, signature: null)))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var tampered = IssueOpened.ToArray();
        tampered[^3] ^= 1;
        (await anonymous.SendAsync(GitHubRequest($"/webhooks/github?integration={id}", "issues", wrong, tampered, GitHubWebhookVerifier.Sign(IssueOpened, secret))))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        await factory.WithDbAsync(async db =>
        {
            (await db.WebhookDeliveries.CountAsync(d => d.DeliveryId == wrong || d.DeliveryId == missing)).ShouldBe(0);
            (await db.Integrations.IgnoreQueryFilters().SingleAsync(i => i.Id == id)).ItemsFetched.ShouldBe(0);
            return 0;
        });
    }

    [Theory, Providers]
    public async Task Generic_webhook_checks_signature_and_replay_window_and_reports_items(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var (tenant, id, secret) = await CreateAsync(factory, "webhook", null, null);
        using var anonymous = factory.CreateClient(bearer: null);
        var body = Encoding.UTF8.GetBytes("""
            [
              {"source":"webhook","kind":"post","externalId":"zap-1","title":"Export to PDF please","body":"We need PDF export."},
              {"source":"webhook","kind":"post","title":"no id"},
              {"source":"webhook","kind":"post","externalId":"zap-2","body":"Login fails on Safari"}
            ]
            """);
        var path = $"/webhooks/ingest/{id}";

        var ok = await anonymous.SendAsync(GenericRequest(path, body, WebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow, body), "d-1"));
        var okText = await ok.Content.ReadAsStringAsync();
        ok.StatusCode.ShouldBe(HttpStatusCode.Accepted, okText);
        var result = JsonDocument.Parse(okText).RootElement;
        result.GetProperty("accepted").GetInt32().ShouldBe(2);
        var rejected = result.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Count.ShouldBe(1);
        rejected[0].GetProperty("index").GetInt32().ShouldBe(1);

        var replay = await anonymous.SendAsync(GenericRequest(path, body, WebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow, body), "d-1"));
        (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("already processed");

        // A captured delivery replayed after the window: the MAC is valid but the timestamp is too old.
        var old = await anonymous.SendAsync(GenericRequest(path, body, WebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow.AddMinutes(-30), body), "d-2"));
        old.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.SendAsync(GenericRequest(path, body, WebhookSignature.CreateHeader("not-the-secret", DateTimeOffset.UtcNow, body), "d-3")))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.SendAsync(GenericRequest(path, body, signature: null, "d-4"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var notJson = Encoding.UTF8.GetBytes("not json");
        (await anonymous.SendAsync(GenericRequest(path, notJson, WebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow, notJson), null)))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await TestWait.UntilAsync(async () => await factory.WithDbAsync(db => db.Signals.IgnoreQueryFilters().CountAsync(s => s.WorkspaceId == tenant.WorkspaceId)) == 2,
            "both valid envelopes are ingested");
        await factory.WithDbAsync(async db =>
        {
            (await db.WebhookDeliveries.CountAsync(d => d.IntegrationId == id)).ShouldBe(1);
            return 0;
        });
    }

    private static async Task<(TestTenant Tenant, Guid Id, string Secret)> CreateAsync(ApiFactory factory, string type, object? settings, object? credentials)
    {
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var created = await TestClients.CreateIntegrationAsync(client, tenant.WorkspaceId, new { type, name = type, settings, credentials });
        return (tenant, Guid.Parse(created.GetProperty("id").GetString()!), created.GetProperty("webhookSecret").GetString()!);
    }

    private static HttpRequestMessage GitHubRequest(string path, string eventName, string deliveryId, byte[] body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(GitHubWebhookVerifier.EventHeader, eventName);
        request.Headers.Add(GitHubWebhookVerifier.DeliveryHeader, deliveryId);
        if (signature is not null)
        {
            request.Headers.Add(GitHubWebhookVerifier.SignatureHeader, signature);
        }

        return request;
    }

    private static HttpRequestMessage GenericRequest(string path, byte[] body, string? signature, string? deliveryId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.Add(WebhookSignature.HeaderName, signature);
        }

        if (deliveryId is not null)
        {
            request.Headers.Add("X-GitMesh-Delivery", deliveryId);
        }

        return request;
    }
}
