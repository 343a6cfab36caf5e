namespace GitMesh.Intelligence.Text;

/// <summary>A sparse feature vector over a hashed feature space. Indices are unique but not sorted.</summary>
public sealed class SparseVector(int[] indices, float[] values)
{
    public static readonly SparseVector Empty = new([], []);

    public int[] Indices { get; } = indices;
    public float[] Values { get; } = values;
    public int Count => Indices.Length;

    public static SparseVector FromDictionary(Dictionary<int, float> map)
    {
        var idx = new int[map.Count];
        var val = new float[map.Count];
        var i = 0;
        foreach (var (k, v) in map.OrderBy(kv => kv.Key))
        {
            idx[i] = k;
            val[i] = v;
            i++;
        }

        return new SparseVector(idx, val);
    }

    /// <summary>Builds a vector in the dictionary's enumeration order (no sort): enough for dot products with dense weights.</summary>
    public static SparseVector FromDictionaryUnsorted(Dictionary<int, float> map)
    {
        var idx = new int[map.Count];
        var val = new float[map.Count];
        var i = 0;
        foreach (var (k, v) in map)
        {
            idx[i] = k;
            val[i] = v;
            i++;
        }

        return new SparseVector(idx, val);
    }

    public float Norm()
    {
        double s = 0;
        foreach (var v in Values)
        {
            s += v * v;
        }

        return (float)Math.Sqrt(s);
    }

    /// <summary>Dot product of two vectors whose indices are sorted ascending (as built by <see cref="FromDictionary"/>).</summary>
    public static float DotSorted(SparseVector a, SparseVector b)
    {
        double s = 0;
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            var ai = a.Indices[i];
            var bj = b.Indices[j];
            if (ai == bj)
            {
                s += a.Values[i++] * b.Values[j++];
            }
            else if (ai < bj)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (float)s;
    }
}
