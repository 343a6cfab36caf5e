using GitMesh.Intelligence.Corrections;
using GitMesh.Intelligence.Models;
using GitMesh.Intelligence.Urgency;

namespace GitMesh.Intelligence.Classification;

/// <summary>
/// The shipped classifier: intent and sentiment logistic-regression models embedded in this assembly (trained on
/// the data in <c>TrainingData/</c>), the <see cref="IntentResolver"/> rule for complaint/praise/other, and
/// <see cref="UrgencyEstimator"/>. Load once via <see cref="Shared"/>; it is immutable and thread-safe.
/// </summary>
public sealed class DefaultSignalClassifier : ISignalClassifier
{
    private static readonly Lazy<DefaultSignalClassifier> LazyShared = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly int[] _intentOrder;
    private readonly int[] _sentimentOrder;

    public DefaultSignalClassifier(TextClassifierModel intentModel, TextClassifierModel sentimentModel)
    {
        IntentModel = intentModel;
        SentimentModel = sentimentModel;
        _intentOrder = new[] { "bug", "feature", "question" }
            .Select(l => IndexOfLabel(intentModel.Labels, l, l == "feature" ? "feature_request" : l))
            .ToArray();
        _sentimentOrder = LabelNames.Sentiments.Select(l => IndexOfLabel(sentimentModel.Labels, l, l)).ToArray();
    }

    /// <summary>The embedded default models, loaded on first use (~0.2 s).</summary>
    public static DefaultSignalClassifier Shared => LazyShared.Value;

    public TextClassifierModel IntentModel { get; }
    public TextClassifierModel SentimentModel { get; }

    public static DefaultSignalClassifier LoadFromDirectory(string directory) => new(
        TextClassifierModel.Load(File.ReadAllBytes(Path.Combine(directory, DefaultModelTrainer.IntentModelFile))),
        TextClassifierModel.Load(File.ReadAllBytes(Path.Combine(directory, DefaultModelTrainer.SentimentModelFile))));

    public SignalClassification Classify(SignalText text, CorrectionModel? corrections = null, double clusterSignalsPerDay = 0)
    {
        var corrected = false;
        var sentiment = PredictSentiment(text);
        if (corrections is { IsEmpty: false })
        {
            sentiment = corrections.Adjust(CorrectionFields.Sentiment, text, LabelNames.Sentiments, sentiment, out var c);
            corrected |= c;
        }

        var cues = Text.StructuralCues.Detect(text.Title, text.BodyWithCode);
        var intent = IntentResolver.Resolve(text, PredictBaseIntent(text, cues), sentiment, cues);
        if (corrections is { IsEmpty: false })
        {
            intent = corrections.Adjust(CorrectionFields.Intent, text, LabelNames.Intents, intent, out var c);
            corrected |= c;
        }

        var intentIndex = ArgMax(intent);
        var sentimentIndex = ArgMax(sentiment);
        var finalIntent = (SignalIntent)intentIndex;
        var urgency = UrgencyEstimator.Estimate(text, clusterSignalsPerDay, finalIntent);
        return new SignalClassification(
            finalIntent,
            intent[intentIndex],
            (SignalSentiment)sentimentIndex,
            sentiment[2] - sentiment[0],
            sentiment[sentimentIndex],
            urgency.Level,
            intent,
            sentiment,
            urgency.Reasons,
            corrected);
    }

    /// <summary>P(bug), P(feature_request), P(question) from the trained intent model alone.</summary>
    public float[] PredictBaseIntent(SignalText text) => PredictBaseIntent(text, null);

    private float[] PredictBaseIntent(SignalText text, Text.StructuralCueSet? cues)
    {
        Span<float> p = stackalloc float[IntentModel.Labels.Count];
        IntentModel.PredictProbabilities(text, cues, p);
        return [p[_intentOrder[0]], p[_intentOrder[1]], p[_intentOrder[2]]];
    }

    /// <summary>P(negative), P(neutral), P(positive) over the prose only (code and stack traces removed).</summary>
    public double[] PredictSentiment(SignalText text)
    {
        var prose = new SignalText(null, Text.Prose.Extract(text.Title + "\n" + text.Body));
        Span<float> p = stackalloc float[SentimentModel.Labels.Count];
        SentimentModel.PredictProbabilities(prose, null, p);
        var result = new double[_sentimentOrder.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = p[_sentimentOrder[i]];
        }

        return result;
    }

    /// <summary>Builds a workspace correction model, recording this classifier's own predictions for the leave-one-out report.</summary>
    public CorrectionModel TrainCorrections(IEnumerable<Correction> corrections, CorrectionOptions? options = null) =>
        CorrectionModel.Train(corrections, BaseDistribution, options);

    /// <summary>The distribution this classifier gives a text for a correction field (null for fields it does not predict).</summary>
    public IReadOnlyDictionary<string, double>? BaseDistribution(SignalText text, string field)
    {
        double[] p;
        IReadOnlyList<string> labels;
        switch (field)
        {
            case CorrectionFields.Intent:
                p = Classify(text).IntentProbabilities.ToArray();
                labels = LabelNames.Intents;
                break;
            case CorrectionFields.Sentiment:
                p = PredictSentiment(text);
                labels = LabelNames.Sentiments;
                break;
            default:
                return null;
        }

        return labels.Select((l, i) => (l, p[i])).ToDictionary(x => x.l, x => x.Item2, StringComparer.Ordinal);
    }

    private static DefaultSignalClassifier LoadEmbedded()
    {
        var assembly = typeof(DefaultSignalClassifier).Assembly;
        TextClassifierModel Load(string file)
        {
            var name = $"GitMesh.Intelligence.Models.{file}";
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"Embedded model '{name}' is missing; run `train --out libs/GitMesh.Intelligence/Models`.");
            return TextClassifierModel.Load(stream);
        }

        return new DefaultSignalClassifier(Load(DefaultModelTrainer.IntentModelFile), Load(DefaultModelTrainer.SentimentModelFile));
    }

    private static int IndexOfLabel(IReadOnlyList<string> labels, string label, string alternative)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] == label || labels[i] == alternative)
            {
                return i;
            }
        }

        throw new InvalidDataException($"Model has no label '{label}'.");
    }

    private static int ArgMax(IReadOnlyList<double> p)
    {
        var best = 0;
        for (var i = 1; i < p.Count; i++)
        {
            if (p[i] > p[best])
            {
                best = i;
            }
        }

        return best;
    }
}
