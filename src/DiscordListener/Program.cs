using GitMesh.Hosting;
using GitMesh.Ingest;
using GitMesh.Integrations;

// Scale-out host: one Discord gateway listener per active Discord integration, with bot leases and resume state in the
// shared (PostgreSQL) database so several instances never run one bot twice. The Api host applies migrations.
var builder = Host.CreateApplicationBuilder(args);
builder.AddGitMeshDefaults(appliesMigrations: false);
builder.Services.AddGitMeshIngest(builder.Configuration, runConsumer: false);
builder.Services.AddGitMeshIntegrations(builder.Configuration, runDiscordListener: true);

var host = builder.Build();
await host.RunAsync();
