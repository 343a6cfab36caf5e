using System.Globalization;
using System.Text;

namespace GitMesh.Intelligence.Evaluation;

/// <summary>Per-class precision / recall / F1 and macro-F1 for a set of gold and predicted labels.</summary>
public sealed record ClassificationReport(IReadOnlyList<ClassMetrics> Classes, double MacroF1, double Accuracy, int Total)
{
    public static ClassificationReport Compute(IReadOnlyList<string> gold, IReadOnlyList<string> predicted, IEnumerable<string>? labels = null)
    {
        var classes = (labels ?? gold.Distinct()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var metrics = new List<ClassMetrics>();
        foreach (var label in classes)
        {
            int tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < gold.Count; i++)
            {
                var g = gold[i] == label;
                var p = predicted[i] == label;
                if (g && p) tp++;
                else if (p) fp++;
                else if (g) fn++;
            }

            var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
            var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            metrics.Add(new ClassMetrics(label, precision, recall, f1, tp + fn));
        }

        var scored = metrics.Where(m => m.Support > 0).ToList();
        var macro = scored.Count == 0 ? 0 : scored.Average(m => m.F1);
        var correct = gold.Where((g, i) => g == predicted[i]).Count();
        return new ClassificationReport(metrics, macro, gold.Count == 0 ? 0 : correct / (double)gold.Count, gold.Count);
    }

    public string ToTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"class",-18}{"precision",10}{"recall",10}{"f1",10}{"support",10}");
        foreach (var m in Classes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{m.Label,-18}{m.Precision,10:F3}{m.Recall,10:F3}{m.F1,10:F3}{m.Support,10}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"accuracy: {Accuracy:F3} (n={Total})");
        return sb.ToString();
    }
}

public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);
