using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Evaluation;
using GitMesh.Intelligence.Models;
using GitMesh.Intelligence.Tests.Text.Reference;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Tests.Text;

/// <summary>
/// The allocation-free feature path must reproduce the original string/dictionary implementation (kept under
/// <c>Reference/</c>) exactly: same tokens, same hashed features in the same order, same floats — so the shipped
/// model files predict the same probabilities.
/// </summary>
public class FastPathEquivalenceTests
{
    private static readonly DefaultSignalClassifier Classifier = DefaultSignalClassifier.Shared;

    public static TheoryData<string?, string?, string?> Texts => new()
    {
        { null, null, null },
        { "", "", "" },
        { "   ", "\n\t ", null },
        { "App crashes on start", "Steps to reproduce:\n1. Open\n\nExpected: works\nActual: NullReferenceException: boom\n    at Foo.Bar()\n    at Baz.Qux()", null },
        { "How do I configure a proxy?", "I'm not sure it isn't possible. Is there a setting? Thanks :)", "proxy = http://x:8080" },
        { "Feature request: dark mode", "It would be nice to have a dark theme. NOT GOOD ENOUGH!!! neg_value is not great, never bad :(", null },
        { "getUserName fails in snake_case_id", "__init__ and _private_ and HTTPServerError and XMLHttpRequest2Parser and don't can't won't", null },
        { null, TestTexts.HugeBody, null },
        { "Huge title " + new string('x', 50), TestTexts.HugeBody, TestTexts.HugeBody },
        { null, TestTexts.CodeOnly, null },
        { TestTexts.Japanese, TestTexts.Japanese + " ありがとう 👍🎉 谢谢", null },
        { "Absturz", TestTexts.German + " İstanbul ǅemal ΣΊΣΥΦΟΣ straße ﬁle", null },
        { "Emoji 😡👎 and symbols © ® ™ ✓", "Mixed: naïve café résumé — “quoted” ‘text’ don’t 1234567 12 3 v1.2.3", null },
        { "x", new string('a', 45) + " " + new string('b', 40) + " deadbeefdeadbeefdeadbeefdeadbeefdeadbeef00", null },
        { "Java trace", "Boom\njava.lang.IllegalStateException: bad\n\tat com.foo.Bar.baz(Bar.java:12)\n", null },
        { "Python", "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\n(ValueError: no) and KeyError: 'k'", null },
        { "Native", "#0  0x00007fff in main ()\nSegmentation fault (core dumped) reproducible; minimal repro", null },
        { "Near misses", "(ValueError: x) Exception in threads? repro steps. at foo( no close\n  at x.y()  \nError: top", null },
        { "Rust", "thread 'main' panicked at src/main.rs, to reproduce run it. Minimal Example follows.", null },
        { "Thai ภาษาไทย", "ข้อผิดพลาด เมื่อเปิด แอป \ud800 lone surrogate \udc00 here", null },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Tokenizer_matches_reference(string? title, string? body, string? code)
    {
        var text = new SignalText(title, body, code);
        Tokenizer.Tokenize(text.Combined).ShouldBe(ReferenceTokenizer.Tokenize(text.Combined));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Structural_cues_match_reference(string? title, string? body, string? code)
    {
        var text = new SignalText(title, body, code);
        var expected = ReferenceStructuralCues.Detect(text.Title, text.BodyWithCode).ToString().Replace(nameof(ReferenceCueSet), string.Empty, StringComparison.Ordinal);
        var actual = StructuralCues.Detect(text.Title, text.BodyWithCode).ToString().Replace(nameof(StructuralCueSet), string.Empty, StringComparison.Ordinal);
        actual.ShouldBe(expected);
    }

    [Fact]
    public void Structural_cues_match_reference_on_evaluation_texts()
    {
        foreach (var row in CsvReader.ReadFile(TestTexts.DataPath("intent", "dev.csv")))
        {
            var expected = ReferenceStructuralCues.Detect(row["title"], row["body"]).ToString().Replace(nameof(ReferenceCueSet), string.Empty, StringComparison.Ordinal);
            StructuralCues.Detect(row["title"], row["body"]).ToString().Replace(nameof(StructuralCueSet), string.Empty, StringComparison.Ordinal).ShouldBe(expected);
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Shipped_models_give_reference_features_and_probabilities(string? title, string? body, string? code)
    {
        var text = new SignalText(title, body, code);
        foreach (var model in new[] { Classifier.IntentModel, Classifier.SentimentModel })
        {
            var reference = new ReferenceFeatureExtractor(model.Options);
            model.Extractor.CountTerms(text).ToList().ShouldBe(reference.CountTerms(text).ToList());
            var expected = reference.Transform(text, model.Idf);
            var actual = model.Featurize(text);
            actual.Indices.ShouldBe(expected.Indices);
            actual.Values.ShouldBe(expected.Values);
            model.PredictProbabilities(text).ShouldBe(model.Regression.PredictProbabilities(expected));
        }

        var prose = new SignalText(null, Prose.Extract(text.Title + "\n" + text.Body));
        var sentiment = Classifier.SentimentModel.Regression.PredictProbabilities(
            new ReferenceFeatureExtractor(Classifier.SentimentModel.Options).Transform(prose, Classifier.SentimentModel.Idf));
        var labels = Classifier.SentimentModel.Labels.ToList();
        Classifier.PredictSentiment(text).ShouldBe(LabelNames.Sentiments.Select(l => (double)sentiment[labels.IndexOf(l)]).ToArray());
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Other_feature_options_match_reference(string? title, string? body, string? code)
    {
        var text = new SignalText(title, body, code);
        FeatureOptions[] variants =
        [
            new() { HashBits = 12, SeparateTitle = false, SentimentCues = true, CharMin = 2, CharMax = 4, MaxBodyChars = 300, MaxCharNgramChars = 100 },
            new() { HashBits = 16, WordBigrams = false, CharMin = 0, Structural = false },
            new() { HashBits = 8, CharMin = 1, CharMax = 1, SentimentCues = true, CueWeight = 1.5f },
        ];
        foreach (var options in variants)
        {
            var fast = new FeatureExtractor(options);
            var reference = new ReferenceFeatureExtractor(options);
            fast.CountTerms(text).ToList().ShouldBe(reference.CountTerms(text).ToList());
            fast.CueFeatures(text).ShouldBe(reference.CueFeatures(text));

            // Every other index unseen (zero IDF) exercises dropped terms and cues appended after them.
            var idf = Enumerable.Range(0, options.Dimension).Select(k => k % 2 == 0 ? 1f + (k % 7) : 0f).ToArray();
            var expected = reference.Transform(text, idf);
            var actual = fast.Transform(text, idf);
            actual.Indices.ShouldBe(expected.Indices);
            actual.Values.ShouldBe(expected.Values);
        }
    }

    [Fact]
    public void Shipped_models_match_reference_on_training_texts()
    {
        var intent = new ReferenceFeatureExtractor(Classifier.IntentModel.Options);
        var rows = CsvReader.ReadFile(TestTexts.DataPath("intent", "dev.csv")).ToList();
        rows.ShouldNotBeEmpty();
        foreach (var row in rows)
        {
            var text = new SignalText(row["title"], row["body"]);
            var expected = Classifier.IntentModel.Regression.PredictProbabilities(intent.Transform(text, Classifier.IntentModel.Idf));
            Classifier.IntentModel.PredictProbabilities(text).ShouldBe(expected);
        }
    }

    [Fact]
    public void Results_do_not_leak_between_calls_on_one_thread()
    {
        var big = new SignalText("Crash", TestTexts.HugeBody);
        var small = new SignalText("Dark mode please", "It would be nice to have a dark theme.");
        var first = Classifier.Classify(small);
        Classifier.Classify(big);
        var again = Classifier.Classify(small);
        again.IntentProbabilities.ShouldBe(first.IntentProbabilities);
        again.SentimentProbabilities.ShouldBe(first.SentimentProbabilities);
    }

    [Fact]
    public void Parallel_classification_matches_sequential()
    {
        var texts = Texts.Select(row => new SignalText((string?)row[0], (string?)row[1], (string?)row[2])).ToArray();
        var sequential = texts.Select(t => Classifier.Classify(t).IntentProbabilities.ToArray()).ToArray();
        var parallel = new double[texts.Length * 8][];
        Parallel.For(0, parallel.Length, i => parallel[i] = Classifier.Classify(texts[i % texts.Length]).IntentProbabilities.ToArray());
        for (var i = 0; i < parallel.Length; i++)
        {
            parallel[i].ShouldBe(sequential[i % texts.Length]);
        }
    }

    [Fact]
    public void Accumulator_keeps_first_insertion_order_across_growth()
    {
        var acc = new FeatureAccumulator();
        var expected = new Dictionary<int, float>();
        var rng = new Random(7);
        for (var round = 0; round < 3; round++)
        {
            acc.Clear();
            expected.Clear();
            for (var i = 0; i < 5_000 >> round; i++)
            {
                var key = rng.Next(round == 1 ? 50 : 1 << 19);
                acc.Increment(key);
                expected[key] = expected.GetValueOrDefault(key) + 1f;
            }

            acc.Keys.ToArray().ShouldBe(expected.Keys.ToArray());
            acc.Values.ToArray().ShouldBe(expected.Values.ToArray());
        }
    }

    [Fact]
    public void Invalid_inputs_are_rejected_with_clear_errors()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new FeatureExtractor(new FeatureOptions { HashBits = 0 }));
        Should.Throw<ArgumentException>(() => new FeatureExtractor(new FeatureOptions { HashBits = 10 }).Transform(new SignalText("a", "b"), new float[16]));
    }
}
