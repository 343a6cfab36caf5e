using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.Signals;
using GitMesh.Intelligence.Classification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

/// <summary>What one round did.</summary>
public sealed record LlmRoundResult(int Enriched, int Refused, int Deferred, bool BudgetExhausted, bool EndpointBlocked)
{
    public int Attempted => Enriched + Refused + Deferred;
}

/// <summary>
/// Post-commit enrichment: signals the ingest batch classified offline (llm_state = pending) are sent, newest first,
/// to the chat-completions endpoint; a valid answer replaces intent/sentiment and adds a summary in one transaction
/// with a signalUpdated outbox event. Nothing here runs inside the ingest batch. Every step is idempotent and the
/// state lives in the row: a claim is a short lease (llm_next_attempt_at), so a crash only delays a signal.
/// A person's correction always wins: locked or corrected signals are never sent nor written.
/// </summary>
public sealed partial class LlmEnrichmentProcessor(
    IServiceScopeFactory scopes,
    ILlmChatClient client,
    LlmGate gate,
    LlmBudget budget,
    IOptions<LlmOptions> options,
    TimeProvider time,
    ILogger<LlmEnrichmentProcessor> logger)
{
    private readonly LlmOptions _options = options.Value;

    /// <summary>Reads this many candidates per round per unit of concurrency.</summary>
    private const int CandidatesPerSlot = 4;

    public async Task<LlmRoundResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return new LlmRoundResult(0, 0, 0, false, false);
        }

        if (gate.Status().State is LlmEndpointState.Open or LlmEndpointState.Paused)
        {
            return new LlmRoundResult(0, 0, 0, false, true);
        }

        List<Candidate> candidates;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
            if (budget.HasLimit && budget.IsExhausted(await budget.GetTodayAsync(db, cancellationToken)))
            {
                return new LlmRoundResult(0, 0, 0, true, false);
            }

            var now = time.GetUtcNow().UtcDateTime;
            var query = db.Signals.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.LlmState == LlmStates.Pending && !s.IsDeleted && !s.ClassificationLocked && (s.LlmNextAttemptAt == null || s.LlmNextAttemptAt <= now));
            if (_options.Workspaces.Count > 0)
            {
                var workspaces = _options.Workspaces;
                query = query.Where(s => workspaces.Contains(s.WorkspaceId));
            }

            candidates = await query.OrderByDescending(s => s.IngestedAt)
                .Take(_options.Concurrency * CandidatesPerSlot)
                .Select(s => new Candidate(s.Id, s.WorkspaceId))
                .ToListAsync(cancellationToken);
        }

        var enriched = 0;
        var refused = 0;
        var deferred = 0;
        var exhausted = 0;
        var blocked = 0;
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken }, async (candidate, ct) =>
        {
            var outcome = await ProcessAsync(candidate, ct);
            _ = outcome switch
            {
                Outcome.Enriched => Interlocked.Increment(ref enriched),
                Outcome.Refused => Interlocked.Increment(ref refused),
                Outcome.Deferred => Interlocked.Increment(ref deferred),
                Outcome.BudgetExhausted => Interlocked.Increment(ref exhausted),
                Outcome.Blocked => Interlocked.Increment(ref blocked),
                _ => 0,
            };
        });
        return new LlmRoundResult(enriched, refused, deferred, exhausted > 0, blocked > 0);
    }

    private async Task<Outcome> ProcessAsync(Candidate candidate, CancellationToken ct)
    {
        // Only the rate limit is worth waiting for; a pause or an open breaker ends the round.
        while (gate.TryAcquire() is { } wait)
        {
            if (wait.Blocked)
            {
                return Outcome.Blocked;
            }

            await Task.Delay(wait.Wait, time, ct);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        // Claim: a lease long enough for the call; another process (Api host and Workers both run this) skips it.
        var lease = now + _options.Timeout + _options.Timeout + TimeSpan.FromSeconds(30);
        var claimed = await Pending(db, candidate)
            .Where(s => s.LlmNextAttemptAt == null || s.LlmNextAttemptAt <= now)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LlmNextAttemptAt, lease), ct);
        var signal = claimed == 0 ? null : await Pending(db, candidate).AsNoTracking()
            .Select(s => new { s.Title, s.BodyText, s.CodeText, s.ContentHash })
            .FirstOrDefaultAsync(ct);
        if (signal is null)
        {
            gate.Unused();
            return Outcome.Skipped;
        }

        var prompt = LlmPrompt.User(signal.Title, signal.BodyText, signal.CodeText, _options.MaxInputChars);
        // About four characters per token for English; the reservation is released once the real usage is known.
        var reservation = await budget.TryReserveAsync(db, (LlmPrompt.System.Length + prompt.Length + 3) / 4, ct);
        if (reservation is null)
        {
            gate.Unused();
            await ReleaseClaimAsync(db, candidate, ct);
            return Outcome.BudgetExhausted;
        }

        LlmCallResult result;
        try
        {
            result = await client.CompleteAsync(LlmPrompt.System, prompt, ct);
        }
        catch
        {
            budget.Release(reservation);
            await ReleaseClaimAsync(db, candidate, CancellationToken.None);
            gate.Unused();
            throw;
        }

        if (result.Outcome == LlmCallOutcome.Answered)
        {
            await budget.RecordAsync(db, reservation, result.PromptTokens, result.CompletionTokens, ct);
        }
        else
        {
            budget.Release(reservation);
        }

        switch (result.Outcome)
        {
            case LlmCallOutcome.Answered:
                gate.Succeeded();
                if (LlmPrompt.TryParse(result.Content, out var answer, out var invalid))
                {
                    return await WriteAnswerAsync(db, candidate, signal.ContentHash, answer!, ct);
                }

                LogInvalidAnswer(candidate.SignalId, candidate.WorkspaceId, invalid!);
                await RecordFailureAsync(db, candidate, $"invalid answer: {invalid}", countsAsAttempt: true, retryAt: null, ct);
                return Outcome.Refused;
            case LlmCallOutcome.Rejected:
                gate.Succeeded();
                LogRejected(candidate.SignalId, candidate.WorkspaceId, Scrub(result.Error));
                await RecordFailureAsync(db, candidate, $"request refused: {result.Error}", countsAsAttempt: true, retryAt: null, ct);
                return Outcome.Refused;
            case LlmCallOutcome.RateLimited:
                {
                    var until = gate.RateLimited(result.RetryAfter, Scrub(result.Error) ?? "rate limited");
                    LogRateLimited(until);
                    await RecordFailureAsync(db, candidate, $"rate limited: {result.Error}", countsAsAttempt: false, retryAt: until.UtcDateTime, ct);
                    return Outcome.Deferred;
                }

            default:
                {
                    var until = gate.Failed(result.RetryAfter, Scrub(result.Error) ?? "endpoint failure");
                    LogEndpointFailure(Scrub(result.Error), until);
                    await RecordFailureAsync(db, candidate, $"endpoint failure: {result.Error}", countsAsAttempt: false, retryAt: until.UtcDateTime, ct);
                    return Outcome.Deferred;
                }
        }
    }

    private async Task<Outcome> WriteAnswerAsync(GitMeshDbContext db, Candidate candidate, string? contentHash, LlmAnswer answer, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var signal = await db.Signals.IgnoreQueryFilters()
            .FirstOrDefaultAsync(s => s.Id == candidate.SignalId && s.WorkspaceId == candidate.WorkspaceId, ct);
        var corrected = await db.Set<SignalCorrection>().IgnoreQueryFilters()
            .AnyAsync(c => c.SignalId == candidate.SignalId && c.WorkspaceId == candidate.WorkspaceId, ct);
        // Re-checked under the write: a person may have corrected it, or a new text arrived, while the model thought.
        if (signal is null || signal.IsDeleted || signal.ClassificationLocked || corrected || signal.LlmState != LlmStates.Pending
            || !string.Equals(signal.ContentHash, contentHash, StringComparison.Ordinal))
        {
            return Outcome.Skipped;
        }

        var offlineSentiment = signal.Sentiment;
        signal.Intent = answer.Intent.ToLabel();
        signal.IntentConfidence = Math.Round(answer.Confidence, 4);
        signal.Sentiment = answer.Sentiment.ToLabel();
        if (!string.Equals(offlineSentiment, signal.Sentiment, StringComparison.Ordinal))
        {
            // The LLM gives a label, not a graded score: keep the score's sign consistent with the new label without
            // claiming the certainty of ±1.
            signal.SentimentScore = answer.Sentiment switch
            {
                SignalSentiment.Negative => -0.5,
                SignalSentiment.Positive => 0.5,
                _ => 0.0,
            };
        }

        signal.Summary = answer.Summary.Length <= 1000 ? answer.Summary : answer.Summary[..1000];
        signal.ClassifiedBy = ClassifiedByValues.Llm;
        signal.LlmState = LlmStates.Done;
        signal.LlmError = null;
        signal.LlmNextAttemptAt = null;
        signal.UpdatedAt = now;
        signal.Version++;
        db.OutboxEvents.Add(new OutboxEvent
        {
            WorkspaceId = signal.WorkspaceId,
            Type = "signalUpdated",
            PayloadJson = JsonSerializer.Serialize(new { workspaceId = signal.WorkspaceId, signalId = signal.Id, clusterId = signal.ClusterId }),
            CreatedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone changed the signal meanwhile; the claim expires and the next round looks at it again.
            return Outcome.Skipped;
        }

        LogEnriched(candidate.SignalId, candidate.WorkspaceId);
        return Outcome.Enriched;
    }

    private async Task RecordFailureAsync(GitMeshDbContext db, Candidate candidate, string error, bool countsAsAttempt, DateTime? retryAt, CancellationToken ct)
    {
        error = Scrub(error)!;
        error = error.Length <= 1000 ? error : error[..1000];
        var now = time.GetUtcNow().UtcDateTime;
        var attempts = await Pending(db, candidate).Select(s => s.LlmAttempts).FirstOrDefaultAsync(ct) + (countsAsAttempt ? 1 : 0);
        var giveUp = attempts >= _options.MaxAttempts;
        // Refused answers retry after 1, 4, 9 … minutes: a model may answer differently, but not worth hammering.
        var next = retryAt ?? now.AddMinutes(attempts * attempts);
        await Pending(db, candidate).ExecuteUpdateAsync(
            u => u.SetProperty(s => s.LlmAttempts, attempts)
                .SetProperty(s => s.LlmError, error)
                .SetProperty(s => s.LlmState, giveUp ? LlmStates.Failed : LlmStates.Pending)
                .SetProperty(s => s.LlmNextAttemptAt, giveUp ? now : next),
            ct);
    }

    private static Task ReleaseClaimAsync(GitMeshDbContext db, Candidate candidate, CancellationToken ct) =>
        Pending(db, candidate).ExecuteUpdateAsync(u => u.SetProperty(s => s.LlmNextAttemptAt, (DateTime?)null), ct);

    /// <summary>The candidate row, only while it is still pending and nobody corrected it; always workspace-scoped.</summary>
    private static IQueryable<Signal> Pending(GitMeshDbContext db, Candidate candidate) =>
        db.Signals.IgnoreQueryFilters().Where(s => s.Id == candidate.SignalId && s.WorkspaceId == candidate.WorkspaceId
            && s.LlmState == LlmStates.Pending && !s.IsDeleted && !s.ClassificationLocked);

    /// <summary>Defence in depth: whatever a server or library puts in an error, the key never reaches a log or a row.</summary>
    private string? Scrub(string? text) =>
        text is null || string.IsNullOrEmpty(_options.ApiKey) ? text : text.Replace(_options.ApiKey, "***", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "LLM enrichment of signal {SignalId} in workspace {WorkspaceId} written")]
    private partial void LogEnriched(Guid signalId, Guid workspaceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM answer for signal {SignalId} in workspace {WorkspaceId} refused ({Reason}); the offline labels stay")]
    private partial void LogInvalidAnswer(Guid signalId, Guid workspaceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM endpoint refused the request for signal {SignalId} in workspace {WorkspaceId}: {Error}")]
    private partial void LogRejected(Guid signalId, Guid workspaceId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM endpoint rate-limited us; calls paused until {Until:o}")]
    private partial void LogRateLimited(DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM endpoint failed ({Error}); calls paused until {Until:o}, offline labels kept meanwhile")]
    private partial void LogEndpointFailure(string? error, DateTimeOffset until);

    private sealed record Candidate(Guid SignalId, Guid WorkspaceId);

    private enum Outcome
    {
        Skipped,
        Enriched,
        Refused,
        Deferred,
        BudgetExhausted,
        Blocked,
    }
}
