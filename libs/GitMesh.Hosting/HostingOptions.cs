namespace GitMesh.Hosting;

/// <summary>Bound from "GitMesh". Which roles this process plays and where it keeps local state.</summary>
public sealed class GitMeshHostOptions
{
    public const string SectionName = "GitMesh";

    /// <summary>Folder for the SQLite database, Data Protection keys, raw payloads and exports.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Embedded default: the Api process also runs the workers, scheduler and listener roles in-process.
    /// Set false in the scale-out profile, where those roles run as separate hosts.
    /// </summary>
    public bool RunAllRolesInProcess { get; set; } = true;

    /// <summary>Whether this process applies migrations at startup. Exactly one kind of host does (the Api).</summary>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>Where Data Protection keys live; empty means {DataDirectory}/keys.</summary>
    public string? KeysDirectory { get; set; }
}
