using System.Linq.Expressions;
using System.Text;
using GitMesh.Domain;
using GitMesh.Domain.Audit;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.People;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Trackers;
using GitMesh.Domain.Views;
using GitMesh.Domain.Workflows;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace GitMesh.Data;

/// <summary>
/// The one EF model for both providers. The schema itself is created by the SQL migrations in Migrations/,
/// never by EnsureCreated; a test keeps the two in step.
/// </summary>
public sealed class GitMeshDbContext(DbContextOptions<GitMeshDbContext> options, WorkspaceScope? scope = null)
    : IdentityDbContext<GitMeshUser, IdentityRole<Guid>, Guid>(options)
{
    /// <summary>Read by the workspace query filter; EF evaluates it per query, so it follows the scope.</summary>
    private Guid? ScopedWorkspaceId => scope?.WorkspaceId;

    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<SystemSetting> SystemSettings => Set<SystemSetting>();
    public DbSet<Integration> Integrations => Set<Integration>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<Author> Authors => Set<Author>();
    public DbSet<Signal> Signals => Set<Signal>();
    public DbSet<Cluster> Clusters => Set<Cluster>();
    public DbSet<SignalLshBand> SignalLshBands => Set<SignalLshBand>();
    public DbSet<DuplicateDecision> DuplicateDecisions => Set<DuplicateDecision>();
    public DbSet<TrackerConnection> TrackerConnections => Set<TrackerConnection>();
    public DbSet<TrackerLink> TrackerLinks => Set<TrackerLink>();
    public DbSet<SyncEvent> SyncEvents => Set<SyncEvent>();
    public DbSet<SyncConflict> SyncConflicts => Set<SyncConflict>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WorkflowRun> WorkflowRuns => Set<WorkflowRun>();
    public DbSet<WorkflowStep> WorkflowSteps => Set<WorkflowStep>();
    public DbSet<WorkflowSignal> WorkflowSignals => Set<WorkflowSignal>();
    public DbSet<QueueMessage> QueueMessages => Set<QueueMessage>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<GitMeshUser>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.DisplayName).HasMaxLength(200);
        });
        builder.Entity<IdentityRole<Guid>>().ToTable("roles");
        builder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");

        builder.ApplyConfigurationsFromAssembly(typeof(GitMeshDbContext).Assembly);

        foreach (var entityType in builder.Model.GetEntityTypes()
                     .Where(t => typeof(IWorkspaceOwned).IsAssignableFrom(t.ClrType)))
        {
            typeof(GitMeshDbContext)
                .GetMethod(nameof(ApplyWorkspaceFilter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(entityType.ClrType)
                .Invoke(this, [builder]);
        }

        ApplySnakeCaseNames(builder);
    }

    private void ApplyWorkspaceFilter<T>(ModelBuilder builder)
        where T : class, IWorkspaceOwned
    {
        Expression<Func<T, bool>> filter = e => ScopedWorkspaceId == null || e.WorkspaceId == ScopedWorkspaceId;
        builder.Entity<T>().HasQueryFilter(filter);
    }

    /// <summary>snake_case everywhere, so hand-written SQL (migrations, hot paths) needs no quoting on PostgreSQL.</summary>
    private static void ApplySnakeCaseNames(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName() ?? key.GetDefaultName()!));
            }

            foreach (var fk in entity.GetForeignKeys())
            {
                fk.SetConstraintName(ToSnakeCase(fk.GetConstraintName() ?? fk.GetDefaultName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName() ?? index.GetDefaultDatabaseName()!));
            }
        }
    }

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}
