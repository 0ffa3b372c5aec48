using System.Diagnostics;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>The committed generated code is what tools/generate-client.py writes from today's service model.</summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public async Task The_committed_generated_client_matches_the_service_model()
    {
        // botocore's paginators and waiters, copied into the repository so the check needs nothing outside it.
        var references = Path.Combine(RepositoryPaths.Root, "tools", "service-models");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(RepositoryPaths.Root, "tools", "generate-client.py"), references, "--check" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, output);
    }
}
