using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Urgency;

namespace GitMesh.Intelligence.Tests.Classification;

public class UrgencyEstimatorTests
{
    [Theory]
    [InlineData("Security: XSS vulnerability in comments", UrgencyLevel.Critical)]
    [InlineData("Upgrading wiped out all my data - data loss", UrgencyLevel.Critical)]
    [InlineData("The site is down for everyone", UrgencyLevel.Critical)]
    [InlineData("App crashes when I click save", UrgencyLevel.High)]
    [InlineData("Regression: export stopped working after the update", UrgencyLevel.High)]
    [InlineData("The button label is slightly misaligned", UrgencyLevel.Normal)]
    [InlineData("Typo in the docs", UrgencyLevel.Low)]
    public void Content_cues_set_the_level(string text, UrgencyLevel expected)
    {
        UrgencyEstimator.Estimate(new SignalText(text, null)).Level.ShouldBe(expected);
    }

    [Fact]
    public void Velocity_raises_urgency_monotonically()
    {
        var text = new SignalText("Export is slow", "Takes a minute.");
        var levels = new[] { 0.0, 1, 3, 8, 50 }.Select(v => UrgencyEstimator.Estimate(text, v, SignalIntent.Bug)).ToList();
        levels.Select(l => l.Score).ShouldBeInOrder(SortDirection.Ascending);
        levels[0].Level.ShouldBe(UrgencyLevel.Normal);
        levels[^1].Level.ShouldBe(UrgencyLevel.Critical);
        levels[^1].Reasons.ShouldContain(r => r.Contains("velocity"));
    }

    [Fact]
    public void Feature_requests_default_to_low_and_bad_velocity_is_ignored()
    {
        var text = new SignalText("Please add CSV export", null);
        UrgencyEstimator.Estimate(text, 0, SignalIntent.FeatureRequest).Level.ShouldBe(UrgencyLevel.Low);
        UrgencyEstimator.Estimate(text, double.NaN, SignalIntent.FeatureRequest).Level.ShouldBe(UrgencyLevel.Low);
    }

    [Fact]
    public void Repeated_cues_count_once_and_huge_input_is_bounded()
    {
        var once = UrgencyEstimator.Estimate(new SignalText("crash", null));
        var many = UrgencyEstimator.Estimate(new SignalText("crash", string.Concat(Enumerable.Repeat("crash ", 10_000)) + TestTexts.HugeBody));
        many.Score.ShouldBe(once.Score);
        UrgencyEstimator.Estimate(new SignalText(null, null)).Level.ShouldBe(UrgencyLevel.Normal);
    }
}
