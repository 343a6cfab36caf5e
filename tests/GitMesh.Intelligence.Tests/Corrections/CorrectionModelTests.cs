using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Corrections;

namespace GitMesh.Intelligence.Tests.Corrections;

public class CorrectionModelTests
{
    private static readonly DefaultSignalClassifier Classifier = DefaultSignalClassifier.Shared;

    // A workspace whose users file "please add X" posts that the PM treats as complaints about missing basics.
    private static IEnumerable<Correction> ThirtyCorrections() =>
        Enumerable.Range(0, 30).Select(i => new Correction(
            new SignalText($"Please add offline sync for the mobile app ({i})", $"It would be nice if the mobile app could sync notes offline, variant {i % 5}."),
            CorrectionFields.Intent,
            "complaint"));

    private static readonly SignalText Similar = new("Please add offline sync to the mobile app", "It would be nice to sync my notes offline on mobile.");

    [Fact]
    public void Thirty_similar_corrections_change_predictions_for_that_workspace_only()
    {
        var before = Classifier.Classify(Similar);
        before.Intent.ShouldBe(SignalIntent.FeatureRequest);

        var workspace = Classifier.TrainCorrections(ThirtyCorrections());
        var after = Classifier.Classify(Similar, workspace);
        after.Intent.ShouldBe(SignalIntent.Complaint);
        after.CorrectionsApplied.ShouldBeTrue();

        // A fresh workspace (no corrections) is untouched.
        var fresh = Classifier.Classify(Similar, CorrectionModel.Empty);
        fresh.ShouldBeEquivalentTo(before);

        // Dissimilar texts in the corrected workspace are untouched too.
        var unrelated = new SignalText("Crash on startup", "NullReferenceException at Program.Main when the config file is missing");
        Classifier.Classify(unrelated, workspace).Intent.ShouldBe(Classifier.Classify(unrelated).Intent);
    }

    [Fact]
    public void Reports_leave_one_out_accuracy_on_own_corrections()
    {
        var report = Classifier.TrainCorrections(ThirtyCorrections()).Evaluate().Single();
        report.Field.ShouldBe(CorrectionFields.Intent);
        report.Examples.ShouldBe(30);
        report.BaseAccuracy.ShouldBe(0);
        report.CorrectedAccuracy.ShouldBe(1);
    }

    [Fact]
    public void Serializes_to_json_and_back()
    {
        var model = Classifier.TrainCorrections(ThirtyCorrections().Append(new Correction(Similar, CorrectionFields.Sentiment, "negative")));
        var copy = CorrectionModel.FromJson(model.ToJson());
        copy.Count.ShouldBe(31);
        Classifier.Classify(Similar, copy).ShouldBeEquivalentTo(Classifier.Classify(Similar, model));
        copy.Evaluate().Select(r => r.Field).ShouldBe([CorrectionFields.Intent, CorrectionFields.Sentiment]);
    }

    [Fact]
    public void A_single_distant_correction_barely_moves_probabilities()
    {
        var model = Classifier.TrainCorrections([new Correction(new SignalText("Billing page typo", "The word invoice is misspelled"), CorrectionFields.Sentiment, "negative")]);
        var text = new SignalText("How do I export data?", "Looking for a CSV export option in settings.");
        Classifier.Classify(text, model).SentimentProbabilities.ShouldBe(Classifier.Classify(text).SentimentProbabilities);
    }

    [Fact]
    public void Suggests_product_areas_from_corrections()
    {
        var model = CorrectionModel.Train(Enumerable.Range(0, 10).Select(i =>
            new Correction(new SignalText($"Widget rendering glitch {i}", "The dashboard widget renders blank"), CorrectionFields.ProductArea, "Dashboards")));
        model.SuggestLabels(CorrectionFields.ProductArea, new SignalText("Dashboard widget renders blank", null))
            .Keys.ShouldContain("Dashboards");
        model.SuggestLabels(CorrectionFields.ProductArea, new SignalText(null, null)).ShouldBeEmpty();
    }
}
