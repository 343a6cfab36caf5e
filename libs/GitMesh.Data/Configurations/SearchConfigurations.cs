using GitMesh.Domain.Signals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;

namespace GitMesh.Data.Configurations;

/// <summary>
/// The PostgreSQL search index table (migration Postgres/0004). It exists only in the PostgreSQL model: on SQLite the
/// index is an FTS5 virtual table that EF cannot describe, so the entity is removed from that model.
/// </summary>
internal sealed class SignalSearchEntryConfiguration : IEntityTypeConfiguration<SignalSearchEntry>
{
    /// <summary>Set on every model by Npgsql's value-generation convention when the model is initialized.</summary>
    private const string NpgsqlModelAnnotation = "Npgsql:ValueGenerationStrategy";

    public void Configure(EntityTypeBuilder<SignalSearchEntry> b)
    {
        // Configuration classes are not told the provider; the annotation Npgsql puts on the model is the tell.
        if (b.Metadata.Model.FindAnnotation(NpgsqlModelAnnotation) is null)
        {
            b.Metadata.Model.RemoveEntityType(b.Metadata);
            return;
        }

        b.ToTable("signal_search");
        b.HasKey(x => x.SignalId);
        b.Property<NpgsqlTsVector>("Document").IsRequired();
        b.HasIndex("Document").HasMethod("gin");
        // The entry's index position (migration 0015): grows as entries are first written; relevance ranks windows of it.
        b.Property<long>("Seq").UseIdentityByDefaultColumn();
        b.HasIndex(nameof(SignalSearchEntry.WorkspaceId), "Seq");
        b.HasOne<Signal>().WithMany().HasForeignKey(x => x.SignalId).OnDelete(DeleteBehavior.Cascade);
    }
}
