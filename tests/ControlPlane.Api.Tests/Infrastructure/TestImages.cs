using System.Diagnostics;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>Builds test images with the docker CLI and pushes them to the local registry (deploy/setup.sh).</summary>
internal static class TestImages
{
    /// <summary>The built-in algorithms image in the local registry (deploy/build-algorithms-image.sh, cached by a hash of its sources).</summary>
    public const string Algorithms = "127.0.0.1:5000/controlplane/algorithms:latest";

    private static readonly Lazy<Task> AlgorithmsBuilt = new(() =>
        RunAsync("bash", Path.Combine(RepositoryPaths.Root, "deploy", "build-algorithms-image.sh")));

    /// <summary>Makes sure <see cref="Algorithms"/> is built from the current sources.</summary>
    public static Task EnsureAlgorithmsAsync() => AlgorithmsBuilt.Value;

    public static async Task BuildAndPushAsync(string directory, string tag)
    {
        await DockerAsync("build", "-q", "-t", tag, directory);
        // Remove the local tag so the service really pulls from the registry.
        await DockerAsync("push", "-q", tag);
        await DockerAsync("image", "rm", tag);
    }

    /// <summary>Runs the docker CLI; a non-zero exit throws with its output.</summary>
    public static Task DockerAsync(params string[] arguments) => RunAsync("docker", arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOCKER_BUILDKIT"] = "0";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}); run `bash deploy/setup.sh` first.\n{await output}\n{await error}");
        }
    }
}
