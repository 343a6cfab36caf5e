using GitMesh.Intelligence.Classification;

namespace GitMesh.Intelligence.Tests.Classification;

public class DefaultSignalClassifierTests
{
    private static readonly DefaultSignalClassifier Classifier = DefaultSignalClassifier.Shared;

    [Fact]
    public void Classifies_typical_issues()
    {
        Classifier.Classify(new SignalText(
            "App crashes when opening settings",
            "Steps to reproduce:\n1. Open settings\n\nExpected: settings open\nActual: crash with NullReferenceException\n```\nat App.Settings.Open()\n```")).Intent.ShouldBe(SignalIntent.Bug);
        Classifier.Classify(new SignalText("Feature request: add dark mode", "It would be nice to have a dark theme option in the editor.")).Intent.ShouldBe(SignalIntent.FeatureRequest);
        Classifier.Classify(new SignalText("How do I configure a proxy?", "I'm trying to use the CLI behind a corporate proxy. Is there a setting for this?")).Intent.ShouldBe(SignalIntent.Question);
    }

    [Fact]
    public void Polite_bug_report_is_not_negative()
    {
        var result = Classifier.Classify(new SignalText(
            "Error when exporting large files",
            "Hi, thanks for the great tool. When I export a file larger than 2 GB I get an error: `IOException: stream too long`. Could you take a look? Thanks!"));
        result.Sentiment.ShouldNotBe(SignalSentiment.Negative);
        result.Intent.ShouldBeOneOf(SignalIntent.Bug, SignalIntent.Question);
    }

    [Fact]
    public void Praise_and_complaint_come_from_the_rule()
    {
        Classifier.Classify(new SignalText(null, "Thank you so much, this library is awesome! Love the new release.")).Intent.ShouldBe(SignalIntent.Praise);
        Classifier.Classify(new SignalText(null, "This is ridiculous. The sync has been terrible for months and nobody cares. Such a waste of time, I hate it.")).Intent.ShouldBe(SignalIntent.Complaint);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("ok", null)]
    public void Empty_or_tiny_text_is_other(string? title, string? body)
    {
        var result = Classifier.Classify(new SignalText(title, body));
        result.Intent.ShouldBe(SignalIntent.Other);
        result.IntentProbabilities.Sum().ShouldBe(1, 1e-6);
    }

    [Fact]
    public void Handles_huge_non_english_and_code_only_bodies()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var huge = Classifier.Classify(new SignalText("Crash", TestTexts.HugeBody));
        sw.ElapsedMilliseconds.ShouldBeLessThan(3_000);
        huge.IntentProbabilities.Sum().ShouldBe(1, 1e-6);
        Classifier.Classify(new SignalText("起動時にクラッシュ", TestTexts.Japanese)).SentimentProbabilities.Sum().ShouldBe(1, 1e-6);
        Classifier.Classify(new SignalText(null, null, TestTexts.CodeOnly)).IntentConfidence.ShouldBeInRange(0, 1);
    }

    [Fact]
    public void Is_safe_to_call_concurrently()
    {
        var text = new SignalText("App crashes on start", "NullReferenceException at startup");
        var expected = Classifier.Classify(text);
        var results = new SignalClassification[64];
        Parallel.For(0, results.Length, i => results[i] = Classifier.Classify(text));
        results.ShouldAllBe(r => r.Intent == expected.Intent && Math.Abs(r.IntentConfidence - expected.IntentConfidence) < 1e-12);
    }

    [Fact]
    public void Security_outage_text_is_critical()
    {
        Classifier.Classify(new SignalText("CVE-2024-1234: remote code execution", "A vulnerability lets attackers run code.")).Urgency.ShouldBe(UrgencyLevel.Critical);
    }
}
