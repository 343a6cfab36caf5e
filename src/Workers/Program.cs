using GitMesh.Hosting;

// Scale-out host: runs against the shared (PostgreSQL) database; the Api host applies migrations, this one waits for them.
var builder = Host.CreateApplicationBuilder(args);
builder.AddGitMeshDefaults(appliesMigrations: false);

var host = builder.Build();
await host.RunAsync();
