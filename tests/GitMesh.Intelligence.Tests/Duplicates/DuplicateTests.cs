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
    public void Auto_join_needs_shared_term_evidence_besides_the_score()
    {
        var scorer = new DuplicateScorer();
        scorer.Decide(0.99, sharedTerms: 2).ShouldBe(DuplicateDecision.PossibleDuplicate);
        scorer.Decide(0.99, sharedTerms: 20).ShouldBe(DuplicateDecision.AutoJoin);
        scorer.Decide(0.6, sharedTerms: 20).ShouldBe(DuplicateDecision.PossibleDuplicate);
        scorer.Decide(0.1, sharedTerms: 20).ShouldBe(DuplicateDecision.NewCluster);

        // Two three-word titles: a high cosine on two shared terms is only a suggestion.
        var a = new SignalText("Release thirdparty 1.1.1", null);
        var b = new SignalText("Use thirdparty 1.1.1", null);
        var (s2, stats) = Corpus(a, b, new SignalText("Upgrade guava", null), new SignalText("Upgrade netty", null), new SignalText("Release notes", null));
        var (score, decision) = s2.Compare(s2.Vectorize(a), s2.Vectorize(b), stats);
        score.ShouldBeGreaterThan(0.4);
        decision.ShouldNotBe(DuplicateDecision.AutoJoin);
    }

    [Fact]
    public void Same_exception_and_top_frames_in_logs_outweigh_a_different_crash()
    {
        const string npe = "{noformat}\njava.lang.NullPointerException\n\tat org.apache.hadoop.fs.FileSystem.open(FileSystem.java:950)\n\tat org.apache.hadoop.fs.Shell.run(Shell.java:12)\n{noformat}";
        const string oom = "{noformat}\njava.lang.OutOfMemoryError: Java heap space\n\tat org.apache.hadoop.io.Buffer.grow(Buffer.java:77)\n\tat org.apache.hadoop.io.Copy.run(Copy.java:20)\n{noformat}";
        var a = new SignalText("Job fails reading input", "The job dies at start.\n" + npe);
        var same = new SignalText("Task fails reading input", "Same here.\n" + npe.Replace("950", "951", StringComparison.Ordinal));
        var other = new SignalText("Task fails reading input", "Same here.\n" + oom);
        var (scorer, stats) = Corpus(a, same, other, new SignalText("Add metrics", "Please add metrics."), new SignalText("Docs typo", "Fix the typo."));
        var va = scorer.Vectorize(a);
        scorer.Score(va, scorer.Vectorize(same), stats).ShouldBeGreaterThan(scorer.Score(va, scorer.Vectorize(other), stats));
    }

    [Fact]
    public void Markup_and_template_headings_are_not_shared_evidence()
    {
        var markup = "h2. Steps to reproduce\n{code:java}\n{code}\n*Expected result:*\n{color:#ff0000}{color}\nh2. Environment\n";
        var a = scorerVectorTerms(new SignalText(null, markup + "Balancer moves blocks twice"));
        var b = scorerVectorTerms(new SignalText(null, markup + "Webhdfs rename drops acl"));
        a.Intersect(b).ShouldBeEmpty();

        static long[] scorerVectorTerms(SignalText t) => new DuplicateScorer().Vectorize(t).Terms;
    }

    [Fact]
    public void Tracker_verbs_and_release_lines_let_version_bumps_meet()
    {
        var scorer = new DuplicateScorer();
        var a = scorer.Vectorize(new SignalText("Upgrade ZooKeeper to 3.8.3", null)).Terms;
        var b = scorer.Vectorize(new SignalText("Bump zookeeper to 3.8.2", null)).Terms;
        DuplicateScorer.SharedTerms(a, b).ShouldBe(3); // upgrade~bump, zookeeper, release line 3.8
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
    public void Candidate_generation_finds_the_exhaustive_best_and_reports_shared_terms()
    {
        var index = new InMemoryDuplicateIndex();
        var rng = new Random(7);
        string[] words = ["block", "replica", "namenode", "lease", "quota", "snapshot", "balancer", "decommission", "erasure", "coding", "router", "webhdfs", "token", "kerberos", "audit", "fsimage", "journal", "checkpoint"];
        string Sentence() => string.Join(' ', Enumerable.Range(0, 8).Select(_ => words[rng.Next(words.Length)] + rng.Next(40)));
        var texts = Enumerable.Range(0, 400).Select(i => new SignalText(Sentence(), Sentence() + ". " + Sentence())).ToList();
        index.AddRange(texts.Select((t, i) => ($"s{i}", t)));
        for (var i = 0; i < 40; i++)
        {
            var query = index.Prepare(texts[i] with { Title = texts[i].Title + " again" });
            var fast = index.FindSimilar(query, 1);
            var exact = index.FindSimilarExhaustive(query, 1);
            fast[0].Score.ShouldBe(exact[0].Score, 1e-9);
            fast[0].Id.ShouldBe($"s{i}");
            fast[0].SharedTerms.ShouldBeGreaterThan(5);
        }
    }

    [Fact]
    public void Lookups_stay_consistent_while_the_index_grows()
    {
        var index = new InMemoryDuplicateIndex();
        var target = new SignalText("Router drops delegation tokens on failover", "After failover the router forgets tokens issued by the old active namenode.");
        index.Add("target", target);
        for (var i = 0; i < 300; i++)
        {
            index.Add($"n{i}", new SignalText($"Unrelated item {i} on module{i}", $"Text {i} for option{i} and flag{i}."));
            if (i % 50 == 0)
            {
                index.FindSimilar(target, 1)[0].Id.ShouldBe("target");
            }
        }

        var top = index.FindSimilar(target, 1)[0];
        top.Score.ShouldBe(1, 1e-4);
        top.Decision.ShouldBe(DuplicateDecision.AutoJoin);
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

public class DuplicateTermTests
{
    [Theory]
    [InlineData("binaries", "binary")]
    [InlineData("releases", "release")]
    [InlineData("released", "release")]
    [InlineData("stopped", "stop")]
    [InlineData("failing", "fails")]
    [InlineData("dependencies", "dependency")]
    [InlineData("addresses", "address")]
    [InlineData("updated", "update")]
    public void Inflections_of_one_word_share_a_stem(string a, string b) => DuplicateScorer.Stem(a).ShouldBe(DuplicateScorer.Stem(b));

    [Theory]
    [InlineData("status")]
    [InlineData("class")]
    [InlineData("install")]
    [InlineData("aws")]
    public void Words_that_only_look_inflected_keep_their_ending(string word) =>
        DuplicateScorer.Stem(word).ShouldBe(word);

    [Fact]
    public void Hyphenated_names_are_terms_of_their_own()
    {
        var scorer = new DuplicateScorer();
        var text = scorer.Vectorize(new SignalText("Upgrade commons-text to 1.10.0", null)).Terms;
        var sameName = scorer.Vectorize(new SignalText("commons-text CVE-2022-42889", null)).Terms;
        var otherName = scorer.Vectorize(new SignalText("Upgrade commons-codec to 1.15", null)).Terms;

        // commons, text and the whole name commons-text; commons-codec shares only "commons" and the upgrade verb.
        DuplicateScorer.SharedTerms(text, sameName).ShouldBe(3);
        DuplicateScorer.SharedTerms(text, otherName).ShouldBe(2);
    }
}

public class CharGramSketchTests
{
    private static readonly ushort[] Frequencies = new ushort[CharGramSketch.DocumentFrequencyBuckets];
    private static readonly float[] UniformIdf = Enumerable.Repeat(1f, 16).ToArray();

    private static (sbyte[] Sketch, int Norm) Of(string title, string? body = null)
    {
        var sketch = CharGramSketch.Sketch(CharGramSketch.Extract(new SignalText(title, body)), Frequencies, UniformIdf, 1);
        return (sketch, CharGramSketch.NormSquared(sketch));
    }

    private static double Cosine((sbyte[] Sketch, int Norm) a, (sbyte[] Sketch, int Norm) b) => CharGramSketch.Cosine(a.Sketch, a.Norm, b.Sketch, b.Norm);

    [Fact]
    public void Identical_text_has_cosine_one_and_empty_text_zero()
    {
        var a = Of("Kerberized cluster rejects the deserializer", "since the upgrade");
        Cosine(a, Of("Kerberized cluster rejects the deserializer", "since the upgrade")).ShouldBe(1, 1e-9);
        var empty = Of("", null);
        empty.Norm.ShouldBe(0);
        Cosine(a, empty).ShouldBe(0);
    }

    [Fact]
    public void Shared_word_pieces_score_above_unrelated_text()
    {
        var query = Of("Support VectorIO in ABFS input stream");
        var morphological = Of("AzureBlobFileSystem should override readVectored for ABFS streams");
        var unrelated = Of("Namenode web UI shows a blank page after login");
        Cosine(query, morphological).ShouldBeGreaterThan(Cosine(query, unrelated) + 0.1);
    }

    [Fact]
    public void Only_the_title_and_the_opening_of_the_body_count()
    {
        var opening = new string('x', CharGramSketch.BodyChars);
        var a = Of("Same title", opening + " tail about kerberos tokens");
        var b = Of("Same title", opening + " tail about yarn queues");
        Cosine(a, b).ShouldBe(1, 1e-9);
    }

    [Fact]
    public void Dot_product_matches_the_scalar_definition()
    {
        var rng = new Random(3);
        var a = new sbyte[CharGramSketch.Dimensions];
        var b = new sbyte[CharGramSketch.Dimensions];
        rng.NextBytes((byte[])(Array)a);
        rng.NextBytes((byte[])(Array)b);
        a[0] = -128;
        b[0] = -128;
        var expected = 0;
        for (var i = 0; i < a.Length; i++)
        {
            expected += a[i] * b[i];
        }

        CharGramSketch.Dot(a, b).ShouldBe(expected);
    }
}

public class DuplicateRankingTests
{
    private static InMemoryDuplicateIndex Index(DuplicateIndexOptions? options = null)
    {
        var index = new InMemoryDuplicateIndex(null, options);
        for (var i = 0; i < 60; i++)
        {
            index.Add($"f{i}", new SignalText($"Filler report {i} about module{i}", $"Body {i} mentions option{i} and flag{i}."));
        }

        // Both share one word ("cluster") with the query; only the first also shares word pieces.
        index.Add("morph", new SignalText("Cluster: Kerberos authentication fails on deserialization", "Seen since the upgrade."));
        index.Add("other", new SignalText("Cluster dashboard colours look wrong on dark screens", "Seen since the upgrade."));
        return index;
    }

    private static readonly SignalText Query = new("Kerberized cluster authenticator rejects deserializer output", null);

    [Fact]
    public void Character_ngram_similarity_lifts_a_paraphrase_over_a_word_level_tie()
    {
        var result = Index().FindSimilar(Query, 5);
        result[0].Id.ShouldBe("morph");
        result[0].RankScore.ShouldBeGreaterThan(result.Single(c => c.Id == "other").RankScore);
        result.ShouldAllBe(c => c.Decision != DuplicateDecision.AutoJoin);
    }

    [Fact]
    public void Without_the_ngram_weight_the_ranking_score_is_the_word_score()
    {
        var result = Index(new DuplicateIndexOptions(CharGramWeight: 0)).FindSimilar(Query, 5);
        result.ShouldNotBeEmpty();
        result.ShouldAllBe(c => c.RankScore == c.Score);
        result.Select(c => c.Score).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public void Fused_ranking_score_stays_in_zero_to_one_and_decisions_stay_on_the_word_score()
    {
        var index = Index();
        foreach (var c in index.FindSimilar(Query, 10))
        {
            c.RankScore.ShouldBeInRange(0, 1);
            c.Decision.ShouldBe(index.Scorer.Decide(c.Score, c.SharedTerms));
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_ngram_weight_is_rejected(double weight) =>
        Should.Throw<ArgumentOutOfRangeException>(() => new DuplicateIndexOptions(CharGramWeight: weight));
}
