using GitMesh.Data;
using GitMesh.Domain.Intelligence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

/// <param name="Day">UTC day, yyyy-MM-dd.</param>
public sealed record LlmUsageToday(string Day, long PromptTokens, long CompletionTokens, int Requests, decimal Cost)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// The daily budget (tokens and/or cost), counted in llm_usage so every process shares it. Before a call the worker
/// reserves the request's worst case (prompt estimate + MaxOutputTokens) on top of what is spent and what this
/// process has in flight; a call that could cross the limit is not made. Other processes' in-flight calls are not
/// seen, so with several workers the limit can be crossed by at most their concurrent requests.
/// </summary>
public sealed class LlmBudget(IOptions<LlmOptions> options, TimeProvider time)
{
    private readonly LlmOptions _options = options.Value;
    private readonly Lock _lock = new();
    private long _reservedTokens;
    private decimal _reservedCost;

    public bool HasLimit => _options.MaxTokensPerDay > 0 || _options.DailyCostBudget > 0;

    public string Today => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public decimal CostOf(long promptTokens, long completionTokens) =>
        (promptTokens * _options.InputPricePer1kTokens / 1000m) + (completionTokens * _options.OutputPricePer1kTokens / 1000m);

    public async Task<LlmUsageToday> GetTodayAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var day = Today;
        var row = await db.Set<LlmUsage>().AsNoTracking().FirstOrDefaultAsync(u => u.Day == day, ct);
        return row is null
            ? new LlmUsageToday(day, 0, 0, 0, 0)
            : new LlmUsageToday(day, row.PromptTokens, row.CompletionTokens, row.Requests, CostOf(row.PromptTokens, row.CompletionTokens));
    }

    /// <summary>True when even a request with an empty prompt no longer fits in today's budget.</summary>
    public bool IsExhausted(LlmUsageToday usage) => !Fits(usage, 0, _options.MaxOutputTokens, 0, 0);

    /// <summary>Reserves a request's worst case; null when it would not fit in today's budget.</summary>
    public async Task<Reservation?> TryReserveAsync(GitMeshDbContext db, int promptTokensEstimate, CancellationToken ct)
    {
        var usage = await GetTodayAsync(db, ct);
        lock (_lock)
        {
            if (!Fits(usage, promptTokensEstimate, _options.MaxOutputTokens, _reservedTokens, _reservedCost))
            {
                return null;
            }

            var reservation = new Reservation(promptTokensEstimate + _options.MaxOutputTokens, CostOf(promptTokensEstimate, _options.MaxOutputTokens));
            _reservedTokens += reservation.Tokens;
            _reservedCost += reservation.Cost;
            return reservation;
        }
    }

    /// <summary>Adds what the endpoint reported to today's row (atomically, for concurrent processes) and frees the reservation.</summary>
    public async Task RecordAsync(GitMeshDbContext db, Reservation reservation, int promptTokens, int completionTokens, CancellationToken ct)
    {
        try
        {
            var day = Today;
            var now = time.GetUtcNow().UtcDateTime;
            if (!await db.Set<LlmUsage>().AnyAsync(u => u.Day == day, ct))
            {
                db.Set<LlmUsage>().Add(new LlmUsage { Day = day, UpdatedAt = now });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    // Another process created today's row first.
                }

                db.ChangeTracker.Clear();
            }

            await db.Set<LlmUsage>().Where(u => u.Day == day).ExecuteUpdateAsync(
                s => s.SetProperty(u => u.PromptTokens, u => u.PromptTokens + promptTokens)
                    .SetProperty(u => u.CompletionTokens, u => u.CompletionTokens + completionTokens)
                    .SetProperty(u => u.Requests, u => u.Requests + 1)
                    .SetProperty(u => u.UpdatedAt, now),
                ct);
        }
        finally
        {
            Release(reservation);
        }
    }

    public void Release(Reservation reservation)
    {
        lock (_lock)
        {
            _reservedTokens -= reservation.Tokens;
            _reservedCost -= reservation.Cost;
        }
    }

    private bool Fits(LlmUsageToday usage, long prompt, long completion, long reservedTokens, decimal reservedCost)
    {
        if (_options.MaxTokensPerDay > 0 && usage.TotalTokens + reservedTokens + prompt + completion > _options.MaxTokensPerDay)
        {
            return false;
        }

        return _options.DailyCostBudget <= 0 || usage.Cost + reservedCost + CostOf(prompt, completion) <= _options.DailyCostBudget;
    }

    public sealed record Reservation(long Tokens, decimal Cost);
}
