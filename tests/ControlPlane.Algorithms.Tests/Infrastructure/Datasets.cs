using System.Globalization;
using System.Text;

namespace ControlPlane.Algorithms.Tests.Infrastructure;

/// <summary>Labelled data the tests generate with known structure, so the achievable quality is known.</summary>
internal static class Datasets
{
    public sealed record Table(float[] Labels, float[][] Rows)
    {
        public string ToCsv()
        {
            var text = new StringBuilder();
            for (var i = 0; i < Labels.Length; i++)
            {
                text.Append(Labels[i].ToString(CultureInfo.InvariantCulture));
                foreach (var value in Rows[i])
                {
                    text.Append(',').Append(value.ToString(CultureInfo.InvariantCulture));
                }

                text.Append('\n');
            }

            return text.ToString();
        }

        public string ToLibSvm()
        {
            var text = new StringBuilder();
            for (var i = 0; i < Labels.Length; i++)
            {
                text.Append(Labels[i].ToString(CultureInfo.InvariantCulture));
                for (var j = 0; j < Rows[i].Length; j++)
                {
                    if (Rows[i][j] != 0)
                    {
                        text.Append(CultureInfo.InvariantCulture, $" {j}:{Rows[i][j]}");
                    }
                }

                text.Append('\n');
            }

            return text.ToString();
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static float[][] Features(Random random, int rows, int columns) =>
        Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns).Select(_ => (float)Gaussian(random)).ToArray()).ToArray();

    /// <summary>P(y=1) = sigmoid(2·(x0 + x1·x2 − x3)): a non-linear boundary trees learn; Bayes AUC ≈ 0.88.</summary>
    public static Table Binary(int rows, int seed, int columns = 8)
    {
        var random = new Random(seed);
        var x = Features(random, rows, columns);
        var labels = x.Select(r => random.NextDouble() < 1 / (1 + Math.Exp(-2 * (r[0] + (r[1] * r[2]) - r[3]))) ? 1f : 0f).ToArray();
        return new Table(labels, x);
    }

    /// <summary>Three well-separated Gaussian classes along x0/x1 with noise features.</summary>
    public static Table Multiclass(int rows, int seed, int columns = 6)
    {
        var random = new Random(seed);
        var x = Features(random, rows, columns);
        var labels = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            var label = random.Next(3);
            labels[i] = label;
            x[i][0] += label switch { 0 => -3, 1 => 3, _ => 0 };
            x[i][1] += label == 2 ? 3 : -1;
        }

        return new Table(labels, x);
    }

    /// <summary>y = 3·x0 + sin(2·x1) + x2² + N(0, 0.1²): noise RMSE 0.1, label standard deviation about 3.5.</summary>
    public static Table Regression(int rows, int seed, int columns = 5)
    {
        var random = new Random(seed);
        var x = Features(random, rows, columns);
        var labels = x.Select(r => (float)((3 * r[0]) + Math.Sin(2 * r[1]) + (r[2] * r[2]) + (0.1 * Gaussian(random)))).ToArray();
        return new Table(labels, x);
    }

    /// <summary>Counts with log-rate 0.5·x0 + 0.3·x1.</summary>
    public static Table Counts(int rows, int seed, int columns = 4)
    {
        var random = new Random(seed);
        var x = Features(random, rows, columns);
        var labels = x.Select(r => (float)Poisson(random, Math.Exp((0.5 * r[0]) + (0.3 * r[1])))).ToArray();
        return new Table(labels, x);
    }

    private static int Poisson(Random random, double rate)
    {
        var limit = Math.Exp(-rate);
        var count = 0;
        var product = random.NextDouble();
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }

    public static double Auc(float[] labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Length).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (var rank = 0; rank < order.Length; rank++)
        {
            if (labels[order[rank]] == 1)
            {
                rankSum += rank + 1;
            }
        }

        var positives = labels.Count(l => l == 1);
        var negatives = labels.Length - positives;
        return (rankSum - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }
}
