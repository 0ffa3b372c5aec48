using ControlPlane.Algorithms.LinearLearner;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ControlPlane.Algorithms.Tests.LinearLearner;

/// <summary>A generated row; <see cref="Weight"/> only becomes a column when a data set asks for weights.</summary>
internal sealed record GeneratedRow(float Label, float[] Features, float Weight = 1);

/// <summary>Generated channels plus a temp model directory; trains Linear Learner and reads back what it wrote.</summary>
internal sealed class LinearLearnerHarness : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);

    public string ModelDirectory { get; } = Path.Combine(Path.GetTempPath(), "ll-tests-" + Guid.NewGuid().ToString("N"));

    public StringWriter Log { get; } = new();

    public LinearLearnerAlgorithm Algorithm { get; } = new();

    public IDataView View(IReadOnlyList<GeneratedRow> rows, int featureCount, bool withWeights = false)
    {
        if (withWeights)
        {
            var weighted = SchemaDefinition.Create(typeof(WeightedRow));
            weighted[nameof(WeightedRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
            return _ml.Data.LoadFromEnumerable(rows.Select(r => new WeightedRow { Label = r.Label, Features = r.Features, Weight = r.Weight }), weighted);
        }
        var plain = SchemaDefinition.Create(typeof(PlainRow));
        plain[nameof(PlainRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return _ml.Data.LoadFromEnumerable(rows.Select(r => new PlainRow { Label = r.Label, Features = r.Features }), plain);
    }

    public void Train(IReadOnlyDictionary<string, string> hyperparameters, IReadOnlyList<GeneratedRow> train,
        IReadOnlyList<GeneratedRow>? validation = null, IReadOnlyList<GeneratedRow>? test = null, bool withWeights = false,
        TextWriter? log = null, CancellationToken cancellation = default)
    {
        var featureCount = train[0].Features.Length;
        var data = new TrainingData(View(train, featureCount, withWeights), validation is null ? null : View(validation, featureCount, withWeights),
            test is null ? null : View(test, featureCount, withWeights), featureCount, withWeights);
        Algorithm.Train(new TrainingRun(_ml, new Hyperparameters(hyperparameters), data, ModelDirectory, "algo-1", log ?? Log, cancellation));
    }

    public IScoringModel Load() => Algorithm.Load(ModelDirectory);

    public LinearModelHeader Header => LinearModel.Load(ModelDirectory).Header;

    public IReadOnlyList<Prediction> Score(IReadOnlyList<GeneratedRow> rows) => Load().Score(rows.Select(r => r.Features).ToList());

    /// <summary>The value of the last <c>#quality_metric</c> line for <paramref name="channelAndName"/> (e.g. "test recall").</summary>
    public double FinalMetric(string channelAndName)
    {
        var line = Log.ToString().Split('\n').Last(l => l.Contains($", {channelAndName} <", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf('=') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Per-epoch <c>#quality_metric</c> lines of a channel.</summary>
    public int EpochLines(string channel) =>
        Log.ToString().Split('\n').Count(l => l.Contains(", epoch=", StringComparison.Ordinal) && l.Contains($", {channel} ", StringComparison.Ordinal));

    public int LinesContaining(string text) => Log.ToString().Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    public void Dispose()
    {
        if (Directory.Exists(ModelDirectory)) Directory.Delete(ModelDirectory, recursive: true);
    }

    private sealed class PlainRow
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    private sealed class WeightedRow
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
        public float Weight { get; set; }
    }
}

/// <summary>Deterministic data sets: features on different scales and offsets, so standardisation matters.</summary>
internal static class GeneratedData
{
    public const int FeatureCount = 10;

    private static float[] Features(Random random, int count = FeatureCount)
    {
        var x = new float[count];
        for (var j = 0; j < count; j++) x[j] = (float)(Gaussian(random) * (j + 1) + 3 * j);
        return x;
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double[] TrueWeights(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, FeatureCount).Select(j => (random.NextDouble() * 2 - 1) / (j + 1)).ToArray();
    }

    private static double Linear(double[] w, float[] x)
    {
        double z = 0;
        for (var j = 0; j < x.Length; j++) z += w[j] * (x[j] - 3 * j);
        return z;
    }

    /// <summary>Label 1 when a fixed linear function of the features, plus noise of <paramref name="noise"/> standard deviations, is positive.</summary>
    public static List<GeneratedRow> Binary(int rows, int seed, double noise = 0, double positiveShift = 0)
    {
        var w = TrueWeights(17);
        var random = new Random(seed);
        var scale = Math.Sqrt(w.Select((v, j) => v * v * (j + 1) * (j + 1)).Sum());
        return Enumerable.Range(0, rows).Select(_ =>
        {
            var x = Features(random);
            var z = Linear(w, x) / scale + noise * Gaussian(random) - positiveShift;
            return new GeneratedRow(z > 0 ? 1 : 0, x);
        }).ToList();
    }

    /// <summary>Gaussian clusters around well separated centres, one per class.</summary>
    public static List<GeneratedRow> Multiclass(int rows, int classes, int seed)
    {
        var centres = new Random(5);
        var centre = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, FeatureCount).Select(_ => centres.NextDouble() * 8 - 4).ToArray()).ToArray();
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(i =>
        {
            var c = i % classes;
            var x = Enumerable.Range(0, FeatureCount).Select(j => (float)(centre[c][j] + Gaussian(random))).ToArray();
            return new GeneratedRow(c, x);
        }).ToList();
    }

    /// <summary>y = 1000 + 50 · (a fixed linear function) + Gaussian noise of standard deviation <paramref name="noise"/> · 50.</summary>
    public static List<GeneratedRow> Regression(int rows, int seed, double noise = 0.1)
    {
        var w = TrueWeights(23);
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            var x = Features(random);
            return new GeneratedRow((float)(1000 + 50 * (Linear(w, x) + noise * Gaussian(random))), x);
        }).ToList();
    }

    public static double Accuracy(IReadOnlyList<GeneratedRow> rows, IReadOnlyList<Prediction> predictions) =>
        rows.Zip(predictions).Count(p => p.First.Label == p.Second.PredictedLabel) / (double)rows.Count;

    public static double RSquared(IReadOnlyList<GeneratedRow> rows, IReadOnlyList<Prediction> predictions)
    {
        var mean = rows.Average(r => r.Label);
        var residual = rows.Zip(predictions).Sum(p => Math.Pow(p.First.Label - p.Second.Score, 2));
        var total = rows.Sum(r => Math.Pow(r.Label - mean, 2));
        return 1 - residual / total;
    }

    public static (double Precision, double Recall) PrecisionRecall(IReadOnlyList<GeneratedRow> rows, IReadOnlyList<Prediction> predictions)
    {
        var pairs = rows.Zip(predictions).ToList();
        double truePositive = pairs.Count(p => p.First.Label == 1 && p.Second.PredictedLabel == 1);
        double predictedPositive = pairs.Count(p => p.Second.PredictedLabel == 1);
        double positive = pairs.Count(p => p.First.Label == 1);
        return (predictedPositive == 0 ? 0 : truePositive / predictedPositive, truePositive / positive);
    }
}
