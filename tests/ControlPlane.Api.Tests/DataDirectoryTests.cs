using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// The data directory: shared by processes (a control plane and its workers, as deploy/compose.yaml runs them), and
/// kept to its size under load.
/// </summary>
public sealed class DataDirectoryTests
{
    /// <remarks>
    /// The checkpoint threshold is 3,000 pages of 4 KiB (12 MiB of log). 16 clients without pause keep the writer from
    /// ever finding the database idle; one client makes every create a transaction of its own, which must still run
    /// the checkpoint. Either way the creates write far more pages than the threshold.
    /// </remarks>
    [Theory]
    [InlineData(16, 250)]
    [InlineData(1, 2000)]
    public async Task The_write_ahead_log_stays_small_under_a_steady_stream_of_creates(int clients, int createsPerClient)
    {
        await using var service = await ServiceProcess.StartAsync(ServiceFixture.WithoutWorkers);
        var wire = new WireDoor(service.Http);
        var prefix = Requests.Unique("Stream");
        var log = new FileInfo(Path.Combine(service.DataDirectory, "controlplane.db-wal"));

        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            for (var i = 0; i < createsPerClient; i++)
            {
                var created = await wire.InvokeAsync("CreateModel", Requests.Model($"{prefix}-{client}-{i}"));
                Assert.Equal(HttpStatusCode.OK, created.Status);
            }
        }));
        log.Refresh();

        Assert.True(log.Length < 16 * 1024 * 1024, $"the write-ahead log has grown to {log.Length} bytes");
    }

    /// <remarks>
    /// 500 creates write about 1,500 log pages, half the in-commit checkpoint's threshold: only the background
    /// checkpoint copies them into the database file this early.
    /// </remarks>
    [Fact]
    public async Task Creates_reach_the_database_file_in_the_background_before_the_log_reaches_its_checkpoint_threshold()
    {
        await using var service = await ServiceProcess.StartAsync(ServiceFixture.WithoutWorkers);
        var wire = new WireDoor(service.Http);
        var prefix = Requests.Unique("Checkpointed");
        var database = new FileInfo(Path.Combine(service.DataDirectory, "controlplane.db"));
        var sizeBefore = database.Length;

        for (var i = 0; i < 500; i++)
        {
            var created = await wire.InvokeAsync("CreateModel", Requests.Model($"{prefix}-{i}"));
            Assert.Equal(HttpStatusCode.OK, created.Status);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(100);
            database.Refresh();
        }
        while (database.Length - sizeBefore < 256 * 1024 && DateTime.UtcNow < deadline);

        Assert.True(database.Length - sizeBefore >= 256 * 1024, $"the database file grew by {database.Length - sizeBefore} bytes only");
    }

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
