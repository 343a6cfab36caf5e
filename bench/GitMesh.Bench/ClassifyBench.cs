using System.Diagnostics;
using System.Globalization;
using GitMesh.Intelligence;
using GitMesh.Intelligence.Classification;
using GitMesh.Intelligence.Duplicates;
using GitMesh.Intelligence.Evaluation;

namespace GitMesh.Bench;

/// <summary>
/// Classification + duplicate lookup throughput against indexes of growing size. Index contents are synthesized
/// from the shipped training texts (titles recombined with 2–6 sentences from other bodies and posts), so term
/// statistics look like real feedback. Baseline: an exact linear scan of the same index, on a small query sample.
/// </summary>
public sealed class ClassifyBench : IBenchmark
{
    public string Name => "classify";

    public string Description => "signals/s for classify + duplicate lookup at 10k/100k/1M indexed signals (--sizes a,b,c --queries N --no-compare)";

    /// <summary>
    /// The lookup settings before character n-gram ranking and the wider candidate generation (issue #4): measured in
    /// the same run as a second row per size, so the cost of the change is read off one load level.
    /// </summary>
    private static readonly DuplicateIndexOptions WordOnlyNarrow = new(PostedBodyTerms: 12, MaxPostingsScanned: 128, CandidatePool: 48, CharGramWeight: 0);

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var sizes = Option(args, "--sizes", "10000,100000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var queries = int.Parse(Option(args, "--queries", "20000"), CultureInfo.InvariantCulture);
        var corpus = Corpus.Load();
        Console.WriteLine($"corpus: {corpus.Titles.Count:N0} titles, {corpus.Sentences.Count:N0} sentences from TrainingData; {Environment.ProcessorCount} cores");

        var classifier = DefaultSignalClassifier.Shared;
        var queryTexts = Enumerable.Range(0, queries).Select(i => corpus.Synthesize(new Random(1_000_000_000 + i))).ToArray();

        // Wall-clock rates depend on what else runs on the machine; CPU time of this process does much less, so both
        // are printed: "cpu-based" = signals per CPU-second × cores, i.e. the rate on otherwise idle cores.
        var process = Process.GetCurrentProcess();
        var cores = Environment.ProcessorCount;
        (double Wall, double CpuBased) Measure(int count, Action<int> body)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, body);
            var wall = watch.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            return (count / wall, count / cpu * cores);
        }

        // Classification does not depend on index size: measure once, after a warm-up long enough for tiered JIT
        // to finish recompiling the hot path (500 calls were over before the background compiler caught up on a
        // busy machine, so the measured run partly ran tier-0 code).
        var warmUp = Stopwatch.StartNew();
        for (var done = 0; done < 4 && (done < 1 || warmUp.Elapsed < TimeSpan.FromSeconds(3)); done++)
        {
            Measure(Math.Min(2_000, queryTexts.Length), i => classifier.Classify(queryTexts[i]));
        }

        var classify = Measure(queryTexts.Length, i => classifier.Classify(queryTexts[i]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"classify only: {classify.Wall:N0} signals/s wall, {classify.CpuBased:N0} signals/s cpu-based ({1e6 * cores / classify.CpuBased:F0} cpu-µs/signal)"));
        Console.WriteLine();
        Console.WriteLine($"{"index size",12} {"settings",9} {"build s",9} {"managed MB",11} {"lookup/s wall",14} {"lookup/s cpu",13} {"classify+lookup/s wall",23} {"… cpu",9} {"baseline scan/s",16} {"top1 agree",11}");
        var sw = new Stopwatch();
        var settings = new List<(string Name, DuplicateIndexOptions Options)> { ("default", new DuplicateIndexOptions()) };
        if (!args.Contains("--no-compare"))
        {
            settings.Add(("previous", WordOnlyNarrow));
        }

        foreach (var size in sizes)
        {
            foreach (var (name, options) in settings)
            {
                RunSize(size, name, options);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average at end: {LoadAverage()}");
        Console.WriteLine("lookup = LSH ∪ rare-term inverted index (bounded postings) + exact rescoring, ranked by word cosine fused with the character n-gram sketch cosine;");
        Console.WriteLine("previous = word cosine only, 12 posted body terms, 128 postings per term, pool 48 (before issue #4); baseline = exact linear scan (single thread, incl. one fast lookup per query);");
        Console.WriteLine("top1 agree = share of sampled queries whose best fast hit has the same ranking score as the exact best.");
        return Task.FromResult(0);

        void RunSize(int size, string name, DuplicateIndexOptions options)
        {
            cancellationToken.ThrowIfCancellationRequested();
            GC.Collect();
            var index = new InMemoryDuplicateIndex(null, options);
            sw.Restart();
            index.AddRange(Enumerable.Range(0, size).Select(i => ($"s{i}", corpus.Synthesize(new Random(i)))));
            var build = sw.Elapsed.TotalSeconds;
            GC.Collect();
            var managedMb = GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0);

            var prepared = new PreparedSignal[queryTexts.Length];
            Parallel.For(0, queryTexts.Length, i => prepared[i] = index.Prepare(queryTexts[i]));
            Measure(Math.Min(500, prepared.Length), i => index.FindSimilar(prepared[i], 10));
            var lookup = Measure(prepared.Length, i => index.FindSimilar(prepared[i], 10));
            var endToEnd = Measure(queryTexts.Length, i =>
            {
                classifier.Classify(queryTexts[i]);
                index.FindSimilar(queryTexts[i], 10);
            });

            // Baseline: exact linear scan on a sample; also how often candidate generation finds the exact top hit.
            var sample = Math.Min(prepared.Length, Math.Max(20, 2_000_000 / size));
            var agree = 0;
            sw.Restart();
            for (var i = 0; i < sample; i++)
            {
                var exact = index.FindSimilarExhaustive(prepared[i], 1);
                var fast = index.FindSimilar(prepared[i], 1);
                if (exact.Count == 0 || (fast.Count > 0 && Math.Abs(fast[0].RankScore - exact[0].RankScore) < 1e-9))
                {
                    agree++;
                }
            }

            var scanRate = sample / sw.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,12:N0} {name,9} {build,9:F1} {managedMb,11:N0} {lookup.Wall,14:N0} {lookup.CpuBased,13:N0} {endToEnd.Wall,23:N0} {endToEnd.CpuBased,9:N0} {scanRate,16:N1} {agree / (double)sample,11:P0}"));
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private sealed class Corpus
    {
        public List<string> Titles { get; } = [];
        public List<string> Sentences { get; } = [];

        public static Corpus Load()
        {
            var root = FindTrainingData();
            var corpus = new Corpus();
            foreach (var row in CsvReader.ReadFile(Path.Combine(root, "intent", "train.csv")))
            {
                corpus.Titles.Add(row["title"]);
                corpus.AddSentences(row["body"]);
            }

            foreach (var row in CsvReader.ReadFile(Path.Combine(root, "sentiment", "stackoverflow_train.csv")))
            {
                corpus.AddSentences(row["text"]);
            }

            return corpus;
        }

        public SignalText Synthesize(Random rng)
        {
            var title = Titles[rng.Next(Titles.Count)];
            var words = title.Split(' ');
            if (words.Length > 3)
            {
                // Swap two words and append a variant token so titles are not verbatim copies.
                var a = rng.Next(words.Length);
                var b = rng.Next(words.Length);
                (words[a], words[b]) = (words[b], words[a]);
                title = string.Join(' ', words) + (rng.Next(3) == 0 ? $" v{rng.Next(1, 9)}.{rng.Next(0, 20)}" : string.Empty);
            }

            var sentences = rng.Next(2, 7);
            var body = string.Join(' ', Enumerable.Range(0, sentences).Select(_ => Sentences[rng.Next(Sentences.Count)]));
            return new SignalText(title, body);
        }

        private void AddSentences(string text)
        {
            foreach (var s in text.Split(['.', '\n', '!', '?'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (s.Length is >= 20 and <= 300 && !s.Contains('`', StringComparison.Ordinal))
                {
                    Sentences.Add(s + ".");
                }
            }
        }

        private static string FindTrainingData()
        {
            for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "libs", "GitMesh.Intelligence", "TrainingData");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("libs/GitMesh.Intelligence/TrainingData not found; run from the repository.");
        }
    }
}
