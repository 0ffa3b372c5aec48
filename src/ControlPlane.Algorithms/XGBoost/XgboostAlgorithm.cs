using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Algorithms.XGBoost;

/// <summary>
/// SageMaker's XGBoost algorithm (contract 7.3) on LightGBM's gradient boosting: per-round metrics in XGBoost's log
/// format for train and validation, early stopping on the last metric of the validation set, and a model holding the
/// best iteration's trees.
/// </summary>
internal sealed class XgboostAlgorithm : IBuiltInAlgorithm
{
    public const string AlgorithmName = "xgboost";
    public const string ModelFile = "xgboost-model.lightgbm";
    public const string MetadataFile = "xgboost-model.json";

    public string Name => AlgorithmName;

    public void Train(TrainingRun run)
    {
        var settings = XgboostSettings.Parse(run.Hyperparameters);
        if (run.Data.Test is not null)
        {
            throw new AlgorithmException("XGBoost has no 'test' channel; its channels are train and validation.");
        }

        var stopwatch = Stopwatch.StartNew();
        var train = LoadedMatrix.Read(run.Data.Train, run.Data.FeatureCount, run.Data.HasWeights, "train", run.Cancellation);
        var validation = run.Data.Validation is { } v ? LoadedMatrix.Read(v, run.Data.FeatureCount, run.Data.HasWeights, "validation", run.Cancellation) : null;
        if (settings.EarlyStoppingRounds is not null && validation is null)
        {
            throw new AlgorithmException("Hyperparameter 'early_stopping_rounds' needs a validation channel.");
        }

        var softLabels = CheckLabels(settings, train, "train") | (validation is not null && CheckLabels(settings, validation, "validation"));
        var lightGbmObjective = settings.Objective.LightGbmObjective(softLabels);
        if (softLabels && settings.ScalePosWeight != 1)
        {
            throw new AlgorithmException("Hyperparameter 'scale_pos_weight' needs labels that are 0 or 1; the data has labels between them.");
        }

        run.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO: loaded train {train.Rows}x{train.Columns}{(validation is null ? string.Empty : $", validation {validation.Rows}x{validation.Columns}")} in {stopwatch.Elapsed.TotalSeconds:F2} s"));

        var baseMargin = settings.BaseScore is { } baseScore ? settings.Objective.Margin(baseScore)
            : lightGbmObjective is null ? settings.Objective.Margin(0.5) : (double?)null;
        stopwatch.Restart();
        using var trainSet = Bin(train, settings, baseMargin, reference: null);
        using var validationSet = validation is null ? null : Bin(validation, settings, baseMargin, trainSet);
        using var booster = LightGbm.Booster.Create(trainSet, $"{settings.BoosterParameters} objective={lightGbmObjective ?? "none"}");
        if (validationSet is not null)
        {
            booster.AddValidation(validationSet);
        }

        var best = Boost(run, settings, booster, train, validation);
        run.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO: trained {best.Rounds} rounds in {stopwatch.Elapsed.TotalSeconds:F2} s"));

        booster.Save(Path.Combine(run.ModelDirectory, ModelFile), best.Iteration + 1);
        var metadata = new XgboostModelMetadata(settings.Objective.Name, settings.NumClass, run.Data.FeatureCount, baseMargin ?? 0, best.Iteration + 1);
        File.WriteAllText(Path.Combine(run.ModelDirectory, MetadataFile), JsonSerializer.Serialize(metadata, XgboostModelMetadata.JsonOptions));
    }

    public IScoringModel Load(string modelDirectory) => XgboostScoringModel.Load(modelDirectory);

    /// <summary>Checks every label against the objective; true when binary labels include values strictly between 0 and 1.</summary>
    private static bool CheckLabels(XgboostSettings settings, LoadedMatrix matrix, string channel)
    {
        var soft = false;
        for (var i = 0; i < matrix.Labels.Length; i++)
        {
            var label = matrix.Labels[i];
            if (settings.Objective.CheckLabel(label, settings.NumClass) is { } problem)
            {
                throw new AlgorithmException($"Channel '{channel}' row {i + 1}: {problem}.");
            }

            soft |= settings.Objective.IsBinary && label is > 0 and < 1;
        }

        return soft;
    }

    private static LightGbm.Dataset Bin(LoadedMatrix matrix, XgboostSettings settings, double? baseMargin, LightGbm.Dataset? reference)
    {
        var dataset = LightGbm.Dataset.FromMatrix(matrix.TakeRows(), matrix.Rows, matrix.Columns, settings.DatasetParameters, reference);
        dataset.SetFloats("label", matrix.Labels);
        if (matrix.Weights is not null)
        {
            dataset.SetFloats("weight", matrix.Weights);
        }

        if (baseMargin is { } margin)
        {
            dataset.SetDoubles("init_score", Enumerable.Repeat(margin, matrix.Rows * settings.NumClass).ToArray());
        }

        return dataset;
    }

    private sealed record BoostResult(int Iteration, int Rounds);

    /// <summary>Runs the rounds, logging each one's metrics; stops early when the validation metric stops improving.</summary>
    private static BoostResult Boost(TrainingRun run, XgboostSettings settings, LightGbm.Booster booster, LoadedMatrix train, LoadedMatrix? validation)
    {
        var custom = settings.Objective.LightGbmObjective(softLabels: false) is null;
        var trainPredictions = new double[train.Rows * settings.NumClass];
        var validationPredictions = validation is null ? null : new double[validation.Rows * settings.NumClass];
        var gradients = custom ? new float[train.Rows] : null;
        var hessians = custom ? new float[train.Rows] : null;
        var stopping = settings.Metrics[^1];
        var bestScore = double.NaN;
        var bestIteration = 0;
        var bestLine = string.Empty;
        var line = new StringBuilder();
        for (var round = 0; round < settings.NumRound; round++)
        {
            run.Cancellation.ThrowIfCancellationRequested();
            if (custom)
            {
                booster.GetPredictions(0, trainPredictions);
                settings.Objective.Gradients(trainPredictions, train.Labels, train.Weights, gradients!, hessians!);
                booster.Update(gradients!, hessians!);
            }
            else
            {
                booster.Update();
            }

            line.Clear().Append(CultureInfo.InvariantCulture, $"[{round}]");
            Evaluate(settings, booster, 0, train, trainPredictions, "train", line);
            double score = double.NaN;
            if (validation is not null)
            {
                score = Evaluate(settings, booster, 1, validation, validationPredictions!, "validation", line);
            }

            run.Log.WriteLine(line.ToString());
            if (settings.EarlyStoppingRounds is not { } patience)
            {
                bestIteration = round;
                continue;
            }

            if (double.IsNaN(bestScore) || (stopping.HigherIsBetter ? score > bestScore : score < bestScore))
            {
                (bestScore, bestIteration, bestLine) = (score, round, line.ToString());
            }
            else if (round - bestIteration >= patience)
            {
                run.Log.WriteLine($"Stopping. Best iteration:\n{bestLine}");
                return new BoostResult(bestIteration, round + 1);
            }
        }

        return new BoostResult(bestIteration, settings.NumRound);
    }

    /// <summary>Appends <c>\t&lt;set&gt;-&lt;metric&gt;:&lt;value&gt;</c> for each metric; returns the last one's value.</summary>
    private static double Evaluate(XgboostSettings settings, LightGbm.Booster booster, int dataIndex, LoadedMatrix matrix, double[] predictions, string set, StringBuilder line)
    {
        booster.GetPredictions(dataIndex, predictions);
        if (settings.Objective.LightGbmObjective(softLabels: false) is null)
        {
            // A custom objective's predictions are raw margins.
            for (var i = 0; i < matrix.Rows; i++)
            {
                settings.Objective.Transform(predictions.AsSpan(i, 1));
            }
        }

        var data = new EvalData(matrix.Labels, matrix.Weights, predictions, settings.NumClass);
        var value = double.NaN;
        foreach (var metric in settings.Metrics)
        {
            value = metric.Evaluate(data);
            line.Append('\t').Append(set).Append('-').Append(metric.Name).Append(':').Append(metric.Format(value));
        }

        return value;
    }
}
