namespace GitMesh.Intelligence.Classification;

/// <summary>What the classifier concluded about one signal.</summary>
/// <param name="Intent">Final intent after the complaint/praise/other rule and any workspace corrections.</param>
/// <param name="IntentConfidence">Probability of <paramref name="Intent"/> in <paramref name="IntentProbabilities"/> (0..1).</param>
/// <param name="Sentiment">Polarity of the prose (code and stack traces are ignored).</param>
/// <param name="SentimentScore">P(positive) − P(negative), in −1..1.</param>
/// <param name="SentimentConfidence">Probability of <paramref name="Sentiment"/>.</param>
/// <param name="Urgency">Content cues plus the cluster velocity passed in.</param>
/// <param name="IntentProbabilities">Distribution over the six intent labels (<see cref="LabelNames.Intents"/>).</param>
/// <param name="SentimentProbabilities">Distribution over negative/neutral/positive.</param>
/// <param name="UrgencyReasons">Human-readable cues behind <paramref name="Urgency"/>.</param>
/// <param name="CorrectionsApplied">True when a workspace correction model changed at least one distribution.</param>
public sealed record SignalClassification(
    SignalIntent Intent,
    double IntentConfidence,
    SignalSentiment Sentiment,
    double SentimentScore,
    double SentimentConfidence,
    UrgencyLevel Urgency,
    IReadOnlyList<double> IntentProbabilities,
    IReadOnlyList<double> SentimentProbabilities,
    IReadOnlyList<string> UrgencyReasons,
    bool CorrectionsApplied);
