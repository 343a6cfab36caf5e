using GitMesh.Data;
using GitMesh.Domain.Signals;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

/// <summary>The LLM mode as a workspace sees it. No key, and the endpoint only as a host name.</summary>
/// <param name="AppliesToWorkspace">False when Intelligence:Llm:Workspaces lists other workspaces only.</param>
/// <param name="EndpointState">closed, paused, open or halfopen (circuit breaker), as seen by this process's worker.</param>
/// <param name="LastError">The most recent enrichment error of this workspace's signals.</param>
public sealed record LlmStatus(
    bool Enabled,
    bool AppliesToWorkspace,
    string? Model,
    string? EndpointHost,
    int Enriched,
    int Pending,
    int Failed,
    string Day,
    long TokensUsedToday,
    int RequestsToday,
    decimal CostToday,
    long MaxTokensPerDay,
    decimal DailyCostBudget,
    bool BudgetExhausted,
    int RequestsPerMinute,
    string EndpointState,
    DateTimeOffset? EndpointResumesAt,
    string? LastError,
    DateTime? LastErrorAt,
    DateTimeOffset? LastSuccessAt);

public sealed class LlmStatusReader(LlmBudget budget, LlmGate gate, IOptions<LlmOptions> options)
{
    private readonly LlmOptions _options = options.Value;

    public async Task<LlmStatus> GetAsync(GitMeshDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var signals = db.Signals.IgnoreQueryFilters().Where(s => s.WorkspaceId == workspaceId && !s.IsDeleted);
        var counts = await signals
            .GroupBy(s => new { s.LlmState, s.ClassificationLocked })
            .Select(g => new { g.Key.LlmState, g.Key.ClassificationLocked, Count = g.Count() })
            .ToListAsync(ct);
        var lastError = await signals.Where(s => s.LlmError != null && s.LlmNextAttemptAt != null)
            .OrderByDescending(s => s.LlmNextAttemptAt)
            .Select(s => new { s.LlmError, s.LlmNextAttemptAt })
            .FirstOrDefaultAsync(ct);
        var usage = await budget.GetTodayAsync(db, ct);
        var endpoint = gate.Status();
        var applies = _options.AppliesTo(workspaceId);
        return new LlmStatus(
            _options.Enabled,
            applies,
            _options.Enabled ? _options.Model : null,
            _options.Enabled && Uri.TryCreate(_options.Endpoint, UriKind.Absolute, out var uri) ? uri.Host : null,
            counts.Where(c => c.LlmState == LlmStates.Done).Sum(c => c.Count),
            // Locked signals are never sent: they are not waiting for anything.
            _options.Enabled && applies ? counts.Where(c => c.LlmState == LlmStates.Pending && !c.ClassificationLocked).Sum(c => c.Count) : 0,
            counts.Where(c => c.LlmState == LlmStates.Failed).Sum(c => c.Count),
            usage.Day,
            usage.TotalTokens,
            usage.Requests,
            usage.Cost,
            _options.MaxTokensPerDay,
            _options.DailyCostBudget,
            budget.HasLimit && budget.IsExhausted(usage),
            _options.RequestsPerMinute,
            endpoint.State.ToString().ToLowerInvariant(),
            endpoint.Until,
            lastError?.LlmError,
            lastError?.LlmNextAttemptAt,
            endpoint.LastSuccessAt);
    }
}
