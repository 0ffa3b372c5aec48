using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>Processes that share one data directory: a control plane and its workers, as deploy/compose.yaml runs them.</summary>
public sealed class SharedDataDirectoryTests
{
    [Fact]
    public async Task Two_processes_started_together_on_a_new_data_directory_both_serve_and_accept_each_others_page_tokens()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "controlplane-tests", Guid.NewGuid().ToString("N"));
        var starting = new[] { ServiceProcess.StartInAsync(dataDirectory), ServiceProcess.StartInAsync(dataDirectory) };
        await Task.WhenAll(starting.Select(start => start.ContinueWith(_ => { }, TaskScheduler.Default)));
        await using var first = await starting[0];
        await using var second = await starting[1];
        var prefix = Requests.Unique("Shared");
        var wire = new WireDoor(first.Http);
        for (var i = 0; i < 3; i++)
        {
            await wire.InvokeAsync("CreateModel", Requests.Model($"{prefix}-{i}"));
        }

        var page = await wire.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = prefix, ["MaxResults"] = 2 });
        var token = page.Body["NextToken"]!.GetValue<string>();
        var next = await new WireDoor(second.Http).InvokeAsync("ListModels", new JsonObject { ["NameContains"] = prefix, ["MaxResults"] = 2, ["NextToken"] = token });

        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Single(next.Body["Models"]!.AsArray());
    }
}
