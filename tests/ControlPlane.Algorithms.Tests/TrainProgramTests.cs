using System.Diagnostics;
using System.Text;
using ControlPlane.Algorithms.Tests.Infrastructure;

namespace ControlPlane.Algorithms.Tests;

/// <summary>
/// The program's <c>train</c> as SageMaker runs it (contract 5.1): config files and channels under
/// <c>CONTROLPLANE_ML_ROOT</c>, the model and manifest in <c>model/</c>, failures in <c>output/failure</c>, SIGTERM.
/// </summary>
public sealed class TrainProgramTests : IDisposable
{
    private readonly TempDirectory _root = new();

    private string Ml => Path.Combine(_root.Path, "opt", "ml");

    public void Dispose() => _root.Dispose();

    private void Configure(string hyperparameters, string inputDataConfig, string? trainCsv)
    {
        _root.File("opt/ml/input/config/hyperparameters.json", hyperparameters);
        _root.File("opt/ml/input/config/inputdataconfig.json", inputDataConfig);
        _root.File("opt/ml/input/config/resourceconfig.json", """{"current_host":"algo-1","hosts":["algo-1"]}""");
        if (trainCsv is not null)
        {
            _root.File("opt/ml/input/data/train/part.csv", trainCsv);
        }
    }

    private Process Start(string? algorithm, StringBuilder output)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ControlPlane.Algorithms.dll"));
        start.ArgumentList.Add("train");
        start.Environment["CONTROLPLANE_ML_ROOT"] = Ml;
        if (algorithm is not null)
        {
            start.Environment["CONTROLPLANE_ALGORITHM"] = algorithm;
        }
        else
        {
            start.Environment.Remove("CONTROLPLANE_ALGORITHM");
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The output so far: the process's reader threads append to it under the same lock.</summary>
    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string? algorithm)
    {
        var output = new StringBuilder();
        using var process = Start(algorithm, output);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, Snapshot(output));
    }

    private string Failure => File.ReadAllText(Path.Combine(Ml, "output", "failure"));

    [Fact]
    public async Task Train_writes_the_model_and_a_manifest_naming_the_algorithm()
    {
        Configure("""{"num_round":"5","objective":"binary:logistic"}""", """{"train":{"ContentType":"text/csv","TrainingInputMode":"File"}}""", Datasets.Binary(300, seed: 1).ToCsv());

        var (exitCode, output) = await RunAsync("xgboost");

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"\[4\]\ttrain-logloss:", output);
        var manifest = File.ReadAllText(Path.Combine(Ml, "model", "controlplane-model.json"));
        Assert.Contains("\"algorithm\": \"xgboost\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"feature_count\": 8", manifest, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Ml, "model", "xgboost-model.lightgbm")));
    }

    [Fact]
    public async Task A_bad_hyperparameter_is_a_ClientError_in_the_failure_file_and_a_nonzero_exit()
    {
        Configure("""{"num_round":"5","max_depth":"deep"}""", """{"train":{"ContentType":"text/csv"}}""", "1,2\n");

        var (exitCode, _) = await RunAsync("xgboost");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("ClientError: Hyperparameter 'max_depth' must be an integer, got 'deep'.", Failure);
    }

    [Fact]
    public async Task Bad_data_is_a_ClientError_naming_the_file_and_line()
    {
        Configure("""{"num_round":"5"}""", """{"train":{"ContentType":"text/csv"}}""", "1,2\n0,oops\n");

        var (exitCode, _) = await RunAsync("xgboost");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("ClientError: train/part.csv line 2: column 2 ('oops') is not a number.", Failure);
    }

    [Theory]
    [InlineData("""{"train":{"ContentType":"application/x-parquet"}}""", "ClientError: Channel 'train': content type 'application/x-parquet' is not supported; use one of text/csv, text/libsvm, application/x-recordio-protobuf.")]
    [InlineData("""{"validation":{"ContentType":"text/csv"}}""", "ClientError: The 'train' channel is required.")]
    [InlineData("""{"train":{"ContentType":"text/csv"},"extra":{}}""", "ClientError: Channel 'extra' is not supported; the channels are train, validation, test.")]
    [InlineData("""{"train":{"ContentType":"text/csv"},"test":{"ContentType":"text/csv"}}""", "ClientError: XGBoost has no 'test' channel; its channels are train and validation.")]
    public async Task Channels_the_algorithm_cannot_read_are_ClientErrors(string inputDataConfig, string failure)
    {
        Configure("""{"num_round":"5"}""", inputDataConfig, "1,2\n");
        _root.File("opt/ml/input/data/validation/v.csv", "1,2\n");
        _root.File("opt/ml/input/data/test/t.csv", "1,2\n");

        var (exitCode, _) = await RunAsync("xgboost");

        Assert.NotEqual(0, exitCode);
        Assert.Equal(failure, Failure);
    }

    [Fact]
    public async Task Without_an_algorithm_named_the_failure_is_an_AlgorithmError()
    {
        Configure("{}", """{"train":{}}""", "1,2\n");

        var (exitCode, _) = await RunAsync(null);

        Assert.NotEqual(0, exitCode);
        Assert.StartsWith("AlgorithmError: CONTROLPLANE_ALGORITHM does not name the algorithm", Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_stops_training_promptly()
    {
        Configure("""{"num_round":"1000000","nthread":"1"}""", """{"train":{"ContentType":"text/csv"}}""", Datasets.Regression(2000, seed: 1).ToCsv());
        var output = new StringBuilder();
        using var process = Start("xgboost", output);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Snapshot(output).Contains("[3]", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, Snapshot(output));
            await Task.Delay(50);
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(143, process.ExitCode);
        Assert.Contains("Training stopped (SIGTERM).", Snapshot(output), StringComparison.Ordinal);
    }
}
