using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Models;

/// <summary>Hyperparameters of <see cref="SoftmaxRegression.Train"/>.</summary>
/// <param name="L2">Ridge penalty on weights (not on the intercepts), relative to the mean loss.</param>
/// <param name="BalanceClasses">Weight examples inversely to class frequency so macro-F1, not accuracy, is optimised.</param>
public sealed record SoftmaxTrainingOptions(double L2 = 1e-4, int MaxIterations = 150, bool BalanceClasses = true);

/// <summary>
/// Multinomial logistic regression over sparse hashed features. Weights are stored densely per hashed index
/// (dimension × classes) so prediction is a handful of array reads per feature; untouched rows are zero.
/// </summary>
public sealed class SoftmaxRegression
{
    public SoftmaxRegression(int dimension, int classes, float[] weights, float[] bias)
    {
        if (weights.Length != dimension * classes || bias.Length != classes)
        {
            throw new ArgumentException("Weight shape does not match dimension × classes.");
        }

        Dimension = dimension;
        Classes = classes;
        Weights = weights;
        Bias = bias;
    }

    public int Dimension { get; }
    public int Classes { get; }

    /// <summary>Row-major: weight of feature j for class c is at j * Classes + c.</summary>
    public float[] Weights { get; }

    public float[] Bias { get; }

    public float[] Scores(SparseVector x)
    {
        var scores = (float[])Bias.Clone();
        for (var k = 0; k < x.Count; k++)
        {
            var row = x.Indices[k] * Classes;
            var v = x.Values[k];
            for (var c = 0; c < Classes; c++)
            {
                scores[c] += Weights[row + c] * v;
            }
        }

        return scores;
    }

    /// <summary><see cref="Scores(SparseVector)"/> over parallel index/value spans, into <paramref name="scores"/> (length <see cref="Classes"/>).</summary>
    public void Scores(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> scores)
    {
        if (indices.Length != values.Length || scores.Length != Classes)
        {
            throw new ArgumentException("Indices and values must have the same length, scores one entry per class.");
        }

        Bias.CopyTo(scores);
        var weights = Weights;
        for (var k = 0; k < indices.Length; k++)
        {
            var row = weights.AsSpan(indices[k] * Classes, Classes);
            var v = values[k];
            for (var c = 0; c < row.Length; c++)
            {
                scores[c] += row[c] * v;
            }
        }
    }

    public float[] PredictProbabilities(SparseVector x) => Softmax(Scores(x));

    public static float[] Softmax(float[] scores)
    {
        var p = new float[scores.Length];
        Softmax(scores, p);
        return p;
    }

    /// <summary>Softmax of <paramref name="scores"/> into <paramref name="p"/> (may be the same span).</summary>
    public static void Softmax(ReadOnlySpan<float> scores, Span<float> p)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }

        float sum = 0;
        for (var c = 0; c < scores.Length; c++)
        {
            p[c] = MathF.Exp(scores[c] - max);
            sum += p[c];
        }

        for (var c = 0; c < scores.Length; c++)
        {
            p[c] /= sum;
        }
    }

    /// <summary>Deterministic full-batch training (L-BFGS). Features are remapped to the ones present in the data, so memory is O(distinct features), not O(2^bits).</summary>
    public static SoftmaxRegression Train(IReadOnlyList<SparseVector> xs, IReadOnlyList<int> ys, int classes, int dimension, SoftmaxTrainingOptions options)
    {
        var local = new Dictionary<int, int>();
        var rows = new (int[] Idx, float[] Val)[xs.Count];
        for (var i = 0; i < xs.Count; i++)
        {
            var x = xs[i];
            var idx = new int[x.Count];
            for (var k = 0; k < x.Count; k++)
            {
                if (!local.TryGetValue(x.Indices[k], out var id))
                {
                    id = local.Count;
                    local[x.Indices[k]] = id;
                }

                idx[k] = id;
            }

            rows[i] = (idx, x.Values);
        }

        var features = local.Count;
        var sampleWeights = new double[xs.Count];
        var classCounts = new int[classes];
        foreach (var y in ys)
        {
            classCounts[y]++;
        }

        for (var i = 0; i < xs.Count; i++)
        {
            sampleWeights[i] = options.BalanceClasses ? xs.Count / (double)(classes * Math.Max(1, classCounts[ys[i]])) : 1.0;
        }

        var totalWeight = sampleWeights.Sum();
        var paramCount = (features * classes) + classes;
        var scores = new double[classes];

        double Evaluate(double[] w, double[] grad)
        {
            Array.Clear(grad);
            double loss = 0;
            var biasOffset = features * classes;
            for (var i = 0; i < rows.Length; i++)
            {
                var (idx, val) = rows[i];
                for (var c = 0; c < classes; c++)
                {
                    scores[c] = w[biasOffset + c];
                }

                for (var k = 0; k < idx.Length; k++)
                {
                    var row = idx[k] * classes;
                    for (var c = 0; c < classes; c++)
                    {
                        scores[c] += w[row + c] * val[k];
                    }
                }

                var max = scores.Max();
                double sum = 0;
                for (var c = 0; c < classes; c++)
                {
                    scores[c] = Math.Exp(scores[c] - max);
                    sum += scores[c];
                }

                var sw = sampleWeights[i] / totalWeight;
                loss -= sw * Math.Log(Math.Max(1e-300, scores[ys[i]] / sum));
                for (var c = 0; c < classes; c++)
                {
                    var err = sw * ((scores[c] / sum) - (c == ys[i] ? 1 : 0));
                    grad[biasOffset + c] += err;
                    for (var k = 0; k < idx.Length; k++)
                    {
                        grad[(idx[k] * classes) + c] += err * val[k];
                    }
                }
            }

            for (var j = 0; j < biasOffset; j++)
            {
                loss += 0.5 * options.L2 * w[j] * w[j];
                grad[j] += options.L2 * w[j];
            }

            return loss;
        }

        var solution = Lbfgs.Minimize(Evaluate, new double[paramCount], options.MaxIterations);
        var weights = new float[dimension * classes];
        foreach (var (hashed, id) in local)
        {
            for (var c = 0; c < classes; c++)
            {
                weights[(hashed * classes) + c] = (float)solution[(id * classes) + c];
            }
        }

        var bias = new float[classes];
        for (var c = 0; c < classes; c++)
        {
            bias[c] = (float)solution[(features * classes) + c];
        }

        return new SoftmaxRegression(dimension, classes, weights, bias);
    }
}
