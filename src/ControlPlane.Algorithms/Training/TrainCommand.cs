using System.Runtime.InteropServices;
using System.Text.Json;
using ControlPlane.Algorithms.Data;
using Microsoft.ML;

namespace ControlPlane.Algorithms.Training;

/// <summary>
/// <c>train</c> (contract 5.1): reads the config files under <c>/opt/ml/input/config</c>, opens the channels, trains
/// the algorithm named by the orchestration into <c>/opt/ml/model</c>. A failure is written to
/// <c>/opt/ml/output/failure</c> (<c>ClientError:</c> for the user's input, <c>AlgorithmError:</c> otherwise) and ends
/// the process non-zero; SIGTERM (StopTrainingJob) cancels training between rounds.
/// </summary>
internal static class TrainCommand
{
    private static readonly string[] ChannelNames = ["train", "validation", "test"];

    public static int Run(MlPaths paths, TextWriter log)
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            var name = Environment.GetEnvironmentVariable(AlgorithmCatalog.AlgorithmVariable) is { Length: > 0 } set
                ? set
                : throw new InvalidOperationException($"{AlgorithmCatalog.AlgorithmVariable} does not name the algorithm to train.");
            var entry = AlgorithmCatalog.Find(name);
            var algorithm = entry.Create();
            var hyperparameters = new Hyperparameters(ReadHyperparameters(paths.Hyperparameters));
            var layout = RecordLayout.Training with
            {
                CsvWeights = name == XGBoost.XgboostAlgorithm.AlgorithmName && hyperparameters.GetInt("csv_weights", 0, 0, 1) == 1,
            };
            var channels = OpenChannels(paths, entry, layout);
            var data = ChannelLoader.Load(channels["train"], channels.GetValueOrDefault("validation"), channels.GetValueOrDefault("test"));
            Directory.CreateDirectory(paths.Model);
            var run = new TrainingRun(new MLContext(seed: 0), hyperparameters, data, paths.Model, CurrentHost(paths.ResourceConfig), log, stop.Token);
            algorithm.Train(run);
            new ModelManifest(name, data.FeatureCount, ModelManifest.CurrentFormat).Write(paths.Model);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.WriteLine("Training stopped (SIGTERM).");
            return 143;
        }
        catch (AlgorithmException e)
        {
            return Fail(paths, log, $"ClientError: {e.Message}", 2);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(paths, log, $"AlgorithmError: {e.Message}", 1);
        }
    }

    private static int Fail(MlPaths paths, TextWriter log, string reason, int exitCode)
    {
        log.WriteLine(reason);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.Failure)!);
        File.WriteAllText(paths.Failure, reason);
        return exitCode;
    }

    /// <summary>SageMaker passes every value as a string; a number or boolean written without quotes is taken as its text.</summary>
    private static Dictionary<string, string> ReadHyperparameters(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateObject().ToDictionary(
            property => property.Name,
            property => property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText(),
            StringComparer.Ordinal);
    }

    private static Dictionary<string, ChannelSource> OpenChannels(MlPaths paths, AlgorithmCatalog.Entry entry, RecordLayout layout)
    {
        if (!File.Exists(paths.InputDataConfig))
        {
            throw new AlgorithmException("The training job has no input data config; a 'train' channel is required.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(paths.InputDataConfig));
        var channels = new Dictionary<string, ChannelSource>(StringComparer.Ordinal);
        foreach (var channel in document.RootElement.EnumerateObject())
        {
            if (!ChannelNames.Contains(channel.Name, StringComparer.Ordinal))
            {
                throw new AlgorithmException($"Channel '{channel.Name}' is not supported; the channels are {string.Join(", ", ChannelNames)}.");
            }

            var contentType = channel.Value.TryGetProperty("ContentType", out var type) && type.GetString() is { Length: > 0 } given ? given : entry.DefaultContentType;
            var format = DataFormats.Parse(contentType) is { } parsed && entry.TrainingFormats.Contains(parsed)
                ? parsed
                : throw new AlgorithmException($"Channel '{channel.Name}': content type '{contentType}' is not supported; use one of {string.Join(", ", entry.TrainingFormats.Select(DataFormats.ContentType))}.");
            var pipe = channel.Value.TryGetProperty("TrainingInputMode", out var mode) && mode.GetString() == "Pipe";
            var directory = paths.Channel(channel.Name);
            channels[channel.Name] = pipe
                ? new PipeChannelSource(channel.Name, directory, format, layout)
                : new FileChannelSource(channel.Name, directory, format, layout);
        }

        return channels.ContainsKey("train") ? channels : throw new AlgorithmException("The 'train' channel is required.");
    }

    private static string CurrentHost(string resourceConfig)
    {
        if (!File.Exists(resourceConfig))
        {
            return "algo-1";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(resourceConfig));
        return document.RootElement.TryGetProperty("current_host", out var host) && host.GetString() is { Length: > 0 } name ? name : "algo-1";
    }
}
