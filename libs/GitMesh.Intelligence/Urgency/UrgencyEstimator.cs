using System.Text.RegularExpressions;
using GitMesh.Intelligence.Classification;

namespace GitMesh.Intelligence.Urgency;

/// <summary>Urgency with the evidence behind it.</summary>
public sealed record UrgencyAssessment(UrgencyLevel Level, double Score, IReadOnlyList<string> Reasons);

/// <summary>
/// Pure scoring of urgency from content cues and cluster velocity. Additive score:
/// <list type="bullet">
/// <item>+3 security / vulnerability / CVE / exploit, data loss or corruption, outage / "is down", nobody can log in or pay;</item>
/// <item>+2 crash / segfault / hang, regression, production impact, blocker / urgent;</item>
/// <item>−1 cosmetic cues (typo, docs, "nice to have", minor);</item>
/// <item>intent: bug or complaint +0.5, feature request or praise −0.5;</item>
/// <item>velocity: + log2(1 + signals per day / 2), capped at +3 (2/day → +1, 6/day → +2, 14/day → +3).</item>
/// </list>
/// Levels: score ≥ 3 critical, ≥ 2 high, ≤ −0.5 low, otherwise normal. Each cue family counts once so a long
/// log that says "crash" fifty times is not more urgent than one that says it once.
/// </summary>
public static partial class UrgencyEstimator
{
    public const double CriticalScore = 3;
    public const double HighScore = 2;
    public const double LowScore = -0.5;
    private const int MaxScannedChars = 20_000;

    public static UrgencyAssessment Estimate(SignalText text, double clusterSignalsPerDay = 0, SignalIntent? intent = null)
    {
        var all = text.Combined;
        if (all.Length > MaxScannedChars)
        {
            all = all[..MaxScannedChars];
        }

        var reasons = new List<string>();
        double score = 0;
        void Cue(Regex regex, double weight, string reason)
        {
            var m = regex.Match(all);
            if (m.Success)
            {
                score += weight;
                reasons.Add($"{reason}: \"{m.Value.Trim()}\"");
            }
        }

        Cue(SecurityRegex(), 3, "security");
        Cue(DataLossRegex(), 3, "data loss");
        Cue(OutageRegex(), 3, "outage");
        Cue(CrashRegex(), 2, "crash");
        Cue(RegressionRegex(), 2, "regression");
        Cue(ProductionRegex(), 2, "production impact");
        Cue(CosmeticRegex(), -1, "cosmetic");

        switch (intent)
        {
            case SignalIntent.Bug or SignalIntent.Complaint:
                score += 0.5;
                reasons.Add($"intent {intent.Value.ToLabel()}");
                break;
            case SignalIntent.FeatureRequest or SignalIntent.Praise:
                score -= 0.5;
                reasons.Add($"intent {intent.Value.ToLabel()}");
                break;
        }

        if (clusterSignalsPerDay > 0 && double.IsFinite(clusterSignalsPerDay))
        {
            var boost = Math.Min(3, Math.Log2(1 + (clusterSignalsPerDay / 2)));
            score += boost;
            reasons.Add($"cluster velocity {clusterSignalsPerDay:0.##}/day (+{boost:0.##})");
        }

        var level = score >= CriticalScore ? UrgencyLevel.Critical
            : score >= HighScore ? UrgencyLevel.High
            : score <= LowScore ? UrgencyLevel.Low
            : UrgencyLevel.Normal;
        return new UrgencyAssessment(level, score, reasons);
    }

    [GeneratedRegex(@"\b(security|vulnerab\w*|CVE-\d{4}-\d+|CVE|exploit\w*|RCE|XSS|CSRF|SQL injection|privilege escalation|leak(s|ed|ing)? (credentials|tokens?|secrets?|passwords?|personal data))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecurityRegex();

    [GeneratedRegex(@"\b(data loss|los(e|t|ing) (all |my |our )?(data|files|work|changes)|data (is |was )?(gone|deleted|wiped)|corrupt(ed|ion|s)?|wiped out)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DataLossRegex();

    [GeneratedRegex(@"\b(outage|(is|are|went|goes) down|down for (everyone|all)|service unavailable|\b503\b|nobody can|no one can|can(no|')?t (log ?in|sign ?in|pay|check ?out)|payments? (fail|broken))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutageRegex();

    [GeneratedRegex(@"\b(crash(es|ed|ing)?|segfault|segmentation fault|panic(ked)?|hangs?|freez(e|es|ing)|unusable|blocker|urgent(ly)?|asap)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CrashRegex();

    [GeneratedRegex(@"\b(regression|regressed|(stopped|no longer) work(s|ing)?|broke(n)? (after|since|in) (the )?(update|upgrade|release|version))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RegressionRegex();

    [GeneratedRegex(@"\b(in production|production (is|server|environment|outage|issue)|prod (is|server|env)|customers? (are|is) (affected|impacted|blocked)|all (our )?users)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ProductionRegex();

    [GeneratedRegex(@"\b(typo|cosmetic|nice to have|minor (issue|thing|nit)|nit(pick)?|documentation|docs)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CosmeticRegex();
}
