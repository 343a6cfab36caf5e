using GitMesh.Intelligence.Evaluation;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Models;

/// <summary>A labelled text for training or evaluation.</summary>
public sealed record LabeledText(SignalText Text, string Label);

/// <summary>
/// Recipes for the two shipped models. Hyperparameters were chosen by 5-fold cross-validation on the training
/// files only (<c>cv intent</c> / <c>cv sentiment</c>); evaluation files are never read here.
/// Intent: char 3–5-grams over title + first 600 body chars, words over the first 2,000 (CV 0.775 vs 0.771 without
/// chars, 0.762 with 6,000 chars of body). Sentiment: no char n-grams (CV 0.821 vs 0.824 with them, at a third of
/// the cost), lexicon cues on (0.824 vs 0.793 without).
/// </summary>
public static class DefaultModelTrainer
{
    public const string IntentModelFile = "intent.gmmodel";
    public const string SentimentModelFile = "sentiment.gmmodel";
    public const string IntentTrainingFile = "intent/train.csv";
    public const string SentimentTrainingFile = "sentiment/stackoverflow_train.csv";

    public static FeatureOptions IntentFeatures { get; } = new()
    {
        HashBits = 19,
        WordBigrams = true,
        CharMin = 3,
        CharMax = 5,
        MaxBodyChars = 2_000,
        MaxCharNgramChars = 600,
        SeparateTitle = true,
        Structural = true,
        SentimentCues = false,
    };

    public static SoftmaxTrainingOptions IntentTraining { get; } = new(L2: 3e-5, MaxIterations: 150, BalanceClasses: true);

    public static FeatureOptions SentimentFeatures { get; } = new()
    {
        HashBits = 19,
        WordBigrams = true,
        CharMin = 0,
        CharMax = 0,
        MaxBodyChars = 6_000,
        MaxCharNgramChars = 1_500,
        SeparateTitle = false,
        Structural = false,
        SentimentCues = true,
    };

    public static SoftmaxTrainingOptions SentimentTraining { get; } = new(L2: 1e-4, MaxIterations: 150, BalanceClasses: true);

    /// <summary>Intent CSV: at least <c>label,title,body</c>. Labels are kept as in the file (bug / feature / question).</summary>
    public static List<LabeledText> LoadIntentCsv(string path) =>
        CsvReader.ReadFile(path)
            .Select(r => new LabeledText(new SignalText(r.GetValueOrDefault("title"), r.GetValueOrDefault("body")), (r.GetValueOrDefault("label") ?? string.Empty).Trim().ToLowerInvariant()))
            .ToList();

    /// <summary>Sentiment CSV: <c>text,label</c>.</summary>
    public static List<LabeledText> LoadSentimentCsv(string path) =>
        CsvReader.ReadFile(path)
            .Select(r => new LabeledText(new SignalText(null, r.GetValueOrDefault("text")), (r.GetValueOrDefault("label") ?? string.Empty).Trim().ToLowerInvariant()))
            .ToList();

    public static TextClassifierModel Train(IReadOnlyList<LabeledText> data, FeatureOptions features, SoftmaxTrainingOptions training) =>
        TextClassifierModel.Train(data.Select(d => d.Text).ToList(), data.Select(d => d.Label).ToList(), features, training);

    /// <summary>Retrains both default models from the shipped training data and writes them to <paramref name="outputDirectory"/>.</summary>
    public static IReadOnlyList<string> TrainDefaults(string trainingDataDirectory, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var intent = Train(LoadIntentCsv(Path.Combine(trainingDataDirectory, IntentTrainingFile)), IntentFeatures, IntentTraining);
        var sentiment = Train(LoadSentimentCsv(Path.Combine(trainingDataDirectory, SentimentTrainingFile)), SentimentFeatures, SentimentTraining);
        var intentPath = Path.Combine(outputDirectory, IntentModelFile);
        var sentimentPath = Path.Combine(outputDirectory, SentimentModelFile);
        File.WriteAllBytes(intentPath, intent.ToBytes());
        File.WriteAllBytes(sentimentPath, sentiment.ToBytes());
        return [intentPath, sentimentPath];
    }

    /// <summary>Stratified-free k-fold split by position (data is shuffled deterministically first) for hyperparameter selection.</summary>
    public static double CrossValidate(IReadOnlyList<LabeledText> data, FeatureOptions features, SoftmaxTrainingOptions training, int folds = 5)
    {
        var rng = new Random(12345);
        var order = Enumerable.Range(0, data.Count).OrderBy(_ => rng.Next()).ToArray();
        var gold = new List<string>();
        var predicted = new List<string>();
        for (var f = 0; f < folds; f++)
        {
            var train = order.Where((_, i) => i % folds != f).Select(i => data[i]).ToList();
            var test = order.Where((_, i) => i % folds == f).Select(i => data[i]).ToList();
            var model = Train(train, features, training);
            foreach (var t in test)
            {
                gold.Add(t.Label);
                predicted.Add(model.PredictLabel(t.Text));
            }
        }

        return ClassificationReport.Compute(gold, predicted).MacroF1;
    }
}
