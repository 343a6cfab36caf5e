using System.Net.Http.Headers;
using System.Net.Http.Json;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Api.Tests;

/// <summary>The real Api host on a fresh database of one provider, with its own data directory.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly TestDatabase _database;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("gitmesh-api-").FullName;
    private readonly Dictionary<string, string?> _settings;

    private ApiFactory(TestDatabase database, IDictionary<string, string?>? settings)
    {
        _database = database;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.Info.ConnectionString,
            ["GitMesh:DataDirectory"] = _dataDirectory,
        };
    }

    public DatabaseProvider Provider => _database.Provider;

    public TestDatabase Database => _database;

    public static async Task<ApiFactory> CreateAsync(DatabaseProvider provider, IDictionary<string, string?>? settings = null)
    {
        // Migrations are applied by the host itself at startup, as in production.
        var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var factory = new ApiFactory(database, settings);
        _ = factory.Server;
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateClient(string? bearer)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Creates a user directly (no membership) and returns a bearer token for it.</summary>
    public async Task<(Guid UserId, string Token)> CreateUserAsync(string? email = null, string password = "correct-horse-battery")
    {
        email ??= $"user-{Guid.NewGuid():N}@example.test";
        using (var scope = Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<GitMeshUser>>();
            var result = await users.CreateAsync(new GitMeshUser { UserName = email, Email = email, CreatedAt = DateTime.UtcNow }, password);
            result.Succeeded.ShouldBeTrue(string.Join("; ", result.Errors.Select(e => e.Description)));
        }

        var token = await GetTokenAsync(email, password);
        using var scope2 = Services.CreateScope();
        var user = await scope2.ServiceProvider.GetRequiredService<UserManager<GitMeshUser>>().FindByEmailAsync(email);
        return (user!.Id, token);
    }

    public async Task<string> GetTokenAsync(string email, string password)
    {
        using var client = CreateClient(bearer: null);
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return body!.AccessToken;
    }

    /// <summary>A new user owning a new workspace.</summary>
    public async Task<TestTenant> CreateTenantAsync(string name = "Acme")
    {
        var (userId, token) = await CreateUserAsync();
        using var client = CreateClient(token);
        var response = await client.PostAsJsonAsync("/api/v1/workspaces", new { name });
        response.EnsureSuccessStatusCode();
        var workspace = await response.Content.ReadFromJsonAsync<WorkspaceDto>();
        return new TestTenant(workspace!.Id, userId, token);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

public sealed record TestTenant(Guid WorkspaceId, Guid UserId, string Token);

public sealed record TokenResponse(string TokenType, string AccessToken, long ExpiresIn, string RefreshToken);

public sealed record WorkspaceDto(Guid Id, string Name, string Slug, DateTime CreatedAt, string Role);

/// <summary>One host per provider shared by a test class; tests isolate themselves with their own tenants.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private readonly Dictionary<DatabaseProvider, Task<ApiFactory>> _factories = [];
    private readonly Lock _lock = new();

    public Task<ApiFactory> GetAsync(DatabaseProvider provider)
    {
        lock (_lock)
        {
            if (!_factories.TryGetValue(provider, out var task))
            {
                _factories[provider] = task = ApiFactory.CreateAsync(provider);
            }

            return task;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var task in _factories.Values)
        {
            await (await task).DisposeAsync();
        }
    }
}
