using GitMesh.Intelligence.Models;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Tests.Classification;

public class SoftmaxRegressionTests
{
    private static readonly (string Text, string Label)[] Toy =
    [
        ("app crashes with null pointer exception", "bug"), ("error when saving file crash", "bug"), ("segfault on startup error", "bug"),
        ("exception thrown while loading crash", "bug"), ("please add dark mode support", "feature"), ("would be nice to have export to pdf", "feature"),
        ("add option to disable telemetry please", "feature"), ("support for plugins would be nice", "feature"), ("how do i configure the proxy", "question"),
        ("what is the best way to deploy", "question"), ("how can i change the port", "question"), ("is it possible to run offline", "question"),
    ];

    private static TextClassifierModel TrainToy() => TextClassifierModel.Train(
        Toy.Select(t => new SignalText(null, t.Text)).ToList(),
        Toy.Select(t => t.Label).ToList(),
        new FeatureOptions { HashBits = 14, MinDocumentFrequency = 1, CharMin = 0 },
        new SoftmaxTrainingOptions(L2: 1e-3, MaxIterations: 100));

    [Fact]
    public void Learns_a_separable_toy_problem()
    {
        var model = TrainToy();
        model.PredictLabel(new SignalText(null, "crash with exception")).ShouldBe("bug");
        model.PredictLabel(new SignalText(null, "please add support for themes")).ShouldBe("feature");
        model.PredictLabel(new SignalText(null, "how do i change the theme")).ShouldBe("question");
    }

    [Fact]
    public void Training_is_deterministic_and_round_trips_through_bytes()
    {
        var a = TrainToy().ToBytes();
        var b = TrainToy().ToBytes();
        a.ShouldBe(b);
        var loaded = TextClassifierModel.Load(a);
        loaded.ToBytes().ShouldBe(a);
        loaded.Labels.ShouldBe(["bug", "feature", "question"]);
    }

    [Fact]
    public void Probabilities_sum_to_one_for_edge_inputs()
    {
        var model = TrainToy();
        foreach (var text in new[] { new SignalText(null, null), new SignalText(null, TestTexts.HugeBody), new SignalText(null, TestTexts.Japanese), new SignalText(null, TestTexts.CodeOnly) })
        {
            model.PredictProbabilities(text).Sum().ShouldBe(1f, 1e-4f);
        }
    }

    [Fact]
    public void Rejects_corrupt_model_bytes()
    {
        Should.Throw<Exception>(() => TextClassifierModel.Load([1, 2, 3, 4]));
    }
}
