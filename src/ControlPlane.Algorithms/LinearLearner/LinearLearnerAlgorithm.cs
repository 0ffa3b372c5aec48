using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>
/// SageMaker's Linear Learner (contract §7.2): num_models linear models trained together by mini-batch gradient
/// descent over one streamed pass of the train channel per epoch, the best chosen on validation (else train) by the
/// selection criterion, with its decision threshold, and saved as a <see cref="LinearModel"/>.
/// <para>
/// Lines written to <see cref="TrainingRun.Log"/>, in the format of SageMaker's Linear Learner so that its built-in
/// metric definitions match them (H = the host, E = the epoch from 0, V = a number in invariant culture, B = f_beta
/// with three decimals, K = accuracy_top_k, OBJ = the loss's objective name:
/// binary_classification_cross_entropy_objective, binary_classification_hinge_loss_objective,
/// multiclass_cross_entropy_objective, square_loss_objective, absolute_loss_objective,
/// eps_insensitive_squared_loss_objective, eps_insensitive_absolute_loss_objective, quantile_loss_objective,
/// huber_loss_objective):
/// </para>
/// <code>
/// every epoch:   #quality_metric: host=H, epoch=E, train OBJ &lt;loss&gt;=V          (lowest running mean loss of the models)
///                #quality_metric: host=H, epoch=E, validation OBJ &lt;loss&gt;=V     (with a validation channel; lowest of the models)
///                #throughput_metric: host=H, train throughput=V records/second
///                #progress_metric: host=H, completed V %
/// at the end, the chosen model, for C = train, then validation and test when present:
///                #quality_metric: host=H, C OBJ &lt;loss&gt;=V
///   binary:      #quality_metric: host=H, C binary_classification_accuracy &lt;score&gt;=V
///                #quality_metric: host=H, C binary_f_B &lt;score&gt;=V
///                #quality_metric: host=H, C precision &lt;score&gt;=V
///                #quality_metric: host=H, C recall &lt;score&gt;=V
///   multiclass:  #quality_metric: host=H, C multiclass_accuracy &lt;score&gt;=V
///                #quality_metric: host=H, C multiclass_top_k_accuracy_K &lt;score&gt;=V
///                #quality_metric: host=H, C dcg &lt;score&gt;=V
///                #quality_metric: host=H, C macro_recall &lt;score&gt;=V
///                #quality_metric: host=H, C macro_precision &lt;score&gt;=V
///                #quality_metric: host=H, C macro_f_B &lt;score&gt;=V
///   regressor:   #quality_metric: host=H, C mse &lt;loss&gt;=V
///                #quality_metric: host=H, C absolute_loss &lt;loss&gt;=V
/// </code>
/// SageMaker's definitions (C = train, validation or test): <c>C:objective_loss</c> per epoch
/// <c>#quality_metric: host=\S+, epoch=\S+, C \S+_objective &lt;loss&gt;=(\S+)</c> (train, validation);
/// <c>C:objective_loss:final</c> and <c>test:objective_loss</c> <c>#quality_metric: host=\S+, C \S+_objective &lt;loss&gt;=(\S+)</c>;
/// <c>C:binary_f_beta</c> <c>#quality_metric: host=\S+, C binary_f_\S+ &lt;score&gt;=(\S+)</c>; <c>C:macro_f_beta</c>
/// <c>#quality_metric: host=\S+, C macro_f_\S+ &lt;score&gt;=(\S+)</c>; <c>C:multiclass_top_k_accuracy</c>
/// <c>#quality_metric: host=\S+, C multiclass_top_k_accuracy_\S+ &lt;score&gt;=(\S+)</c>; every other metric M
/// <c>#quality_metric: host=\S+, C M &lt;score&gt;=(\S+)</c> (or <c>&lt;loss&gt;</c> for mse and absolute_loss);
/// <c>train:throughput</c> <c>#throughput_metric: host=\S+, train throughput=(\S+) records/second</c>;
/// <c>train:progress</c> <c>#progress_metric: host=\S+, completed (\S+) %</c>.
/// Other lines (no <c>#</c> prefix) say what was chosen, what diverged and why training stopped.
/// </summary>
internal sealed class LinearLearnerAlgorithm : IBuiltInAlgorithm
{
    /// <summary>Floats one mini-batch may hold (1 GiB); larger would need sparse batches, which this implementation lacks.</summary>
    private const long MaxBatchValues = 1L << 28;

    /// <summary>Floats all models' parameters and optimizer state may hold (2 GiB).</summary>
    private const long MaxParameterValues = 1L << 29;

    public string Name => "linear-learner";

    public IScoringModel Load(string modelDirectory) => LinearModel.Load(modelDirectory);

    public void Train(TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var settings = LinearLearnerSettings.Parse(run.Hyperparameters);
        new Training(run, settings).Run();
    }

    private sealed class Training
    {
        private readonly TrainingRun _run;
        private readonly LinearLearnerSettings _settings;
        private readonly int _featureCount;
        private readonly MiniBatchReader _reader;
        private readonly ParallelOptions _parallel;

        public Training(TrainingRun run, LinearLearnerSettings settings)
        {
            _run = run;
            _settings = settings;
            _featureCount = run.Data.FeatureCount;
            if (settings.FeatureDim is { } dim && dim != _featureCount)
            {
                throw new AlgorithmException($"Hyperparameter 'feature_dim' is {dim} but the training data has {_featureCount} features.");
            }
            if ((long)settings.MiniBatchSize * _featureCount > MaxBatchValues)
            {
                throw new AlgorithmException($"mini_batch_size {settings.MiniBatchSize} × {_featureCount} features exceeds {MaxBatchValues} values per mini-batch; lower mini_batch_size.");
            }
            // Weights, gradient and up to two optimizer moments plus scratch per model.
            if (5L * settings.ModelCount * settings.OutputCount * _featureCount > MaxParameterValues)
            {
                throw new AlgorithmException($"num_models {settings.ModelCount} × {settings.OutputCount} outputs × {_featureCount} features is too large to train; lower num_models.");
            }
            _reader = new MiniBatchReader(settings.PredictorType, settings.ClassCount, _featureCount);
            _parallel = new ParallelOptions { CancellationToken = run.Cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount };
        }

        private TextWriter Log => _run.Log;

        public void Run()
        {
            var data = _run.Data;
            var sample = ScalerSample.Take(data.Train, _reader, _settings, _featureCount, _run.Cancellation);
            var scaler = sample.CreateFeatureScaler(_settings.NormalizeData, _settings.UnbiasData);
            var labelScaler = _settings.PredictorType == PredictorType.Regressor
                ? sample.CreateLabelScaler(_settings.NormalizeLabel, _settings.UnbiasLabel)
                : LabelScaler.Identity;
            var candidates = CandidateGrid.Create(_settings, BalancedPositiveWeight(sample))
                .Select(c => new CandidateModel(_settings, c, _featureCount, MulticlassWeights(sample), labelScaler))
                .ToArray();
            Log.WriteLine($"Training {candidates.Length} model(s) for up to {_settings.Epochs} epoch(s) on {_featureCount} features; scaler from {sample.Rows} row(s).");
            if (_settings.ModelCountOverriddenByTuning)
            {
                Log.WriteLine("num_models is set to 1 because this job belongs to a hyperparameter tuning job (as in SageMaker).");
            }
            if (data.Validation is null && (_run.Hyperparameters.IsSet("early_stopping_patience") || _run.Hyperparameters.IsSet("early_stopping_tolerance")))
            {
                Log.WriteLine("Early stopping needs a validation channel; there is none, so every epoch runs (as in SageMaker).");
            }

            var selectionChannel = data.Validation is null ? "train" : "validation";
            var chosen = TrainAllEpochs(candidates, scaler, labelScaler, data.Validation);
            if (chosen is null)
            {
                var live = LiveModels(candidates, scaler, labelScaler);
                chosen = Best(live, Evaluate(data.Train, "train", live.Select(l => l.Model).ToArray(), threshold: null), epoch: _settings.Epochs - 1);
            }

            Log.WriteLine(SelectionNote(chosen.Value, candidates.Length, selectionChannel));
            if (_settings.Criterion == SelectionCriterion.RecallAtTargetPrecision && chosen.Value.Result.SelectionScore < 0)
            {
                Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"No model reached target_precision {_settings.TargetPrecision:G6} on {selectionChannel}; the threshold with the highest precision was chosen."));
            }
            var model = chosen.Value.Model;
            model.Save(_run.ModelDirectory);

            var trainResult = data.Validation is null ? chosen.Value.Result : EvaluateChosen(model, data.Train, "train");
            WriteMetrics("train", trainResult.Metrics);
            if (data.Validation is not null) WriteMetrics("validation", chosen.Value.Result.Metrics);
            if (data.Test is not null) WriteMetrics("test", EvaluateChosen(model, data.Test, "test").Metrics);
        }

        private string SelectionNote(Choice chosen, int modelCount, string channel)
        {
            var selected = chosen.Model.Header.Selected;
            var binary = _settings.PredictorType == PredictorType.BinaryClassifier;
            var weight = binary ? FormattableString.Invariant($", positive_example_weight_mult={selected.PositiveWeight:G6}") : "";
            var threshold = binary ? FormattableString.Invariant($"; decision threshold (margin) {chosen.Model.Header.DecisionThreshold:G6}") : "";
            return FormattableString.Invariant(
                $"Selected model {selected.Index + 1} of {modelCount} (learning_rate={selected.LearningRate:G6}, wd={selected.Wd:G6}, l1={selected.L1:G6}{weight}) from epoch {chosen.Epoch} by {channel} {CriterionName()}{threshold}.");
        }

        private EvaluationResult EvaluateChosen(LinearModel model, IDataView view, string channel) =>
            Evaluate(view, channel, [model], model.Header.DecisionThreshold)[0];

        private readonly record struct Choice(LinearModel Model, EvaluationResult Result, int Epoch);

        /// <summary>Trains every epoch; with validation, returns the best (model, epoch) seen, else null (chosen after training).</summary>
        private Choice? TrainAllEpochs(CandidateModel[] candidates, FeatureScaler? scaler, LabelScaler labelScaler, IDataView? validation)
        {
            Choice? best = null;
            var reported = new bool[candidates.Length];
            double? watched = null;
            var stalled = 0;
            long step = 0;
            for (var epoch = 0; epoch < _settings.Epochs; epoch++)
            {
                long records = 0;
                var clock = Stopwatch.StartNew();
                foreach (var batch in _reader.Read(_run.Data.Train, "train", _settings.MiniBatchSize, scaler, labelScaler, _run.Cancellation))
                {
                    var currentStep = step;
                    Parallel.ForEach(candidates, _parallel, candidate => candidate.Train(batch, currentStep));
                    step++;
                    records += batch.Count;
                }
                _run.Cancellation.ThrowIfCancellationRequested();
                var trainLoss = candidates.Where(c => !c.Diverged).Select(c => c.TrainingLoss).DefaultIfEmpty(double.NaN).Min();
                WriteMetric("train", new QualityMetric(ScalarLoss.From(_settings).ObjectiveName, true, trainLoss), epoch);
                Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"#throughput_metric: host={_run.CurrentHost}, train throughput={records / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} records/second"));
                Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"#progress_metric: host={_run.CurrentHost}, completed {100.0 * (epoch + 1) / _settings.Epochs:0.###} %"));
                foreach (var candidate in candidates) candidate.ResetTrainingLoss();
                ReportDivergence(candidates, reported, epoch);
                var live = LiveModels(candidates, scaler, labelScaler);
                if (validation is null) continue;

                var results = Evaluate(validation, "validation", live.Select(l => l.Model).ToArray(), threshold: null);
                var epochBest = Best(live, results, epoch);
                var validationLoss = results.Select(r => r.Loss).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();
                WriteMetric("validation", results[0].Metrics[0] with { Value = validationLoss }, epoch);
                if (best is null || IsBetter(epochBest.Result.SelectionScore, best.Value.Result.SelectionScore)) best = epochBest;

                var score = results.Select(r => r.EarlyStoppingScore(_settings)).Where(double.IsFinite).DefaultIfEmpty(double.NegativeInfinity).Max();
                if (watched is null || (score - watched.Value) / Math.Max(Math.Abs(watched.Value), 1e-12) > _settings.EarlyStoppingTolerance)
                {
                    watched = score;
                    stalled = 0;
                }
                else if (++stalled >= _settings.EarlyStoppingPatience)
                {
                    Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Early stopping after epoch {epoch}: validation {(_settings.CriterionExplicit ? CriterionName() : "objective loss")} improved by less than {_settings.EarlyStoppingTolerance:G6} (relative) for {stalled} epoch(s)."));
                    break;
                }
            }
            return best;
        }

        private void ReportDivergence(CandidateModel[] candidates, bool[] reported, int epoch)
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                if (!candidates[i].Diverged || reported[i]) continue;
                reported[i] = true;
                Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Model {i + 1} of {candidates.Length} (learning_rate={candidates[i].Settings.LearningRate:G6}) diverged in epoch {epoch} and is left out of the selection."));
            }
        }

        private (LinearModel Model, CandidateModel Candidate)[] LiveModels(CandidateModel[] candidates, FeatureScaler? scaler, LabelScaler labelScaler)
        {
            var live = candidates.Where(c => !c.Diverged).Select(c => (c.ToModel(scaler, labelScaler), c)).ToArray();
            if (live.Length == 0)
            {
                throw new AlgorithmException($"All {candidates.Length} model(s) diverged (parameters became NaN or infinite); lower learning_rate or enable normalize_data.");
            }
            return live;
        }

        /// <summary>The candidate with the highest selection score (NaN never wins), with its chosen threshold.</summary>
        private static Choice Best((LinearModel Model, CandidateModel Candidate)[] live, EvaluationResult[] results, int epoch)
        {
            var bestIndex = 0;
            for (var i = 1; i < results.Length; i++)
            {
                if (IsBetter(results[i].SelectionScore, results[bestIndex].SelectionScore)) bestIndex = i;
            }
            var result = results[bestIndex];
            return new Choice(live[bestIndex].Model.WithThreshold(result.DecisionThreshold), result, epoch);
        }

        /// <summary>Higher selection scores win; NaN (a model whose margins overflowed) never does.</summary>
        private static bool IsBetter(double score, double than) => !double.IsNaN(score) && (double.IsNaN(than) || score > than);

        /// <summary>One pass over a channel feeds every model's evaluation.</summary>
        private EvaluationResult[] Evaluate(IDataView view, string channel, LinearModel[] models, float? threshold)
        {
            var evaluations = models.Select(_ => new Evaluation(_settings)).ToArray();
            // One row's margins per model: with many classes a whole batch of them would not fit.
            var margins = models.Select(_ => new float[_settings.OutputCount]).ToArray();
            long rows = 0;
            foreach (var batch in _reader.Read(view, channel, _settings.MiniBatchSize, null, LabelScaler.Identity, _run.Cancellation))
            {
                rows += batch.Count;
                Parallel.For(0, models.Length, _parallel, m =>
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        models[m].ComputeMargins(batch.Row(i), 1, margins[m]);
                        evaluations[m].Add(margins[m], batch.Labels[i], batch.Weights[i]);
                    }
                });
            }
            if (rows == 0) throw new AlgorithmException($"Channel '{channel}' has no rows.");
            return evaluations.Select(e => e.Complete(threshold)).ToArray();
        }

        private double BalancedPositiveWeight(ScalerSample sample)
        {
            if (_settings.PredictorType != PredictorType.BinaryClassifier || _settings.PositiveWeightMode == PositiveWeightMode.Fixed) return 1;
            var (negatives, positives) = (sample.ClassWeights[0], sample.ClassWeights[1]);
            if (positives > 0 && negatives > 0) return negatives / positives;
            var found = $"the first {sample.Rows} training rows (num_point_for_scaler) hold {positives} positive and {negatives} negative weight";
            if (_settings.PositiveWeightMode == PositiveWeightMode.Balanced)
            {
                throw new AlgorithmException($"positive_example_weight_mult 'balanced' needs both classes, but {found}.");
            }
            Log.WriteLine($"positive_example_weight_mult 'auto': {found}, so every model weights positives 1.");
            return 1;
        }

        /// <summary>balance_multiclass_weights: each class weighted n / (classes · n_class) from the scaler sample.</summary>
        private double[]? MulticlassWeights(ScalerSample sample)
        {
            if (!_settings.BalanceMulticlassWeights) return null;
            var total = sample.ClassWeights.Sum();
            var classes = sample.ClassWeights.Length;
            return sample.ClassWeights.Select(n => n > 0 ? total / (classes * n) : 1.0).ToArray();
        }

        private string CriterionName() => _settings.PredictorType switch
        {
            PredictorType.Regressor => "objective loss",
            PredictorType.MulticlassClassifier => _settings.Criterion == SelectionCriterion.Accuracy ? "multiclass_accuracy" : "objective loss",
            _ => _settings.Criterion switch
            {
                SelectionCriterion.Accuracy => "accuracy",
                SelectionCriterion.FBeta => string.Create(CultureInfo.InvariantCulture, $"f_beta (beta {_settings.FBeta:G6})"),
                SelectionCriterion.F1 => "f1",
                SelectionCriterion.PrecisionAtTargetRecall => string.Create(CultureInfo.InvariantCulture, $"precision at target recall {_settings.TargetRecall:G6}"),
                SelectionCriterion.RecallAtTargetPrecision => string.Create(CultureInfo.InvariantCulture, $"recall at target precision {_settings.TargetPrecision:G6}"),
                SelectionCriterion.CrossEntropyLoss => "cross_entropy_loss",
                _ => "objective loss",
            },
        };

        private void WriteMetrics(string channel, IEnumerable<QualityMetric> metrics)
        {
            foreach (var metric in metrics) WriteMetric(channel, metric);
        }

        private void WriteMetric(string channel, QualityMetric metric, int? epoch = null) =>
            Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"#quality_metric: host={_run.CurrentHost}, {(epoch is null ? "" : $"epoch={epoch}, ")}{channel} {metric.Name} <{(metric.IsLoss ? "loss" : "score")}>={metric.Value}"));
    }
}
