namespace GitMesh.Messaging.Database;

/// <summary>Bound from "Queue:Database".</summary>
public sealed class DatabaseQueueOptions
{
    public const string SectionName = "Queue:Database";

    /// <summary>
    /// How often a long-polling receive looks again while it waits. Senders in the same process wake receivers at once;
    /// this interval only bounds the delay for messages sent by other processes or becoming visible after a backoff.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows per INSERT statement when sending a batch (one parameter per row, plus two).</summary>
    public int InsertChunkSize { get; set; } = 1000;
}
