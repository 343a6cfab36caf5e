using GitMesh.Data;
using GitMesh.Data.Migrations;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitMesh.Hosting;

public static class GitMeshHostBuilderExtensions
{
    /// <summary>
    /// What every GitMesh host shares: structured console logs, the database for the configured provider,
    /// migrations (applied or awaited), Data Protection keys and secret encryption, readiness state, TimeProvider.
    /// </summary>
    public static IHostApplicationBuilder AddGitMeshDefaults(this IHostApplicationBuilder builder, bool appliesMigrations)
    {
        var hostOptions = builder.Configuration.GetSection(GitMeshHostOptions.SectionName).Get<GitMeshHostOptions>() ?? new GitMeshHostOptions();
        var dataDirectory = Path.GetFullPath(hostOptions.DataDirectory);
        Directory.CreateDirectory(dataDirectory);

        builder.Services.AddOptions<GitMeshHostOptions>()
            .BindConfiguration(GitMeshHostOptions.SectionName)
            .PostConfigure(o =>
            {
                o.DataDirectory = dataDirectory;
                o.ApplyMigrations = appliesMigrations && o.ApplyMigrations;
            });

        builder.Logging.ClearProviders();
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }
        else
        {
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadinessState>();
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddGitMeshDbContext(builder.Configuration, dataDirectory);
        // Registered first so migrations finish before any other hosted service touches the database.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabaseStartupService>());

        var keysDirectory = string.IsNullOrWhiteSpace(hostOptions.KeysDirectory)
            ? Path.Combine(dataDirectory, "keys")
            : Path.GetFullPath(hostOptions.KeysDirectory);
        builder.Services.AddDataProtection()
            .SetApplicationName("GitMesh")
            .PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        builder.Services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        return builder;
    }
}
