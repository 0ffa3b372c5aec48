using System.Text.Json;

namespace ControlPlane.Algorithms.XGBoost;

/// <summary>What serving needs besides the trees: the objective, classes, feature count, starting margin and rounds kept.</summary>
internal sealed record XgboostModelMetadata(string Objective, int NumClass, int FeatureCount, double BaseMargin, int Rounds)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>A trained XGBoost model: LightGBM's raw scores plus the base margin, turned into XGBoost's predictions.</summary>
internal sealed class XgboostScoringModel : IScoringModel, IDisposable
{
    private readonly LightGbm.Booster _booster;
    private readonly XgboostModelMetadata _metadata;
    private readonly XgboostObjective _objective;

    private XgboostScoringModel(LightGbm.Booster booster, XgboostModelMetadata metadata)
    {
        _booster = booster;
        _metadata = metadata;
        _objective = XgboostObjective.Create(metadata.Objective, huberSlope: 1);
    }

    public int FeatureCount => _metadata.FeatureCount;

    public static XgboostScoringModel Load(string modelDirectory)
    {
        var metadataPath = Path.Combine(modelDirectory, XgboostAlgorithm.MetadataFile);
        var modelPath = Path.Combine(modelDirectory, XgboostAlgorithm.ModelFile);
        if (!File.Exists(metadataPath) || !File.Exists(modelPath))
        {
            throw new AlgorithmException($"{modelDirectory} holds no XGBoost model ({XgboostAlgorithm.ModelFile}, {XgboostAlgorithm.MetadataFile}).");
        }

        var metadata = JsonSerializer.Deserialize<XgboostModelMetadata>(File.ReadAllText(metadataPath), XgboostModelMetadata.JsonOptions)
            ?? throw new AlgorithmException($"{metadataPath} is empty.");
        return new XgboostScoringModel(LightGbm.Booster.Load(modelPath), metadata);
    }

    public IReadOnlyList<Prediction> Score(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var columns = FeatureCount;
        var matrix = new float[rows.Count * columns];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].AsSpan().CopyTo(matrix.AsSpan(i * columns, columns));
        }

        var classes = _metadata.NumClass;
        var raw = new double[rows.Count * classes];
        _booster.PredictRaw(matrix, rows.Count, columns, raw);
        var predictions = new Prediction[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var margins = raw.AsSpan(i * classes, classes);
            foreach (ref var margin in margins)
            {
                margin += _metadata.BaseMargin;
            }

            _objective.Transform(margins);
            predictions[i] = ToPrediction(margins);
        }

        return predictions;
    }

    private Prediction ToPrediction(ReadOnlySpan<double> output)
    {
        switch (_metadata.Objective)
        {
            case "multi:softprob":
                var probabilities = new float[output.Length];
                var best = 0;
                for (var k = 0; k < output.Length; k++)
                {
                    probabilities[k] = (float)output[k];
                    best = output[k] > output[best] ? k : best;
                }

                return new Prediction(probabilities[best], best, probabilities);
            case "multi:softmax":
                return new Prediction((float)output[0], (float)output[0], null);
            case "binary:logistic":
            case "binary:hinge":
                return new Prediction((float)output[0], output[0] > 0.5 ? 1 : 0, null);
            case "binary:logitraw":
                return new Prediction((float)output[0], output[0] > 0 ? 1 : 0, null);
            default:
                return new Prediction((float)output[0], null, null);
        }
    }

    public void Dispose() => _booster.Dispose();
}
