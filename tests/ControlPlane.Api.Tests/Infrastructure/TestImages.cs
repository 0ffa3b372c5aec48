using System.Diagnostics;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>Builds test images with the docker CLI and pushes them to the local registry (deploy/setup.sh).</summary>
internal static class TestImages
{
    public static async Task BuildAndPushAsync(string directory, string tag)
    {
        await DockerAsync("build", "-q", "-t", tag, directory);
        // Remove the local tag so the service really pulls from the registry.
        await DockerAsync("push", "-q", tag);
        await DockerAsync("image", "rm", tag);
    }

    /// <summary>Runs the docker CLI; a non-zero exit throws with its output.</summary>
    public static async Task DockerAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOCKER_BUILDKIT"] = "0";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed ({process.ExitCode}); run `bash deploy/setup.sh` first.\n{await output}\n{await error}");
        }
    }
}
