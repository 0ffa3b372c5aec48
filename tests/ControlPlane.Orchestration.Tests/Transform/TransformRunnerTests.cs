using System.Text;
using ControlPlane.Orchestration.Storage;
using ControlPlane.Orchestration.Transform;

namespace ControlPlane.Orchestration.Tests.Transform;

public sealed class TransformRunnerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("transform-runner-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Each_object_gets_its_out_file_and_a_failed_object_gets_none_while_the_others_still_run()
    {
        var store = new LocalObjectStore(Path.Combine(_root, "s3"));
        Directory.CreateDirectory(Path.Combine(_root, "s3", "bucket"));
        await Put(store, "bucket/in/a.csv", "1,2\n3,4\n");
        await Put(store, "bucket/in/nested/b.csv", $"{new string('9', 600)}\n");
        await Put(store, "bucket/in/c.csv", "5,6\n");
        var objects = new[] { "a.csv", "nested/b.csv", "c.csv" }
            .Select(relative => new TransformObject(Location($"bucket/in/{relative}"), relative)).ToList();
        var plan = new TransformPlan(SplitType.Line, false, BatchStrategy.MultiRecord, 512, 1, "text/csv", "text/csv", AssembleWith.Line,
            new DataProcessing(Core.Transform.JsonPathSubset.Parse("$").Value!, Core.Transform.JsonPathSubset.Parse("$").Value!, JoinSource.None));
        var log = new List<string>();

        var outcome = await new TransformRunner(store).RunAsync(objects, new SummingModel(), plan, Location("bucket/out/"), Path.Combine(_root, "scratch"), log.Add, CancellationToken.None);

        Assert.Equal((2, 3L), (outcome.Transformed, outcome.Records));
        Assert.StartsWith("Failed to transform s3://bucket/in/nested/b.csv: A record of at least 601 bytes", Assert.Single(outcome.Failures), StringComparison.Ordinal);
        Assert.Equal("3\n7\n", await Get(store, "bucket/out/a.csv.out"));
        Assert.Equal("11\n", await Get(store, "bucket/out/c.csv.out"));
        Assert.False(await store.ExistsAsync(Location("bucket/out/nested/b.csv.out")));
        Assert.Contains(log, line => line.StartsWith("Transformed s3://bucket/in/a.csv: 2 records in 1 requests", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "scratch")));
    }

    private static S3Location Location(string path) => S3Location.Parse("s3://" + path).Value!;

    private static async Task Put(LocalObjectStore store, string path, string content) =>
        await store.PutAsync(Location(path), new MemoryStream(Encoding.UTF8.GetBytes(content)));

    private static async Task<string> Get(LocalObjectStore store, string path)
    {
        await using var stream = await store.OpenReadAsync(Location(path));
        using var reader = new StreamReader(stream!);
        return await reader.ReadToEndAsync();
    }
}
