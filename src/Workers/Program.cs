using GitMesh.Hosting;
using GitMesh.Workflows;
using GitMesh.Ingest;
using GitMesh.Integrations;

// Scale-out host: queue consumers and workflow workers against the shared (PostgreSQL) database.
// The Api host applies migrations; this one waits for them.
var builder = Host.CreateApplicationBuilder(args);
builder.AddGitMeshDefaults(appliesMigrations: false);
builder.Services.AddGitMeshWorkflows(builder.Configuration);
builder.Services.AddWorkflowWorker();
builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: true);
// The connector-run workflow and every source connector it calls.
builder.Services.AddGitMeshIntegrations(builder.Configuration);

var host = builder.Build();
await host.RunAsync();
