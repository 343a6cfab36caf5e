using System.Text.Json;
using System.Text.Json.Serialization;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Corrections;

/// <summary>Field names a correction can target.</summary>
public static class CorrectionFields
{
    public const string Intent = "intent";
    public const string Sentiment = "sentiment";
    public const string ProductArea = "product_area";
}

/// <summary>A PM's correction: this text's <paramref name="Field"/> should have been <paramref name="Label"/>.</summary>
public sealed record Correction(SignalText Text, string Field, string Label);

/// <summary>Leave-one-out accuracy of one field's corrections: base models alone versus base + this model.</summary>
public sealed record CorrectionFieldReport(string Field, int Examples, double BaseAccuracy, double CorrectedAccuracy);

/// <summary>Tuning of the neighbour blend.</summary>
/// <param name="MinSimilarity">Neighbours less similar than this (cosine of word uni/bigram vectors) are ignored.</param>
/// <param name="Neighbors">At most this many neighbours vote.</param>
/// <param name="PriorStrength">Pseudo-weight of the base model: blend α = W / (W + PriorStrength) for total neighbour weight W.</param>
/// <param name="MaxExamplesPerField">Oldest corrections are dropped beyond this, bounding size and lookup cost.</param>
public sealed record CorrectionOptions(double MinSimilarity = 0.25, int Neighbors = 7, double PriorStrength = 0.6, double MaxBlend = 0.95, int MaxExamplesPerField = 2_000);

/// <summary>
/// Per-workspace learning from corrections: a k-nearest-neighbour layer over the workspace's corrected examples,
/// blended with the base model's probabilities. Neighbour votes (weight = cosine²) form a distribution q; the
/// output is (1 − α)·p_base + α·q with α = W / (W + PriorStrength), capped at MaxBlend. So one distant correction
/// barely moves anything, while many close ones dominate; a workspace without corrections gets the base
/// prediction unchanged. kNN rather than a retrained layer because it needs no training step, is exact to
/// serialize, and a PM's correction takes effect on the next signal. Immutable and thread-safe.
/// </summary>
public sealed class CorrectionModel
{
    private const int HashBits = 18;
    private const int MaxTermsPerExample = 64;
    private readonly Dictionary<string, List<Example>> _byField;

    private CorrectionModel(IEnumerable<Example> examples, CorrectionOptions options)
    {
        Options = options;
        _byField = examples
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.TakeLast(options.MaxExamplesPerField).ToList(), StringComparer.Ordinal);
    }

    public static CorrectionModel Empty { get; } = new([], new CorrectionOptions());

    public CorrectionOptions Options { get; }

    public int Count => _byField.Values.Sum(l => l.Count);

    public bool IsEmpty => Count == 0;

    /// <summary>Builds the model. <paramref name="baseDistribution"/> gives the base model's label distribution for a text and field (label → probability), recorded for the leave-one-out report.</summary>
    public static CorrectionModel Train(
        IEnumerable<Correction> corrections,
        Func<SignalText, string, IReadOnlyDictionary<string, double>?>? baseDistribution = null,
        CorrectionOptions? options = null)
    {
        var examples = corrections.Select(c => new Example
        {
            Field = c.Field,
            Label = c.Label,
            Vector = Featurize(c.Text),
            Base = baseDistribution?.Invoke(c.Text, c.Field)?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        });
        return new CorrectionModel(examples, options ?? new CorrectionOptions());
    }

    /// <summary>Returns a new model with <paramref name="more"/> appended (newest last).</summary>
    public CorrectionModel With(IEnumerable<Correction> more, Func<SignalText, string, IReadOnlyDictionary<string, double>?>? baseDistribution = null) =>
        new(_byField.Values.SelectMany(l => l).Concat(Train(more, baseDistribution, Options)._byField.Values.SelectMany(l => l)), Options);

    /// <summary>
    /// Blends the neighbours' labels into <paramref name="baseProbabilities"/> (aligned with <paramref name="labels"/>).
    /// Labels outside <paramref name="labels"/> are ignored. Returns the input unchanged when no neighbour is close enough.
    /// </summary>
    public double[] Adjust(string field, SignalText text, IReadOnlyList<string> labels, IReadOnlyList<double> baseProbabilities, out bool changed) =>
        Adjust(field, Featurize(text), labels, baseProbabilities, exclude: null, out changed);

    /// <summary>Labels suggested by neighbours for a multi-label field (product areas): label → blend weight in 0..1.</summary>
    public IReadOnlyDictionary<string, double> SuggestLabels(string field, SignalText text)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var (votes, total) = Vote(field, Featurize(text), null);
        if (total <= 0)
        {
            return result;
        }

        var alpha = Math.Min(Options.MaxBlend, total / (total + Options.PriorStrength));
        foreach (var (label, v) in votes)
        {
            result[label] = alpha * v / total;
        }

        return result;
    }

    /// <summary>Leave-one-out accuracy on the workspace's own corrections, per field.</summary>
    public IReadOnlyList<CorrectionFieldReport> Evaluate()
    {
        var reports = new List<CorrectionFieldReport>();
        foreach (var (field, examples) in _byField.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var labels = examples.Select(e => e.Label)
                .Concat(examples.Where(e => e.Base is not null).SelectMany(e => e.Base!.Keys))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            int baseCorrect = 0, corrected = 0;
            foreach (var e in examples)
            {
                var p = labels.Select(l => e.Base?.GetValueOrDefault(l) ?? 0).ToArray();
                if (Argmax(labels, p) == e.Label)
                {
                    baseCorrect++;
                }

                var adjusted = Adjust(field, e.Vector, labels, p, e, out _);
                if (Argmax(labels, adjusted) == e.Label)
                {
                    corrected++;
                }
            }

            reports.Add(new CorrectionFieldReport(field, examples.Count, baseCorrect / (double)examples.Count, corrected / (double)examples.Count));
        }

        return reports;
    }

    public string ToJson() => JsonSerializer.Serialize(
        new ModelDto(1, _byField.Values.SelectMany(l => l).Select(e => new ExampleDto(e.Field, e.Label, e.Vector.Indices, e.Vector.Values, e.Base)).ToList(), Options),
        CorrectionJsonContext.Default.ModelDto);

    public static CorrectionModel FromJson(string json)
    {
        var dto = JsonSerializer.Deserialize(json, CorrectionJsonContext.Default.ModelDto) ?? throw new InvalidDataException("Empty correction model.");
        if (dto.Version != 1)
        {
            throw new InvalidDataException($"Unsupported correction model version {dto.Version}.");
        }

        return new CorrectionModel(
            dto.Examples.Select(e => new Example { Field = e.Field, Label = e.Label, Vector = new SparseVector(e.Indices, e.Values), Base = e.Base }),
            dto.Options);
    }

    private double[] Adjust(string field, SparseVector query, IReadOnlyList<string> labels, IReadOnlyList<double> baseProbabilities, Example? exclude, out bool changed)
    {
        var result = baseProbabilities.ToArray();
        var (votes, total) = Vote(field, query, exclude, labels);
        changed = total > 0;
        if (!changed)
        {
            return result;
        }

        var alpha = Math.Min(Options.MaxBlend, total / (total + Options.PriorStrength));
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = ((1 - alpha) * result[i]) + (alpha * votes.GetValueOrDefault(labels[i]) / total);
        }

        return result;
    }

    private (Dictionary<string, double> Votes, double Total) Vote(string field, SparseVector query, Example? exclude, IReadOnlyList<string>? allowed = null)
    {
        var votes = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!_byField.TryGetValue(field, out var examples) || query.Count == 0)
        {
            return (votes, 0);
        }

        var neighbours = examples
            .Where(e => !ReferenceEquals(e, exclude) && (allowed is null || allowed.Contains(e.Label)))
            .Select(e => (e.Label, Sim: SparseVector.DotSorted(query, e.Vector)))
            .Where(x => x.Sim >= Options.MinSimilarity)
            .OrderByDescending(x => x.Sim)
            .Take(Options.Neighbors);
        double total = 0;
        foreach (var (label, sim) in neighbours)
        {
            var w = sim * sim;
            votes[label] = votes.GetValueOrDefault(label) + w;
            total += w;
        }

        return (votes, total);
    }

    private static string Argmax(IReadOnlyList<string> labels, IReadOnlyList<double> p)
    {
        var best = 0;
        for (var i = 1; i < p.Count; i++)
        {
            if (p[i] > p[best])
            {
                best = i;
            }
        }

        return labels[best];
    }

    /// <summary>Unit-length sublinear-tf vector of content-word unigrams and bigrams, truncated to the strongest terms.</summary>
    internal static SparseVector Featurize(SignalText text)
    {
        var prose = Prose.Extract(text.Combined);
        var tokens = Tokenizer.Tokenize(prose).Where(t => !Stopwords.Contains(t)).ToList();
        var counts = new Dictionary<int, float>();
        const int mask = (1 << HashBits) - 1;
        for (var i = 0; i < tokens.Count; i++)
        {
            var k = (int)(StableHash.Hash(tokens[i]) & mask);
            counts[k] = counts.GetValueOrDefault(k) + 1;
            if (i + 1 < tokens.Count)
            {
                var b = (int)(StableHash.Combine(StableHash.Hash(tokens[i]), StableHash.Hash(tokens[i + 1])) & mask);
                counts[b] = counts.GetValueOrDefault(b) + 0.5f;
            }
        }

        var top = counts.Select(kv => (kv.Key, Value: 1 + MathF.Log(1 + kv.Value)))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key)
            .Take(MaxTermsPerExample)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var norm = MathF.Sqrt(top.Values.Sum(v => v * v));
        if (norm > 0)
        {
            foreach (var k in top.Keys.ToList())
            {
                top[k] /= norm;
            }
        }

        return SparseVector.FromDictionary(top);
    }

    private sealed class Example
    {
        public required string Field { get; init; }
        public required string Label { get; init; }
        public required SparseVector Vector { get; init; }
        public Dictionary<string, double>? Base { get; init; }
    }

    internal sealed record ModelDto(int Version, List<ExampleDto> Examples, CorrectionOptions Options);

    internal sealed record ExampleDto(string Field, string Label, int[] Indices, float[] Values, Dictionary<string, double>? Base);
}

[JsonSerializable(typeof(CorrectionModel.ModelDto))]
internal sealed partial class CorrectionJsonContext : JsonSerializerContext;
