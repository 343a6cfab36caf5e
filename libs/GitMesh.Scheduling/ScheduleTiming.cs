using Quartz;

namespace GitMesh.Scheduling;

/// <summary>Validation and next-occurrence math for schedule timings (Quartz cron, seconds first).</summary>
public static class ScheduleTiming
{
    /// <summary>Null when valid, else the message for the caller.</summary>
    public static string? Validate(string? cron, int? intervalSeconds)
    {
        var hasCron = !string.IsNullOrWhiteSpace(cron);
        if (hasCron == intervalSeconds.HasValue)
        {
            return "Give either a cron expression or an interval in seconds.";
        }

        if (intervalSeconds is < 1 or > 31_622_400)
        {
            return "The interval must be between 1 second and 366 days.";
        }

        return hasCron && !CronExpression.TryParse(cron!, out _)
            ? $"'{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year])."
            : null;
    }

    public static DateTime Next(string? cron, int intervalSeconds, DateTime afterUtc)
    {
        if (!string.IsNullOrWhiteSpace(cron) && CronExpression.TryParse(cron, out var expression))
        {
            return expression!.GetNextValidTimeAfter(new DateTimeOffset(afterUtc, TimeSpan.Zero))?.UtcDateTime ?? afterUtc.AddYears(100);
        }

        return afterUtc.AddSeconds(Math.Max(1, intervalSeconds));
    }
}
