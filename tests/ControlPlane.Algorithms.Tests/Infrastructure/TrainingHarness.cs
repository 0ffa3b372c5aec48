using ControlPlane.Algorithms.Data;
using Microsoft.ML;

namespace ControlPlane.Algorithms.Tests.Infrastructure;

/// <summary>Trains an algorithm in-process on CSV channels written to a temp directory, capturing its log.</summary>
internal sealed class TrainingHarness : IDisposable
{
    private readonly TempDirectory _directory = new();

    public string ModelDirectory => Path.Combine(_directory.Path, "model");

    public StringWriter Log { get; } = new();

    public IScoringModel Train(IBuiltInAlgorithm algorithm, Dictionary<string, string> hyperparameters, Datasets.Table train, Datasets.Table? validation = null, CancellationToken cancellation = default)
    {
        var trainSource = Channel("train", train);
        var validationSource = validation is null ? null : Channel("validation", validation);
        var data = ChannelLoader.Load(trainSource, validationSource, null);
        Directory.CreateDirectory(ModelDirectory);
        algorithm.Train(new TrainingRun(new MLContext(seed: 0), new Hyperparameters(hyperparameters), data, ModelDirectory, "algo-1", Log, cancellation));
        return algorithm.Load(ModelDirectory);
    }

    private FileChannelSource Channel(string name, Datasets.Table table)
    {
        _directory.File($"{name}/data.csv", table.ToCsv());
        return new FileChannelSource(name, Path.Combine(_directory.Path, name), DataFormat.Csv, RecordLayout.Training);
    }

    /// <summary>The per-round metric lines (not the best round repeated after "Stopping.").</summary>
    public string[] MetricLines() => Log.ToString().Split('\n').TakeWhile(line => !line.StartsWith("Stopping.", StringComparison.Ordinal)).Where(line => line.StartsWith('[')).ToArray();

    public void Dispose()
    {
        Log.Dispose();
        _directory.Dispose();
    }
}
