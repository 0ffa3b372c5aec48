using ControlPlane.Algorithms.Data;
using ControlPlane.Algorithms.XGBoost;

namespace ControlPlane.Algorithms;

/// <summary>
/// The built-in algorithms this program runs and how each reads training data. The orchestration names the algorithm
/// in <see cref="AlgorithmVariable"/> (from the image the job asked for); a trained model names it in its manifest.
/// </summary>
internal static class AlgorithmCatalog
{
    public const string AlgorithmVariable = "CONTROLPLANE_ALGORITHM";
    public const string LinearLearner = "linear-learner";

    /// <param name="Create">A new instance of the algorithm.</param>
    /// <param name="DefaultContentType">The training ContentType when a channel gives none (SageMaker's default).</param>
    /// <param name="TrainingFormats">The training content types the algorithm reads.</param>
    internal sealed record Entry(Func<IBuiltInAlgorithm> Create, string DefaultContentType, IReadOnlyList<DataFormat> TrainingFormats);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal)
    {
        [XgboostAlgorithm.AlgorithmName] = new(() => new XgboostAlgorithm(), DataFormats.LibSvm, [DataFormat.Csv, DataFormat.LibSvm, DataFormat.RecordIoProtobuf]),
        [LinearLearner] = new(() => new LinearLearner.LinearLearnerAlgorithm(), DataFormats.RecordIoProtobuf, [DataFormat.Csv, DataFormat.RecordIoProtobuf]),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static Entry Find(string name) =>
        Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new InvalidOperationException($"Algorithm '{name}' is not available in this build (available: {string.Join(", ", Entries.Keys)}).");
}
