using GitMesh.Hosting;
using GitMesh.Workflows;
using GitMesh.Ingest;

// Scale-out host: queue consumers and workflow workers against the shared (PostgreSQL) database.
// The Api host applies migrations; this one waits for them.
var builder = Host.CreateApplicationBuilder(args);
builder.AddGitMeshDefaults(appliesMigrations: false);
builder.Services.AddGitMeshWorkflows(builder.Configuration);
builder.Services.AddWorkflowWorker();
builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: true);

var host = builder.Build();
await host.RunAsync();
