using GitMesh.Hosting;
using GitMesh.Scheduling;
using GitMesh.Workflows;

// Scale-out host: runs against the shared (PostgreSQL) database; the Api host applies migrations, this one waits for them.
var builder = Host.CreateApplicationBuilder(args);
builder.AddGitMeshDefaults(appliesMigrations: false);
builder.Services.AddGitMeshWorkflows(builder.Configuration);
builder.Services.AddGitMeshScheduler(builder.Configuration);

var host = builder.Build();
await host.RunAsync();
