using System.Diagnostics;
using System.Text.Json;

namespace ControlPlane.Client.Tests.Infrastructure;

/// <summary>botocore's SigV4Auth (python3 with boto3, as the wire tests use) as an independent judge of the client's signatures.</summary>
public static class Botocore
{
    public static async Task<(bool Verified, string Report)> VerifyAsync(CapturedRequest request, Uri server, ControlPlaneClientOptions credentials)
    {
        var input = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["method"] = request.Method,
            ["url"] = new Uri(server, request.Target).ToString(),
            ["headers"] = request.Headers.Select(h => new[] { h.Key, h.Value }).ToArray(),
            ["body"] = Convert.ToBase64String(request.Body),
            ["access_key"] = credentials.AccessKey,
            ["secret_key"] = credentials.SecretKey,
            ["token"] = credentials.SessionToken,
            ["region"] = credentials.Region,
        });
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "signing", "verify_sigv4.py"));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var report = await output + await error;
        return process.ExitCode switch
        {
            0 => (true, report),
            1 => (false, report),
            _ => throw new InvalidOperationException($"verify_sigv4.py failed ({process.ExitCode}); python3 needs botocore:\n{report}"),
        };
    }
}
