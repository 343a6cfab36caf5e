using System.Diagnostics;
using System.Globalization;
using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Duplicates;
using GitMesh.Intelligence.Models;

namespace GitMesh.Intelligence.Evaluation;

/// <summary>
/// Evaluation and training verbs, hosted by any executable (<c>dotnet run --project src/Api -- eval intent --data dev.csv</c>):
/// <list type="bullet">
/// <item><c>eval intent --data FILE.csv [--models DIR]</c> — CSV with label,title,body (bug/feature/question).</item>
/// <item><c>eval sentiment --data FILE.csv [--models DIR]</c> — CSV with text,label.</item>
/// <item><c>eval duplicates --data FOLDER [--verbose]</c> — items.csv (id,title,body) and pairs.csv (id1,id2). recall@k counts
/// pairs.csv only; precision@auto counts an automatic join as correct when both items are in the same gold group (transitive
/// closure of pairs.csv) or are verbatim copies (identical whitespace-normalised title + body), because tracker duplicate
/// links miss accidental double submissions; the strict figure (copies counted as errors) is printed as well.</item>
/// <item><c>train --out DIR [--training-data DIR]</c> — retrains the default models from the shipped training data.</item>
/// <item><c>cv intent|sentiment [--training-data DIR]</c> — 5-fold cross-validation on the training data only.</item>
/// </list>
/// </summary>
public static class IntelligenceCli
{
    /// <summary>Runs a verb and returns its exit code, or null when <paramref name="args"/> is not one of these verbs.</summary>
    public static Task<int?> TryRunAsync(string[] args, TextWriter output, CancellationToken ct)
    {
        if (args.Length == 0)
        {
            return Task.FromResult<int?>(null);
        }

        try
        {
            int? code = (args[0], args.Length > 1 ? args[1] : null) switch
            {
                ("eval", "intent") => EvalIntent(Options(args, 2), output),
                ("eval", "sentiment") => EvalSentiment(Options(args, 2), output),
                ("eval", "duplicates") => EvalDuplicates(Options(args, 2), output, ct),
                ("cv", "intent" or "sentiment") => CrossValidate(args[1], Options(args, 2), output),
                ("train", _) => Train(Options(args, 1), output),
                ("eval", _) => Usage(output),
                _ => null,
            };
            return Task.FromResult(code);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            output.WriteLine($"error: {ex.Message}");
            return Task.FromResult<int?>(1);
        }
    }

    private static int Usage(TextWriter output)
    {
        output.WriteLine("usage: eval intent --data FILE.csv | eval sentiment --data FILE.csv | eval duplicates --data FOLDER | train --out DIR | cv intent|sentiment");
        return 2;
    }

    private static Dictionary<string, string> Options(string[] args, int start)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = start; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                result[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            }
        }

        return result;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");

    private static DefaultSignalClassifier Classifier(Dictionary<string, string> options) =>
        options.TryGetValue("models", out var dir) ? DefaultSignalClassifier.LoadFromDirectory(dir) : DefaultSignalClassifier.Shared;

    private static int EvalIntent(Dictionary<string, string> options, TextWriter output)
    {
        var sw = Stopwatch.StartNew();
        var data = DefaultModelTrainer.LoadIntentCsv(Required(options, "data"));
        var classifier = Classifier(options);
        var gold = new List<string>();
        var full = new List<string>();
        var baseOnly = new List<string>();
        string[] baseLabels = ["bug", "feature", "question"];
        foreach (var item in data)
        {
            gold.Add(NormalizeIntent(item.Label));
            var c = classifier.Classify(item.Text);
            full.Add(NormalizeIntent(c.Intent.ToLabel()));
            var p = classifier.PredictBaseIntent(item.Text);
            baseOnly.Add(baseLabels[Array.IndexOf(p, p.Max())]);
        }

        var baseReport = ClassificationReport.Compute(gold, baseOnly, gold.Distinct());
        output.WriteLine($"Trained intent model alone (3 classes), n={data.Count}:");
        output.Write(baseReport.ToTable());
        output.WriteLine($"base macro-F1 = {baseReport.MacroF1.ToString("F3", CultureInfo.InvariantCulture)}");
        output.WriteLine();
        output.WriteLine("Full classifier (six labels; feature_request counted as feature; complaint/praise/other count as errors against bug/feature/question gold):");
        var labels = gold.Distinct().Concat(full.Distinct()).Distinct().ToList();
        var report = ClassificationReport.Compute(gold, full, labels);
        output.Write(report.ToTable());
        output.WriteLine($"derived labels: {string.Join(", ", full.GroupBy(l => l).Where(g => !baseLabels.Contains(g.Key)).Select(g => $"{g.Key}={g.Count()}"))}");
        output.WriteLine($"({sw.Elapsed.TotalSeconds:F1}s; macro-F1 averages over gold classes only)");
        output.WriteLine($"macro-F1: {report.MacroF1.ToString("F3", CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static string NormalizeIntent(string label) => label == "feature_request" ? "feature" : label;

    private static int EvalSentiment(Dictionary<string, string> options, TextWriter output)
    {
        var sw = Stopwatch.StartNew();
        var data = DefaultModelTrainer.LoadSentimentCsv(Required(options, "data"));
        var classifier = Classifier(options);
        var gold = data.Select(d => d.Label).ToList();
        var predicted = data.Select(d =>
        {
            var p = classifier.PredictSentiment(d.Text);
            return LabelNames.Sentiments[Array.IndexOf(p, p.Max())];
        }).ToList();
        var report = ClassificationReport.Compute(gold, predicted, LabelNames.Sentiments);
        output.WriteLine($"Sentiment, n={data.Count}:");
        output.Write(report.ToTable());
        output.WriteLine($"({sw.Elapsed.TotalSeconds:F1}s)");
        output.WriteLine($"macro-F1: {report.MacroF1.ToString("F3", CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static int CrossValidate(string task, Dictionary<string, string> options, TextWriter output)
    {
        var root = TrainingDataDirectory(options);
        var intent = task == "intent";
        var data = intent
            ? DefaultModelTrainer.LoadIntentCsv(Path.Combine(root, DefaultModelTrainer.IntentTrainingFile))
            : DefaultModelTrainer.LoadSentimentCsv(Path.Combine(root, DefaultModelTrainer.SentimentTrainingFile));
        var score = intent
            ? DefaultModelTrainer.CrossValidate(data, DefaultModelTrainer.IntentFeatures, DefaultModelTrainer.IntentTraining)
            : DefaultModelTrainer.CrossValidate(data, DefaultModelTrainer.SentimentFeatures, DefaultModelTrainer.SentimentTraining);
        output.WriteLine($"5-fold cross-validated macro-F1 on {data.Count} training rows: {score.ToString("F3", CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static int Train(Dictionary<string, string> options, TextWriter output)
    {
        var sw = Stopwatch.StartNew();
        var root = TrainingDataDirectory(options);
        var written = DefaultModelTrainer.TrainDefaults(root, Required(options, "out"));
        foreach (var path in written)
        {
            output.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes, sha256 {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..16]})");
        }

        output.WriteLine($"trained from {root} in {sw.Elapsed.TotalSeconds:F1}s");
        return 0;
    }

    /// <summary>--training-data, else the first <c>libs/GitMesh.Intelligence/TrainingData</c> found walking up from the working directory.</summary>
    private static string TrainingDataDirectory(Dictionary<string, string> options)
    {
        if (options.TryGetValue("training-data", out var explicitDir))
        {
            return explicitDir;
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "libs", "GitMesh.Intelligence", "TrainingData");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("TrainingData not found; run from the repository or pass --training-data DIR.");
    }

    private static int EvalDuplicates(Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var folder = Required(options, "data");
        var items = CsvReader.ReadFile(Path.Combine(folder, "items.csv"))
            .Select(r => (Id: r["id"], Text: new SignalText(r.GetValueOrDefault("title"), r.GetValueOrDefault("body"))))
            .ToList();
        var pairs = CsvReader.ReadFile(Path.Combine(folder, "pairs.csv"))
            .Select(r => (A: r["id1"], B: r["id2"]))
            .Where(p => p.A != p.B)
            .ToList();
        var texts = items.ToDictionary(i => i.Id, i => i.Text, StringComparer.Ordinal);
        pairs = pairs.Where(p => texts.ContainsKey(p.A) && texts.ContainsKey(p.B)).ToList();

        var index = new InMemoryDuplicateIndex();
        index.AddRange(items);
        var indexed = sw.Elapsed;

        // Gold clusters: connected components of the gold pairs.
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Find(string x) => parent.TryGetValue(x, out var p) && p != x ? parent[x] = Find(p) : x;
        foreach (var (a, b) in pairs)
        {
            parent.TryAdd(a, a);
            parent.TryAdd(b, b);
            parent[Find(a)] = Find(b);
        }

        var retrieved = new Dictionary<string, IReadOnlyList<DuplicateCandidate>>(StringComparer.Ordinal);
        foreach (var id in parent.Keys)
        {
            ct.ThrowIfCancellationRequested();
            retrieved[id] = index.FindSimilar(texts[id], 10, excludeId: id);
        }

        var recall = Recall(pairs, retrieved);

        // Automatic joins: every unordered pair (query, candidate) scoring at or above the auto threshold,
        // over all items as queries, kept when at least one side appears in a gold pair.
        var autoPairs = new HashSet<(string, string)>();
        var scoredPairs = new Dictionary<(string, string), double>();
        var sharedTerms = new Dictionary<(string, string), int>();
        var suggestions = 0;
        foreach (var (id, text) in items)
        {
            ct.ThrowIfCancellationRequested();
            var list = retrieved.TryGetValue(id, out var r) ? r : index.FindSimilar(text, 10, excludeId: id);
            foreach (var c in list)
            {
                if (parent.ContainsKey(id) || parent.ContainsKey(c.Id))
                {
                    scoredPairs[string.CompareOrdinal(id, c.Id) < 0 ? (id, c.Id) : (c.Id, id)] = c.Score;
                    sharedTerms[string.CompareOrdinal(id, c.Id) < 0 ? (id, c.Id) : (c.Id, id)] = c.SharedTerms;
                }

                if (c.Decision == DuplicateDecision.AutoJoin && (parent.ContainsKey(id) || parent.ContainsKey(c.Id)))
                {
                    autoPairs.Add(string.CompareOrdinal(id, c.Id) < 0 ? (id, c.Id) : (c.Id, id));
                }
                else if (c.Decision == DuplicateDecision.PossibleDuplicate)
                {
                    suggestions++;
                }
            }
        }

        // Verbatim copies: GitBugs' pairs come from Jira "duplicates" links, so a report filed twice by accident and never
        // linked is absent from pairs.csv although it is a duplicate by any definition. Items whose whitespace-normalised
        // title and body are identical are merged into one group for precision; near-copies are not (they stay errors).
        var copyParent = new Dictionary<string, string>(StringComparer.Ordinal);
        string FindCopy(string x) => copyParent.TryGetValue(x, out var p) && p != x ? copyParent[x] = FindCopy(p) : x;
        foreach (var group in items.GroupBy(i => NormalizedCopyKey(i.Text), StringComparer.Ordinal).Where(g => g.Count() > 1 && g.Key.Length > 1))
        {
            var first = group.First().Id;
            foreach (var (id, _) in group)
            {
                copyParent[FindCopy(id)] = FindCopy(first);
            }
        }

        foreach (var (a, b) in pairs)
        {
            copyParent[FindCopy(a)] = FindCopy(b);
        }

        bool SameGroup((string A, string B) p) => parent.ContainsKey(p.A) && parent.ContainsKey(p.B) && Find(p.A) == Find(p.B);
        bool SameGroupOrCopy((string A, string B) p) => SameGroup(p) || FindCopy(p.A) == FindCopy(p.B);
        var goldDirect = new HashSet<(string, string)>(pairs.Select(p => string.CompareOrdinal(p.A, p.B) < 0 ? (p.A, p.B) : (p.B, p.A)));
        var correctDirect = autoPairs.Count(goldDirect.Contains);
        var correctStrict = autoPairs.Count(SameGroup);
        var correct = autoPairs.Count(SameGroupOrCopy);
        var precision = autoPairs.Count == 0 ? 1.0 : correct / (double)autoPairs.Count;
        var precisionStrict = autoPairs.Count == 0 ? 1.0 : correctStrict / (double)autoPairs.Count;

        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"items: {items.Count}, gold pairs: {pairs.Count}, items in gold pairs: {parent.Count}, verbatim-copy items outside pairs.csv: {copyParent.Keys.Count(k => !parent.ContainsKey(k))}, indexed in {indexed.TotalSeconds:F1}s");
        output.WriteLine($"thresholds: auto-join >= {index.Scorer.Thresholds.AutoJoin.ToString(inv)} with >= {index.Scorer.Thresholds.AutoJoinMinSharedTerms} shared terms, possible duplicate >= {index.Scorer.Thresholds.Suggest.ToString(inv)}");
        output.WriteLine("recall@k: over directed gold pairs (each side of a pair as query): is the partner among the query's top-k other items, the whole folder indexed");
        output.WriteLine($"precision@auto: over all items as queries, unordered pairs decided auto-join that involve at least one gold-pair item ({autoPairs.Count}); correct when both are in the same gold group (transitive closure of pairs.csv) or are verbatim copies (same whitespace-normalised title+body): {correct}; of them same gold group: {correctStrict}; exactly a listed pair: {correctDirect}");
        output.WriteLine(string.Create(inv, $"  strict precision@auto (verbatim copies outside pairs.csv counted as errors): {precisionStrict:F3}"));
        // Sensitivity of the auto-join rule: neighbouring score thresholds × minimum shared terms (0 = score alone).
        output.WriteLine("  auto-join rule sensitivity: pairs / precision / strict precision at score >= t and >= m shared terms");
        output.WriteLine("      t    " + string.Concat(new[] { 0, 3, 4, 5, 6, 8, 10 }.Select(m => $"m={m,-2}               ")));
        foreach (var t in new[] { 0.7, 0.8, 0.85, 0.9, 0.95 })
        {
            var cells = new[] { 0, 3, 4, 5, 6, 8, 10 }.Select(m =>
            {
                var above = scoredPairs.Where(kv => kv.Value >= t && sharedTerms[kv.Key] >= m).Select(kv => kv.Key).ToList();
                double P(Func<(string, string), bool> ok) => above.Count == 0 ? 1 : above.Count(p => ok(p)) / (double)above.Count;
                return string.Create(inv, $"{above.Count,3} {P(p => SameGroupOrCopy(p)):F2} {P(p => SameGroup(p)):F2}      ");
            });
            output.WriteLine(string.Create(inv, $"   {t:F2}    ") + string.Concat(cells));
        }

        if (options.ContainsKey("verbose"))
        {
            foreach (var (a, b) in pairs)
            {
                foreach (var (q, partner) in new[] { (a, b), (b, a) })
                {
                    var rank = retrieved[q].Select(c => c.Id).ToList().IndexOf(partner);
                    if (rank < 0 || rank >= 5)
                    {
                        output.WriteLine($"  miss@5 {q} -> {partner} (rank {(rank < 0 ? ">10" : (rank + 1).ToString(inv))}): '{texts[q].Title}' vs '{texts[partner].Title}'; top: '{texts[retrieved[q].FirstOrDefault()?.Id ?? q].Title}'");
                    }
                }
            }

            foreach (var p in autoPairs.Where(p => !SameGroupOrCopy(p)))
            {
                output.WriteLine(string.Create(inv, $"  wrong auto-join {p.Item1} ~ {p.Item2} ({scoredPairs.GetValueOrDefault(p):F3}): '{texts[p.Item1].Title}' vs '{texts[p.Item2].Title}'"));
            }
        }

        output.WriteLine($"possible-duplicate suggestions (grey zone, all queries): {suggestions}");

        // Robustness of the ranking fusion: recall on two disjoint halves of the gold pairs (even / odd position in
        // pairs.csv) for the chosen character n-gram weight and its neighbours, each with the whole folder indexed.
        output.WriteLine("ranking sensitivity: recall@1 / @5 / @10 by character n-gram weight w (rank = (s + w*c)/(1 + w)), all pairs | even half | odd half");
        var evenPairs = pairs.Where((_, i) => i % 2 == 0).ToList();
        var oddPairs = pairs.Where((_, i) => i % 2 == 1).ToList();
        var chosen = new DuplicateIndexOptions().CharGramWeight;
        foreach (var w in new[] { 0, chosen / 2, chosen, chosen * 2, chosen * 4 }.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            var lists = retrieved;
            if (w != chosen)
            {
                var variant = new InMemoryDuplicateIndex(null, new DuplicateIndexOptions { CharGramWeight = w });
                variant.AddRange(items);
                lists = parent.Keys.ToDictionary(id => id, id => variant.FindSimilar(texts[id], 10, excludeId: id), StringComparer.Ordinal);
            }

            string Cells(double[] r) => string.Create(inv, $"{r[0]:F3} {r[1]:F3} {r[2]:F3}");
            output.WriteLine(string.Create(inv, $"  w={w,-5:0.###}{(w == chosen ? "*" : " ")} {Cells(Recall(pairs, lists))} | {Cells(Recall(evenPairs, lists))} | {Cells(Recall(oddPairs, lists))}"));
        }

        // Candidate generation: neighbouring numbers of posted body terms × exactly rescored pool.
        output.WriteLine("candidate sensitivity: recall@5 all | even | odd by posted body terms (rows) x candidate pool (columns)");
        var defaults = new DuplicateIndexOptions();
        int[] pools = [defaults.CandidatePool / 2, defaults.CandidatePool, defaults.CandidatePool * 2];
        output.WriteLine("          " + string.Concat(pools.Select(p => $"pool={p,-22}")));
        foreach (var bodyTerms in new[] { defaults.PostedBodyTerms - 4, defaults.PostedBodyTerms, defaults.PostedBodyTerms + 8 })
        {
            var cells = pools.Select(pool =>
            {
                ct.ThrowIfCancellationRequested();
                var variant = new InMemoryDuplicateIndex(null, defaults with { PostedBodyTerms = bodyTerms, CandidatePool = pool });
                variant.AddRange(items);
                var lists = parent.Keys.ToDictionary(id => id, id => variant.FindSimilar(texts[id], 10, excludeId: id), StringComparer.Ordinal);
                return string.Create(inv, $"{Recall(pairs, lists)[1]:F3} {Recall(evenPairs, lists)[1]:F3} {Recall(oddPairs, lists)[1]:F3}{(bodyTerms == defaults.PostedBodyTerms && pool == defaults.CandidatePool ? "*" : " ")}     ");
            });
            output.WriteLine(string.Create(inv, $"  body={bodyTerms,-3} ") + string.Concat(cells));
        }

        output.WriteLine($"({sw.Elapsed.TotalSeconds:F1}s)");
        output.WriteLine(string.Create(inv, $"recall@1: {recall[0]:F3} recall@5: {recall[1]:F3} recall@10: {recall[2]:F3} precision@auto: {precision:F3}"));
        return 0;
    }

    /// <summary>recall@1, @5, @10 over directed pairs: is the partner among the query's top-k retrieved items.</summary>
    private static double[] Recall(List<(string A, string B)> pairs, IReadOnlyDictionary<string, IReadOnlyList<DuplicateCandidate>> retrieved)
    {
        int[] ks = [1, 5, 10];
        var hits = new int[ks.Length];
        var directions = 0;
        foreach (var (a, b) in pairs)
        {
            foreach (var (q, partner) in new[] { (a, b), (b, a) })
            {
                directions++;
                var list = retrieved[q];
                for (var k = 0; k < ks.Length; k++)
                {
                    if (list.Take(ks[k]).Any(c => c.Id == partner))
                    {
                        hits[k]++;
                    }
                }
            }
        }

        return hits.Select(h => directions == 0 ? 0 : h / (double)directions).ToArray();
    }

    private static string NormalizedCopyKey(SignalText text) =>
        string.Join(' ', $"{text.Title}\n{text.Body}".Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
