using GitMesh.Intelligence.Duplicates;

namespace GitMesh.Intelligence.Tests.Duplicates;

public class MinHashTests
{
    private static readonly MinHasher Hasher = new();

    [Fact]
    public void Identical_texts_have_identical_signatures_and_bands()
    {
        var a = Hasher.Compute("the app crashes when saving a large file to the network drive");
        var b = new MinHasher().Compute("the app crashes when saving a large file to the network drive");
        a.ShouldBe(b);
        MinHasher.EstimateJaccard(a, b).ShouldBe(1);
        new LshBands().Compute(a).ShouldBe(new LshBands().Compute(b));
        new LshBands().Compute(a).Count.ShouldBe(16);
    }

    [Fact]
    public void Jaccard_estimate_tracks_overlap()
    {
        var baseText = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"w{i}"));
        var half = string.Join(' ', Enumerable.Range(100, 200).Select(i => $"w{i}"));
        var other = string.Join(' ', Enumerable.Range(1000, 200).Select(i => $"w{i}"));
        MinHasher.EstimateJaccard(Hasher.Compute(baseText), Hasher.Compute(half)).ShouldBeInRange(0.2, 0.5);
        MinHasher.EstimateJaccard(Hasher.Compute(baseText), Hasher.Compute(other)).ShouldBeLessThan(0.05);
    }

    [Fact]
    public void Empty_text_produces_no_bands()
    {
        new LshBands().Compute(Hasher.Compute("")).ShouldBeEmpty();
        new LshBands().Compute(Hasher.Compute((string?)null)).ShouldBeEmpty();
    }

    [Fact]
    public void Short_texts_and_huge_texts_work()
    {
        Hasher.Compute("crash").ShouldNotBe(Hasher.Compute(""));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Hasher.Compute(TestTexts.HugeBody).Length.ShouldBe(128);
        sw.ElapsedMilliseconds.ShouldBeLessThan(2_000);
    }

    [Fact]
    public void Band_count_must_fit_the_signature()
    {
        Should.Throw<ArgumentException>(() => new LshBands(32, 8).Compute(Hasher.Compute("a b c d")));
    }
}

public class DuplicateScorerTests
{
    private static (DuplicateScorer Scorer, DocumentFrequencyStats Stats) Corpus(params SignalText[] texts)
    {
        var scorer = new DuplicateScorer();
        var stats = new DocumentFrequencyStats();
        foreach (var t in texts)
        {
            stats.Add(scorer.Vectorize(t).Terms);
        }

        return (scorer, stats);
    }

    [Fact]
    public void Paraphrase_scores_above_unrelated_and_title_matters_more()
    {
        var a = new SignalText("Crash when saving large files", "Saving a 2GB file crashes the editor.");
        var b = new SignalText("Editor crashes saving big file", "When I save a large file the app crashes.");
        var c = new SignalText("Add dark mode", "Please add a dark theme.");
        var (scorer, stats) = Corpus(a, b, c, new SignalText("Login fails", "Cannot log in."));
        var ab = scorer.Score(scorer.Vectorize(a), scorer.Vectorize(b), stats);
        var ac = scorer.Score(scorer.Vectorize(a), scorer.Vectorize(c), stats);
        ab.ShouldBeGreaterThan(ac);
        scorer.Score(scorer.Vectorize(a), scorer.Vectorize(a), stats).ShouldBe(1, 1e-9);
        scorer.Decide(0.99).ShouldBe(DuplicateDecision.AutoJoin);
        scorer.Decide(0.5).ShouldBe(DuplicateDecision.PossibleDuplicate);
        scorer.Decide(0.1).ShouldBe(DuplicateDecision.NewCluster);
    }

    [Fact]
    public void Versions_and_issue_keys_distinguish_near_identical_titles()
    {
        var a = new SignalText("Upgrade jquery to 3.5.1", null);
        var b = new SignalText("Upgrade jquery to 3.6.0", null);
        var (scorer, stats) = Corpus(a, b, new SignalText("Upgrade guava", null), new SignalText("Upgrade netty", null));
        scorer.Score(scorer.Vectorize(a), scorer.Vectorize(b), stats).ShouldBeLessThan(scorer.Thresholds.AutoJoin);
    }

    [Fact]
    public void Empty_texts_score_zero()
    {
        var (scorer, stats) = Corpus(new SignalText("x y z", null));
        scorer.Score(scorer.Vectorize(new SignalText(null, null)), scorer.Vectorize(new SignalText("x y z", null)), stats).ShouldBe(0);
    }

    [Fact]
    public void Document_frequencies_update_incrementally_and_round_trip()
    {
        var stats = new DocumentFrequencyStats();
        stats.Add([1L, 2L]);
        stats.Add([2L, 3L]);
        stats.DocumentFrequency(2).ShouldBe(2);
        stats.Remove([1L, 2L]);
        stats.DocumentCount.ShouldBe(1);
        stats.DocumentFrequency(1).ShouldBe(0);
        var copy = DocumentFrequencyStats.FromBytes(stats.ToBytes());
        copy.DocumentCount.ShouldBe(1);
        copy.DocumentFrequency(3).ShouldBe(1);
    }

    [Fact]
    public void Truncation_keeps_the_strongest_terms()
    {
        var scorer = new DuplicateScorer(new DuplicateScorerOptions(MaxTerms: 5));
        var v = scorer.Vectorize(new SignalText("alpha beta", string.Join(' ', Enumerable.Range(0, 50).Select(i => $"term{i}x"))));
        var stats = new DocumentFrequencyStats();
        stats.Add(v.Terms);
        var t = scorer.Truncate(v, stats);
        t.Terms.Length.ShouldBe(5);
        t.Terms.ShouldBeInOrder(SortDirection.Ascending);
    }
}

public class InMemoryDuplicateIndexTests
{
    [Fact]
    public void Finds_the_paraphrased_duplicate_first_and_excludes_itself()
    {
        var index = new InMemoryDuplicateIndex();
        index.Add("1", new SignalText("Crash when saving large files", "Saving a 2GB file crashes the editor with OutOfMemoryException."));
        index.Add("2", new SignalText("Add dark mode", "Please add a dark theme to the editor."));
        index.Add("3", new SignalText("Login fails with SSO", "Okta SSO redirects forever."));
        index.Add("4", new SignalText("Editor crashes saving big file", "OutOfMemoryException when I save a large file."));
        var result = index.FindSimilar(new SignalText("Crash when saving large files", "Saving a 2GB file crashes the editor with OutOfMemoryException."), 3, excludeId: "1");
        result[0].Id.ShouldBe("4");
        result.ShouldNotContain(c => c.Id == "1");
    }

    [Fact]
    public void Exact_copy_auto_joins_and_duplicate_ids_are_rejected()
    {
        var index = new InMemoryDuplicateIndex();
        for (var i = 0; i < 50; i++)
        {
            index.Add($"d{i}", new SignalText($"Unrelated report number {i} about component{i}", $"Body text for item {i} mentioning module{i}"));
        }

        var text = new SignalText("Scheduler deadlocks under load", "With 500 concurrent jobs the scheduler stops dispatching. " + TestTexts.HugeBody);
        index.Add("target", text);
        var top = index.FindSimilar(text, 1)[0];
        top.Id.ShouldBe("target");
        top.Decision.ShouldBe(DuplicateDecision.AutoJoin);
        Should.Throw<InvalidOperationException>(() => index.Add("target", text));
    }

    [Fact]
    public void Empty_index_and_empty_query_return_nothing()
    {
        var index = new InMemoryDuplicateIndex();
        index.FindSimilar(new SignalText("anything", null)).ShouldBeEmpty();
        index.Add("a", new SignalText("something", "here"));
        index.FindSimilar(new SignalText(null, null)).ShouldBeEmpty();
    }

    [Fact]
    public void Index_score_matches_the_scorer()
    {
        var index = new InMemoryDuplicateIndex();
        var a = new SignalText("Timeout in upload service", "Uploads above 100MB time out after 30s.");
        var b = new SignalText("Upload times out for big files", "Large uploads fail with a timeout.");
        index.Add("a", a);
        index.Add("b", b);
        index.Add("c", new SignalText("Dark mode request", "Please add dark mode."));
        var viaIndex = index.FindSimilar(a, 5, "a").Single(c => c.Id == "b").Score;
        var viaScorer = index.Scorer.Score(index.Scorer.Vectorize(a), index.Scorer.Vectorize(b), index.Frequencies);
        viaIndex.ShouldBe(viaScorer, 1e-4);
    }
}
