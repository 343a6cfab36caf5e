namespace GitMesh.Intelligence.Models;

/// <summary>
/// Limited-memory BFGS with a backtracking Armijo line search. Full-batch and single-threaded on purpose:
/// the same data gives bit-identical weights on every machine, which SGD with shuffling only approximates.
/// </summary>
internal static class Lbfgs
{
    /// <param name="evaluate">Writes the gradient into the second argument and returns the objective.</param>
    public static double[] Minimize(Func<double[], double[], double> evaluate, double[] x0, int maxIterations, int memory = 8, double tolerance = 1e-6)
    {
        var n = x0.Length;
        var x = (double[])x0.Clone();
        var g = new double[n];
        var f = evaluate(x, g);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var alpha = new double[memory];

        for (var iter = 0; iter < maxIterations; iter++)
        {
            // Two-loop recursion: d = -H g.
            Array.Copy(g, d, n);
            for (var i = s.Count - 1; i >= 0; i--)
            {
                alpha[i] = rho[i] * Dot(s[i], d);
                Axpy(-alpha[i], y[i], d);
            }

            if (s.Count > 0)
            {
                var last = s.Count - 1;
                var gamma = Dot(s[last], y[last]) / Dot(y[last], y[last]);
                Scale(d, gamma);
            }

            for (var i = 0; i < s.Count; i++)
            {
                var beta = rho[i] * Dot(y[i], d);
                Axpy(alpha[i] - beta, s[i], d);
            }

            Scale(d, -1);
            var slope = Dot(g, d);
            if (slope >= 0)
            {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                s.Clear();
                y.Clear();
                rho.Clear();
                Array.Copy(g, d, n);
                Scale(d, -1);
                slope = Dot(g, d);
            }

            var step = iter == 0 ? 1.0 / Math.Max(1e-12, Math.Sqrt(Dot(g, g))) : 1.0;
            double fNew;
            var tries = 0;
            while (true)
            {
                for (var i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + (step * d[i]);
                }

                fNew = evaluate(xNew, gNew);
                if (fNew <= f + (1e-4 * step * slope) || ++tries > 30)
                {
                    break;
                }

                step *= 0.5;
            }

            var sk = new double[n];
            var yk = new double[n];
            for (var i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            var sy = Dot(sk, yk);
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            var improvement = f - fNew;
            f = fNew;
            if (sy > 1e-12)
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                    rho.RemoveAt(0);
                }

                s.Add(sk);
                y.Add(yk);
                rho.Add(1 / sy);
            }

            if (Math.Abs(improvement) < tolerance * Math.Max(1, Math.Abs(f)))
            {
                break;
            }
        }

        return x;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static void Scale(double[] x, double a)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] *= a;
        }
    }
}
