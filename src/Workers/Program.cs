using GitMesh.Hosting;
using GitMesh.Ingest;

// Scale-out host: queue consumers and workflow workers against the shared (PostgreSQL) database.
// The Api host applies migrations; this one waits for them.
var builder = Host.CreateApplicationBuilder(args);
builder.AddGitMeshDefaults(appliesMigrations: false);
builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: true);

var host = builder.Build();
await host.RunAsync();
