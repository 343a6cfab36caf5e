namespace GitMesh.Intelligence.Classification;

public enum SignalIntent
{
    Bug,
    FeatureRequest,
    Question,
    Complaint,
    Praise,
    Other,
}

public enum SignalSentiment
{
    Negative,
    Neutral,
    Positive,
}

public enum UrgencyLevel
{
    Low,
    Normal,
    High,
    Critical,
}

/// <summary>Stable snake_case names used in files, APIs and correction records.</summary>
public static class LabelNames
{
    public static readonly IReadOnlyList<string> Intents = ["bug", "feature_request", "question", "complaint", "praise", "other"];
    public static readonly IReadOnlyList<string> Sentiments = ["negative", "neutral", "positive"];

    public static string ToLabel(this SignalIntent intent) => Intents[(int)intent];

    public static string ToLabel(this SignalSentiment sentiment) => Sentiments[(int)sentiment];

    public static string ToLabel(this UrgencyLevel urgency) => urgency.ToString().ToLowerInvariant();

    /// <summary>Parses an intent label; the training-data spelling <c>feature</c> maps to <see cref="SignalIntent.FeatureRequest"/>.</summary>
    public static SignalIntent ParseIntent(string label) => label.Trim().ToLowerInvariant() switch
    {
        "bug" => SignalIntent.Bug,
        "feature" or "feature_request" or "feature-request" or "enhancement" => SignalIntent.FeatureRequest,
        "question" => SignalIntent.Question,
        "complaint" => SignalIntent.Complaint,
        "praise" => SignalIntent.Praise,
        "other" => SignalIntent.Other,
        _ => throw new ArgumentException($"Unknown intent label '{label}'.", nameof(label)),
    };

    public static SignalSentiment ParseSentiment(string label) => label.Trim().ToLowerInvariant() switch
    {
        "negative" => SignalSentiment.Negative,
        "neutral" => SignalSentiment.Neutral,
        "positive" => SignalSentiment.Positive,
        _ => throw new ArgumentException($"Unknown sentiment label '{label}'.", nameof(label)),
    };
}
