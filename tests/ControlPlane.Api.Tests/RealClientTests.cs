using System.Diagnostics;
using System.Text;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// The service driven by the clients users really have: boto3 (with its paginators and waiters) and the aws CLI,
/// each script in <c>wire/</c> run as <c>python3 script url</c> against the real service process. A script prints
/// <c>PASS name</c> / <c>FAIL name: reason</c> per check and exits non-zero when any check failed.
/// </summary>
public sealed class RealClientTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public Task Boto3_lifecycle_of_every_resource_type_matches_SageMaker() => RunScriptAsync("boto3_lifecycle.py");

    [Fact]
    public Task Boto3_errors_carry_the_codes_and_messages_that_waiters_and_users_code_match_on() => RunScriptAsync("boto3_errors.py");

    [Fact]
    public Task Boto3_paginators_see_every_item_once_in_SageMaker_default_order() => RunScriptAsync("boto3_pagination.py");

    [Fact]
    public Task Aws_cli_commands_create_describe_list_stop_tag_and_delete_like_SageMaker() => RunScriptAsync("aws_cli.py");

    private async Task RunScriptAsync(string script)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "wire", script);
        Assert.True(File.Exists(path), $"The wire script {path} is not in the test output folder.");
        var url = fixture.Service.BaseAddress.ToString().TrimEnd('/');

        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(path)!,
        };
        start.ArgumentList.Add("-B");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(url);
        start.Environment["PYTHONUNBUFFERED"] = "1";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        using (var timeout = new CancellationTokenSource(ScriptTimeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        var report = new StringBuilder()
            .AppendLine($"python3 {script} {url} {(timedOut ? $"timed out after {ScriptTimeout}" : $"exited {process.ExitCode}")}")
            .AppendLine("--- script output ---")
            .AppendLine(await stdout)
            .AppendLine("--- script stderr ---")
            .AppendLine(await stderr)
            .AppendLine("--- service output ---")
            .AppendLine(fixture.Service.Output)
            .ToString();
        Assert.False(timedOut, report);
        Assert.True(process.ExitCode == 0, report);
    }
}
