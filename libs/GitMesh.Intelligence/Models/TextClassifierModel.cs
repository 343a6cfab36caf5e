using System.IO.Compression;
using System.Text;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Models;

/// <summary>
/// A trained text classifier: feature options, IDF table and softmax weights, with a compact binary format
/// (gzip; weights as half floats, indices delta-encoded). Immutable and thread-safe once loaded.
/// </summary>
public sealed class TextClassifierModel
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "GMTC"u8.ToArray();

    /// <summary>IDF and weights packed for prediction; <see cref="Idf"/> and <see cref="Regression"/> stay the source of truth.</summary>
    private readonly FeatureRowTable _table;

    public TextClassifierModel(FeatureOptions options, IReadOnlyList<string> labels, float[] idf, SoftmaxRegression regression)
    {
        if (labels.Count != regression.Classes || idf.Length != options.Dimension || regression.Dimension != options.Dimension)
        {
            throw new ArgumentException($"Model parts disagree: {labels.Count} labels, {regression.Classes} classes, {idf.Length} IDF entries, {regression.Dimension} weight rows, feature space {options.Dimension}.");
        }

        Options = options;
        Labels = labels;
        Idf = idf;
        Regression = regression;
        Extractor = new FeatureExtractor(options);
        _table = new FeatureRowTable(idf, regression.Weights, regression.Classes);
    }

    public FeatureOptions Options { get; }
    public IReadOnlyList<string> Labels { get; }
    public float[] Idf { get; }
    public SoftmaxRegression Regression { get; }
    public FeatureExtractor Extractor { get; }

    public SparseVector Featurize(SignalText text, StructuralCueSet? cues = null) => Extractor.Transform(text, Idf, cues);

    /// <param name="cues">Precomputed cues of the same text, to avoid detecting them twice.</param>
    public float[] PredictProbabilities(SignalText text, StructuralCueSet? cues = null)
    {
        var p = new float[Labels.Count];
        PredictProbabilities(text, cues, p);
        return p;
    }

    /// <summary>Same as <see cref="PredictProbabilities(SignalText, StructuralCueSet?)"/>, scoring the per-thread feature buffer directly (no vector is built).</summary>
    public void PredictProbabilities(SignalText text, StructuralCueSet? cues, Span<float> probabilities)
    {
        if (probabilities.Length != Labels.Count)
        {
            throw new ArgumentException($"Expected room for {Labels.Count} probabilities, got {probabilities.Length}.", nameof(probabilities));
        }

        var scratch = FeatureScratch.Current;
        var n = Extractor.Featurize(text, _table, cues, scratch);
        Regression.Bias.CopyTo(probabilities);
        _table.AddScores(scratch.VectorRows.AsSpan(0, n), scratch.VectorValues.AsSpan(0, n), probabilities);
        SoftmaxRegression.Softmax(probabilities, probabilities);
    }

    public string PredictLabel(SignalText text)
    {
        var p = PredictProbabilities(text);
        return Labels[Array.IndexOf(p, p.Max())];
    }

    /// <summary>Fits IDF on the training texts, then the regression. Deterministic for identical input order.</summary>
    public static TextClassifierModel Train(IReadOnlyList<SignalText> texts, IReadOnlyList<string> labels, FeatureOptions options, SoftmaxTrainingOptions training)
    {
        var labelSet = labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var extractor = new FeatureExtractor(options);
        var counts = texts.Select(extractor.CountTerms).ToList();
        var df = new int[options.Dimension];
        foreach (var c in counts)
        {
            foreach (var k in c.Keys)
            {
                df[k]++;
            }
        }

        var idf = new float[options.Dimension];
        var n = texts.Count;
        for (var k = 0; k < idf.Length; k++)
        {
            if (df[k] >= options.MinDocumentFrequency)
            {
                idf[k] = (float)(Math.Log((1.0 + n) / (1.0 + df[k])) + 1.0);
            }
        }

        var xs = texts.Select(t => extractor.Transform(t, idf)).ToList();
        var ys = labels.Select(l => labelSet.IndexOf(l)).ToList();
        var regression = SoftmaxRegression.Train(xs, ys, labelSet.Count, options.Dimension, training);
        // Round-trip through the file format so a freshly trained model predicts exactly like a loaded one.
        return Load(new TextClassifierModel(options, labelSet, idf, regression).ToBytes());
    }

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var w = new BinaryWriter(gz, Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(Options.HashBits);
            w.Write(Options.WordBigrams);
            w.Write(Options.CharMin);
            w.Write(Options.CharMax);
            w.Write(Options.MaxBodyChars);
            w.Write(Options.MaxCharNgramChars);
            w.Write(Options.SeparateTitle);
            w.Write(Options.Structural);
            w.Write(Options.SentimentCues);
            w.Write(Options.CueWeight);
            w.Write(Options.MinDocumentFrequency);
            w.Write(Labels.Count);
            foreach (var l in Labels)
            {
                w.Write(l);
            }

            var idfRows = Enumerable.Range(0, Idf.Length).Where(k => Idf[k] != 0).ToList();
            w.Write(idfRows.Count);
            var prev = 0;
            foreach (var k in idfRows)
            {
                w.Write7BitEncodedInt(k - prev);
                prev = k;
                w.Write((Half)Idf[k]);
            }

            var classes = Regression.Classes;
            var weightRows = Enumerable.Range(0, Regression.Dimension)
                .Where(k => Enumerable.Range(0, classes).Any(c => Regression.Weights[(k * classes) + c] != 0))
                .ToList();
            w.Write(weightRows.Count);
            prev = 0;
            foreach (var k in weightRows)
            {
                w.Write7BitEncodedInt(k - prev);
                prev = k;
                for (var c = 0; c < classes; c++)
                {
                    w.Write((Half)Regression.Weights[(k * classes) + c]);
                }
            }

            foreach (var b in Regression.Bias)
            {
                w.Write(b);
            }
        }

        return ms.ToArray();
    }

    public static TextClassifierModel Load(byte[] bytes) => Load(new MemoryStream(bytes));

    public static TextClassifierModel Load(Stream stream)
    {
        using var gz = new GZipStream(stream, CompressionMode.Decompress);
        using var r = new BinaryReader(gz, Encoding.UTF8);
        if (!r.ReadBytes(4).AsSpan().SequenceEqual(Magic) || r.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException("Not a GitMesh text classifier model (or an unsupported version).");
        }

        var options = new FeatureOptions
        {
            HashBits = r.ReadInt32(),
            WordBigrams = r.ReadBoolean(),
            CharMin = r.ReadInt32(),
            CharMax = r.ReadInt32(),
            MaxBodyChars = r.ReadInt32(),
            MaxCharNgramChars = r.ReadInt32(),
            SeparateTitle = r.ReadBoolean(),
            Structural = r.ReadBoolean(),
            SentimentCues = r.ReadBoolean(),
            CueWeight = r.ReadSingle(),
            MinDocumentFrequency = r.ReadInt32(),
        };
        var labels = new string[r.ReadInt32()];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = r.ReadString();
        }

        var dim = options.Dimension;
        var idf = new float[dim];
        var count = r.ReadInt32();
        var k = 0;
        for (var i = 0; i < count; i++)
        {
            k += r.Read7BitEncodedInt();
            idf[k] = (float)r.ReadHalf();
        }

        var classes = labels.Length;
        var weights = new float[dim * classes];
        count = r.ReadInt32();
        k = 0;
        for (var i = 0; i < count; i++)
        {
            k += r.Read7BitEncodedInt();
            for (var c = 0; c < classes; c++)
            {
                weights[(k * classes) + c] = (float)r.ReadHalf();
            }
        }

        var bias = new float[classes];
        for (var c = 0; c < classes; c++)
        {
            bias[c] = r.ReadSingle();
        }

        return new TextClassifierModel(options, labels, idf, new SoftmaxRegression(dim, classes, weights, bias));
    }
}
