namespace GitMesh.Domain.Intelligence;

/// <summary>
/// Tokens spent on the optional LLM endpoint on one UTC day, across workspaces and processes: the daily budget is
/// the deployment's (one endpoint, one key), so it is counted in one place every worker increments atomically.
/// </summary>
public sealed class LlmUsage
{
    /// <summary>UTC day, yyyy-MM-dd.</summary>
    public required string Day { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public int Requests { get; set; }
    public DateTime UpdatedAt { get; set; }
}
