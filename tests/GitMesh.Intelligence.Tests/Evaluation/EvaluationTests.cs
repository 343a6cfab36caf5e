using System.Globalization;
using GitMesh.Intelligence.Evaluation;

namespace GitMesh.Intelligence.Tests.Evaluation;

/// <summary>Accuracy gates on the shipped evaluation data (copied into Data/ with its SOURCE). Never trained on.</summary>
public class EvaluationTests
{
    private static async Task<string> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await IntelligenceCli.TryRunAsync(args, output, CancellationToken.None);
        code.ShouldBe(0, output.ToString());
        return output.ToString();
    }

    private static double Figure(string output, string name)
    {
        var line = output.Split('\n').Last(l => l.Contains(name + ":", StringComparison.Ordinal));
        var rest = line[(line.IndexOf(name + ":", StringComparison.Ordinal) + name.Length + 1)..].Trim();
        return double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Intent_macro_f1_on_nlbse_dev_meets_target()
    {
        var output = await RunAsync("eval", "intent", "--data", TestTexts.DataPath("intent", "dev.csv"));
        output.TrimEnd().Split('\n')[^1].ShouldStartWith("macro-F1: ");
        Figure(output, "macro-F1").ShouldBeGreaterThanOrEqualTo(0.75);
    }

    [Fact]
    public async Task Sentiment_macro_f1_on_senti4sd_test_meets_target()
    {
        var output = await RunAsync("eval", "sentiment", "--data", TestTexts.DataPath("sentiment", "stackoverflow_test.csv"));
        Figure(output, "macro-F1").ShouldBeGreaterThanOrEqualTo(0.80);
    }

    // The targets are recall@5 >= 0.85 with precision@auto >= 0.9; we measure recall@1 0.576, @5 0.871, @10 0.886 and
    // precision@auto 1.00 (14 joins: 6 gold pairs, 8 verbatim copies missing from pairs.csv; strict 0.43). The floors
    // sit one or two pairs below the measured figures (one directed pair is 1/132 = 0.008).
    [Fact]
    public async Task Duplicate_retrieval_on_hadoop_meets_targets()
    {
        var output = await RunAsync("eval", "duplicates", "--data", TestTexts.DataPath("duplicates", "hadoop"));
        Figure(output, "recall@1").ShouldBeGreaterThanOrEqualTo(0.55);
        Figure(output, "recall@5").ShouldBeGreaterThanOrEqualTo(0.85);
        Figure(output, "recall@10").ShouldBeGreaterThanOrEqualTo(0.87);
        Figure(output, "precision@auto").ShouldBeGreaterThanOrEqualTo(0.9);
        output.ShouldContain("strict precision@auto");
        output.ShouldContain("ranking sensitivity");
    }

    [Fact]
    public async Task Verbatim_copies_missing_from_pairs_count_as_correct_joins_and_near_copies_do_not()
    {
        var dir = Directory.CreateTempSubdirectory("gm-dup-eval").FullName;
        try
        {
            var body = "The namenode web UI shows a blank page after the upgrade; the browser console reports a script error in dfshealth.js while loading the datanode tab, and reloading does not help.";
            var rows = new List<string> { "id,title,body" };
            rows.Add($"a,Namenode UI blank after upgrade,\"{body}\"");
            rows.Add($"b,Namenode web UI is blank after upgrading,\"{body} Seen on two clusters.\"");
            rows.Add($"c,Namenode UI blank after upgrade,\"{body}\"");
            rows.Add($"d,Namenode UI blank after upgrade,\"{body} Also the datanode tab.\"");
            for (var i = 0; i < 40; i++)
            {
                rows.Add($"x{i},Unrelated report {i} about module{i},Body {i} mentions feature{i} and option{i}.");
            }

            File.WriteAllLines(Path.Combine(dir, "items.csv"), rows);
            File.WriteAllLines(Path.Combine(dir, "pairs.csv"), ["id1,id2", "a,b"]);
            var output = await RunAsync("eval", "duplicates", "--data", dir);

            // a~c is a verbatim copy (correct), a~d and c~d are near copies outside the gold group (errors in both figures).
            var joins = output.Split('\n').Single(l => l.StartsWith("precision@auto:", StringComparison.Ordinal));
            Figure(output, "strict precision@auto (verbatim copies outside pairs.csv counted as errors)").ShouldBeLessThan(Figure(output, "precision@auto"));
            Figure(output, "precision@auto").ShouldBeLessThan(1);
            joins.ShouldContain("correct when both");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Unknown_verbs_are_left_to_the_host()
    {
        (await IntelligenceCli.TryRunAsync(["serve"], TextWriter.Null, CancellationToken.None)).ShouldBeNull();
        (await IntelligenceCli.TryRunAsync([], TextWriter.Null, CancellationToken.None)).ShouldBeNull();
        (await IntelligenceCli.TryRunAsync(["eval", "intent"], TextWriter.Null, CancellationToken.None)).ShouldBe(1);
    }
}

public class CsvReaderTests
{
    [Fact]
    public void Reads_quoted_multiline_fields_and_escaped_quotes()
    {
        var csv = "id,title,body\r\n1,\"Hello, world\",\"line one\nline \"\"two\"\"\"\n2,plain,\n";
        var rows = CsvReader.Read(new StringReader(csv)).ToList();
        rows.Count.ShouldBe(2);
        rows[0]["title"].ShouldBe("Hello, world");
        rows[0]["body"].ShouldBe("line one\nline \"two\"");
        rows[1]["body"].ShouldBe(string.Empty);
    }

    [Fact]
    public void Reports_per_class_metrics()
    {
        var r = ClassificationReport.Compute(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
        r.Classes.Single(c => c.Label == "a").Recall.ShouldBe(0.5);
        r.Classes.Single(c => c.Label == "b").Precision.ShouldBe(2 / 3.0, 1e-9);
        r.Accuracy.ShouldBe(0.75);
    }
}
