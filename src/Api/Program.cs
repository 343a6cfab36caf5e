using GitMesh.Api.Cli;
using GitMesh.Api.Features.Audit;
using GitMesh.Api.Features.Auth;
using GitMesh.Api.Features.Clusters;
using GitMesh.Api.Features.Integrations;
using GitMesh.Api.Features.Queue;
using GitMesh.Api.Features.Realtime;
using GitMesh.Api.Features.Signals;
using GitMesh.Api.Features.Setup;
using GitMesh.Api.Features.Triage;
using GitMesh.Api.Features.Views;
using GitMesh.Api.Features.Webhooks;
using GitMesh.Api.Features.Workflows;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Features.Analytics;
using GitMesh.Api.Features.Export;
using GitMesh.Api.Features.OutgoingWebhooks;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Hosting;
using GitMesh.Ingest;
using GitMesh.Integrations;
using GitMesh.Scheduling;
using GitMesh.Workflows;
using Microsoft.AspNetCore.Identity;

if (await ApiCli.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://localhost:5080");
}

builder.AddGitMeshDefaults(appliesMigrations: true);
builder.Services.AddGitMeshWorkflows(builder.Configuration);
if (builder.Configuration.GetValue("GitMesh:RunAllRolesInProcess", true))
{
    builder.Services.AddWorkflowWorker();
    builder.Services.AddGitMeshScheduler(builder.Configuration);
}
builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName);
builder.Services.AddOptions<SignalListOptions>().BindConfiguration(SignalListOptions.SectionName);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
});
builder.Services.AddIdentityCore<GitMeshUser>(o =>
    {
        o.User.RequireUniqueEmail = true;
        o.Password.RequiredLength = 10;
        // NIST SP 800-63B: length over composition rules.
        o.Password.RequireNonAlphanumeric = false;
        o.Password.RequireUppercase = false;
        o.Password.RequireLowercase = false;
        o.Password.RequireDigit = false;
        o.Password.RequiredUniqueChars = 4;
        o.Lockout.MaxFailedAccessAttempts = 10;
    })
    .AddEntityFrameworkStores<GitMeshDbContext>();
builder.Services.AddGitMeshAuthentication(builder.Configuration);
builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: builder.Configuration.GetValue("GitMesh:RunAllRolesInProcess", true));
builder.Services.AddGitMeshIntegrations(builder.Configuration, runDiscordListener: builder.Configuration.GetValue("GitMesh:RunAllRolesInProcess", true));
builder.Services.AddSignalR();
builder.Services.AddHostedService<OutboxRelay>();
builder.Services.AddOutgoingWebhooks(builder.Configuration);
builder.Services.AddGitMeshRateLimiting(builder.Configuration);
builder.Services.AddTriage();
builder.Services.AddOpenApi(o => o.AddGitMeshConventions());

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestBodyLimitMiddleware>();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOpenApi();
app.MapHealthEndpoints();
app.MapSetupEndpoints();
app.MapAuthEndpoints();
app.MapWorkspaceEndpoints();
app.MapMemberEndpoints();
app.MapApiKeyEndpoints();
app.MapQueueEndpoints();
app.MapIngestEndpoints();
app.MapIntegrationEndpoints();
app.MapImportEndpoints();
app.MapWebhookEndpoints();
app.MapSignalEndpoints();
app.MapBulkEndpoints();
app.MapClusterEndpoints();
app.MapViewEndpoints();
app.MapAuditEndpoints();
app.MapAnalyticsEndpoints();
app.MapExportEndpoints();
app.MapOutgoingWebhookEndpoints();
GitMesh.Api.Features.Intelligence.IntelligenceEndpoints.MapIntelligenceEndpoints(app);
app.MapWorkflowEndpoints();
app.MapHub<EventsHub>("/hubs/events");
// Unknown API paths are 404 ProblemDetails; everything else falls back to the dashboard's client-side router.
app.MapFallback("/api/{**path}", () => TypedResults.Problem("No such API endpoint.", statusCode: StatusCodes.Status404NotFound, title: "Not found"))
    .ExcludeFromDescription();
app.MapFallbackToFile("index.html");

await app.RunAsync();
return 0;

/// <summary>Entry point type for WebApplicationFactory in tests.</summary>
public partial class Program;
