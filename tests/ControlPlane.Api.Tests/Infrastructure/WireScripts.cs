namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Runs a script from <c>wire/</c> as <c>python3 script url [arguments]</c> against a running service (or its gateway). A script prints
/// <c>PASS name</c> / <c>FAIL name: reason</c> per check and exits non-zero when any check failed; the assertion
/// message then carries the script's and the service's output.
/// </summary>
public static class WireScripts
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    public static Task RunAsync(ServiceProcess service, string script, params string[] arguments) =>
        RunAsync(service, service.BaseAddress, script, arguments);

    /// <summary>Runs the script against <paramref name="address"/>; <paramref name="service"/>'s output goes into a failure's message.</summary>
    public static async Task RunAsync(ServiceProcess service, Uri address, string script, params string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "wire", script);
        Assert.True(File.Exists(path), $"The wire script {path} is not in the test output folder.");
        var url = address.ToString().TrimEnd('/');

        var run = await ScriptProcess.RunAsync(
            "python3",
            ["-B", path, url, .. arguments],
            Path.GetDirectoryName(path)!,
            ScriptTimeout,
            new Dictionary<string, string> { ["PYTHONUNBUFFERED"] = "1", ["PYTHONDONTWRITEBYTECODE"] = "1" });
        var report = run.Report($"python3 {script} {url}", service);
        Assert.False(run.TimedOut, report);
        Assert.True(run.ExitCode == 0, report);
    }
}
